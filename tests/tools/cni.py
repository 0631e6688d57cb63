"""Run CNI network configurations the way libcni, and so Multus on a node, runs them.

Multus reads a pod's ``k8s.v1.cni.cncf.io/networks`` annotation, finds each
NetworkAttachmentDefinition and calls its plugins with ``CNI_COMMAND`` ADD (CHECK, DEL),
``CNI_NETNS`` the pod's namespace, ``CNI_IFNAME`` the interface asked for, ``CNI_ARGS`` the
pod's identity, and the selection's ``ips``/``mac`` as ``runtimeConfig`` to the plugins that
declare those capabilities. A configuration list runs its plugins in order with each
``prevResult`` (DEL in reverse). These helpers do exactly that with Debian's reference
plugins, so an exported design is proven without a cluster.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

PLUGIN_DIRS = (Path("/usr/lib/cni"), Path("/opt/cni/bin"))
NETWORKS = "k8s.v1.cni.cncf.io/networks"


def plugin_dir() -> Path:
    for directory in PLUGIN_DIRS:
        if (directory / "bridge").exists():
            return directory
    raise FileNotFoundError("no CNI plugins: install containernetworking-plugins")


class CniError(RuntimeError):
    """A plugin answered with an error (its JSON code and message)."""


@dataclass
class CniNetwork:
    """One attachment as Multus runs it; ``results`` keeps each plugin's ADD result."""

    config: dict[str, Any]
    netns: Path
    ifname: str
    container_id: str
    cni_args: str
    runtime: dict[str, Any] = field(default_factory=dict)
    result: dict[str, Any] | None = None

    def _plugins(self) -> list[dict[str, Any]]:
        if "plugins" in self.config:
            return list(self.config["plugins"])
        return [{k: v for k, v in self.config.items() if k not in ("cniVersion", "name")}]

    def _call(self, command: str, plugin: dict[str, Any],
              prev: dict[str, Any] | None) -> dict[str, Any] | None:
        conf = {"cniVersion": self.config["cniVersion"], "name": self.config["name"], **plugin}
        capabilities = plugin.get("capabilities") or {}
        runtime = {k: v for k, v in self.runtime.items() if capabilities.get(k)}
        if runtime:
            conf["runtimeConfig"] = runtime
        if prev is not None:
            conf["prevResult"] = prev
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "CNI_COMMAND": command, "CNI_CONTAINERID": self.container_id,
            "CNI_NETNS": str(self.netns), "CNI_IFNAME": self.ifname,
            "CNI_ARGS": self.cni_args, "CNI_PATH": str(plugin_dir()),
        }
        done = subprocess.run([str(plugin_dir() / plugin["type"])], input=json.dumps(conf),
                              capture_output=True, text=True, env=env, timeout=60,
                              check=False)
        if done.returncode != 0:
            try:
                error = json.loads(done.stdout)
                text = f"{error.get('msg')} ({error.get('details', '')})"
            except json.JSONDecodeError:
                text = done.stdout + done.stderr
            raise CniError(f"{plugin['type']} {command} {self.ifname}: {text}")
        return json.loads(done.stdout) if done.stdout.strip() else None

    def add(self) -> dict[str, Any]:
        prev = None
        for plugin in self._plugins():
            prev = self._call("ADD", plugin, prev)
        assert prev is not None
        self.result = prev
        return prev

    def check(self) -> None:
        for plugin in self._plugins():
            self._call("CHECK", plugin, self.result)

    def delete(self) -> None:
        for plugin in reversed(self._plugins()):
            self._call("DEL", plugin, self.result)


@dataclass
class CniPod:
    """A pod's namespace (``/run/netns/NAME``) and its attachments, in annotation order."""

    name: str
    netns: Path
    networks: list[CniNetwork]


def pods_of(text: str, netns_of: dict[str, str] | None = None) -> list[CniPod]:
    """The pods of an exported YAML, each with its networks ready to run.

    A pod's namespace is named after its ``netwright.io/namespace`` annotation (or its own
    name), as run_check expects a bare topology's namespaces to be named."""
    documents = [d for d in yaml.safe_load_all(text) if d]
    nads = {d["metadata"]["name"]: json.loads(d["spec"]["config"])
            for d in documents if d["kind"] == "NetworkAttachmentDefinition"}
    pods = []
    for document in documents:
        if document["kind"] != "Pod":
            continue
        meta = document["metadata"]
        annotations = meta.get("annotations", {})
        name = annotations.get("netwright.io/namespace", meta["name"])
        netns = Path("/run/netns") / (netns_of or {}).get(name, name)
        container = uuid.uuid4().hex
        cni_args = (f"IgnoreUnknown=true;K8S_POD_NAMESPACE=default;K8S_POD_NAME={meta['name']};"
                    f"K8S_POD_INFRA_CONTAINER_ID={container};K8S_POD_UID={uuid.uuid4()}")
        networks = []
        for index, selection in enumerate(json.loads(annotations.get(NETWORKS, "[]")), 1):
            runtime = {k: selection[k] for k in ("ips", "mac") if k in selection}
            ifname = selection.get("interface") or f"net{index}"  # Multus's own naming
            networks.append(CniNetwork(nads[selection["name"]], netns, ifname, container,
                                       cni_args, runtime))
        pods.append(CniPod(name, netns, networks))
    return pods


def start_pods(pods: list[CniPod]) -> None:
    """What the runtime and Multus do at pod start: namespace, loopback, ADD, then CHECK."""
    for pod in pods:
        subprocess.run(["ip", "netns", "add", pod.netns.name], check=True)
        subprocess.run(["ip", "-n", pod.netns.name, "link", "set", "lo", "up"], check=True)
        for network in pod.networks:
            network.add()
    for pod in pods:
        for network in pod.networks:
            network.check()


def stop_pods(pods: list[CniPod], remove_netns: bool = True) -> None:
    """Pod deletion: DEL in reverse order, then the namespace goes."""
    for pod in reversed(pods):
        for network in reversed(pod.networks):
            if network.result is not None:
                network.delete()
                network.result = None
        if remove_netns:
            subprocess.run(["ip", "netns", "del", pod.netns.name], check=False)


@contextlib.contextmanager
def pods_running(pods: list[CniPod], remove_netns: bool = True) -> Iterator[list[CniPod]]:
    """``pods`` started (start_pods) for the block and stopped (stop_pods) after it, also
    when the start itself fails: what it had added is deleted."""
    try:
        start_pods(pods)
        yield pods
    finally:
        stop_pods(pods, remove_netns)


@contextlib.contextmanager
def dhcp_daemon(socket: Path, pods: list[CniPod], *options: str) -> Iterator[None]:
    """The CNI dhcp daemon a node runs (``dhcp daemon``), on a socket of the test's own.

    A node's daemon listens on /run/cni/dhcp.sock, outside the test's private mounts; the
    pods' dhcp IPAM is pointed at this one with the plugin's ``daemonSocketPath`` instead."""
    for pod in pods:
        for network in pod.networks:
            for plugin in network._plugins():  # their ipam dicts are the config's own
                ipam = plugin.get("ipam") or {}
                if ipam.get("type") == "dhcp":
                    ipam["daemonSocketPath"] = str(socket)
    daemon = subprocess.Popen([str(plugin_dir() / "dhcp"), "daemon", "-socketpath", str(socket),
                               *options], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            if socket.exists():
                break
            time.sleep(0.05)
        yield
    finally:
        daemon.terminate()
        daemon.wait(timeout=10)
