"""`netwright export --format multus` and `import --from multus`, without a cluster or root:
the YAML's structure against the CRD and the plugins' fields, what is carried and what is
listed as not carried, the NIC mapping and node placement, and export → import → export."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml

from netwright.backend.dhcp.identity import client_id_bytes
from netwright.backend.export.multus import CNI_VERSION, export_multus, main_plugin
from netwright.backend.export.multus_import import MultusImportError, import_multus
from netwright.backend.export.multus_yaml import NETWORKS_ANNOTATION, render_multus
from netwright.backend.topology import load_topology, parse_topology
from tests.export.nad_schema import (
    IPAM_FIELDS,
    NAD_SCHEMA,
    NETWORKS_SCHEMA,
    PLUGIN_FIELDS,
    POD_SCHEMA,
)

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "examples").glob("*.yaml"))
LOSSLESS = {"seed-ipvlan-l2.yaml", "seed-ipvlan-l2-default.yaml", "macvlan-bridge.yaml"}
SEED = next(p for p in EXAMPLES if p.name == "seed-ipvlan-l2-default.yaml")


def documents(text: str) -> list[dict]:
    return [d for d in yaml.safe_load_all(text) if d]


def objects_of(text: str) -> list[dict]:
    return documents(text)


def export_text(path: Path, **kwargs: object) -> str:
    _doc, topology = load_topology(path)
    return render_multus(export_multus(topology, **kwargs))  # type: ignore[arg-type]


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_every_example_is_valid_kubernetes_yaml(example: Path) -> None:
    docs = documents(export_text(example))
    nads = {d["metadata"]["name"]: d for d in docs if d["kind"] == "NetworkAttachmentDefinition"}
    pods = [d for d in docs if d["kind"] == "Pod"]
    _doc, topology = load_topology(example)
    assert len(pods) == len(topology.namespaces)
    for nad in nads.values():
        jsonschema.validate(nad, NAD_SCHEMA)
        config = json.loads(nad["spec"]["config"])
        assert config["cniVersion"] == CNI_VERSION and config["name"] == nad["metadata"]["name"]
        for plugin in config.get("plugins", [config]):
            known = PLUGIN_FIELDS[plugin["type"]] | {"cniVersion", "name", "plugins"}
            assert set(plugin) <= known, set(plugin) - known
            if "ipam" in plugin:
                assert set(plugin["ipam"]) <= IPAM_FIELDS[plugin["ipam"]["type"]]
    for pod in pods:
        jsonschema.validate(pod, POD_SCHEMA)
        selection = json.loads(pod["metadata"]["annotations"][NETWORKS_ANNOTATION])
        jsonschema.validate(selection, NETWORKS_SCHEMA)
        names = [s["interface"] for s in selection]
        assert len(set(names)) == len(names) and "eth0" not in names
        assert all(s["name"] in nads for s in selection)


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_export_import_export_is_stable(example: Path) -> None:
    first = export_text(example)
    text, skipped = import_multus(first)
    assert not skipped
    again = render_multus(export_multus(parse_topology(text)))
    assert objects_of(again) == objects_of(first)
    if example.name in LOSSLESS:
        assert again == first
    text2, _ = import_multus(again)
    assert text2 == text
    assert render_multus(export_multus(parse_topology(text2))) == again


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_losses_are_listed_and_only_lossless_designs_pass_strict(example: Path) -> None:
    _doc, topology = load_topology(example)
    losses = export_multus(topology).not_carried
    assert (not losses) == (example.name in LOSSLESS)
    text = export_text(example)
    for note in losses:
        assert f"not carried: {note.where}:" in text
    cli = subprocess.run([sys.executable, "-m", "netwright.backend.cli.main", "export",
                          "--format", "multus", "--strict", str(example)],
                         capture_output=True, text=True, check=False)
    assert cli.returncode == (0 if example.name in LOSSLESS else 1), cli.stderr
    for note in losses:
        assert f"netwright: not carried: {note.where}:" in cli.stderr


def test_seed_attachments_carry_master_mode_addresses_and_routes() -> None:
    docs = documents(export_text(SEED, nic_map={"wlp2s0": "eth1"}))
    config = json.loads(docs[0]["spec"]["config"])
    assert config == {
        "cniVersion": CNI_VERSION, "name": "seed-ipvlan1", "type": "ipvlan", "master": "eth1",
        "mode": "l2", "capabilities": {"ips": True},
        "ipam": {"type": "static", "addresses": [{"address": "192.168.31.5/24"}],
                 "routes": [{"dst": "0.0.0.0/0", "gw": "192.168.31.1"}]}}
    pod = next(d for d in docs if d["kind"] == "Pod" and d["metadata"]["name"] == "seed-net2")
    assert json.loads(pod["metadata"]["annotations"][NETWORKS_ANNOTATION]) == [
        {"name": "seed-ipvlan2", "interface": "ipvlan2", "ips": ["192.168.31.6/24"]}]


DESIGN = """netwright: 1
name: Odd_Name
host:
  nics:
    wlp2s0: {addresses: [192.168.31.240/24], gateway: 192.168.31.1}
    eth1: {addresses: [10.1.0.1/24]}
namespaces:
  pod.one:
    node: worker-1
    routes:
      - {to: default, via: 192.168.31.1, metric: 100}
  two:
    routes: [{to: 10.9.0.0/16, via: 10.5.0.254}]
interfaces:
  a: {kind: ipvlan, parent: wlp2s0, mode: l2, flag: private, namespace: pod.one,
      addresses: [192.168.31.5/24]}
  b: {kind: macvlan, parent: eth1, mode: bridge, namespace: two, state: down,
      addresses: [{dhcp: {client-id: pod-two}}]}
  c: {kind: bridge, namespace: two, addresses: [10.5.0.1/24]}
"""


def test_losses_name_each_object_and_reason() -> None:
    export = export_multus(parse_topology(DESIGN))
    notes = {n.where: n.reason for n in export.not_carried}
    assert "no flag setting" in notes["interfaces.a.flag"]
    assert "no metric" in notes["namespaces.pod.one.routes[0].metric"]
    assert "no attachment" in notes["namespaces.two.routes[0]"]
    assert "state down" in notes["interfaces.b.state"]
    assert "bridge inside a pod" in notes["interfaces.c"]


ADDRESSLESS = """netwright: 1
name: bare
host: {nics: {eth1: {addresses: [192.168.31.240/24]}, eth2: {}}}
namespaces: {p1: {}, p2: {}, p3: {}}
interfaces:
  iv: {kind: ipvlan, parent: eth1, mode: l2, namespace: p1}
  tag: {kind: vlan, parent: eth1, id: 7, namespace: p2}
  mv: {kind: macvlan, parent: eth2, mode: bridge, namespace: p3}
"""


def test_an_ipvlan_or_vlan_without_an_address_is_listed_not_exported() -> None:
    """The ipvlan and vlan plugins run their IPAM whatever the config says and fail ADD
    without an address (ipvlan's "no plugin name provided", the stock-kernel tier runs it):
    such a definition would keep every pod that asks for it from starting. The macvlan
    plugin makes a bare link without IPAM, so that one is carried."""
    export = export_multus(parse_topology(ADDRESSLESS))
    notes = {n.where: n.reason for n in export.not_carried}
    assert "an ipvlan without an address" in notes["interfaces.iv"], notes
    assert "a vlan without an address" in notes["interfaces.tag"], notes
    assert "give tag an address or dhcp" in notes["interfaces.tag"]
    assert [a.key for a in export.attachments] == ["mv"]
    assert "ipam" not in main_plugin(export.attachments[0].config)


def test_a_routes_preferred_source_is_listed() -> None:
    """A CNI route is a destination and a gateway: the design's src is not carried."""
    design = DESIGN.replace("metric: 100}", "metric: 100, src: 192.168.31.5}")
    notes = {n.where: n.reason for n in export_multus(parse_topology(design)).not_carried}
    assert "without 192.168.31.5" in notes["namespaces.pod.one.routes[0].src"]


def test_names_node_selector_and_dhcp_client_id() -> None:
    text = render_multus(export_multus(parse_topology(DESIGN)))
    docs = documents(text)
    names = [d["metadata"]["name"] for d in docs]
    assert all(jsonschema.Draft202012Validator({"pattern": NAD_SCHEMA["properties"]["metadata"]
               ["properties"]["name"]["pattern"]}).is_valid(n) for n in names)
    pod = next(d for d in docs if d["metadata"]["annotations"].get(
        "netwright.io/namespace") == "pod.one")
    assert pod["spec"]["nodeSelector"] == {"kubernetes.io/hostname": "worker-1"}
    dhcp = next(json.loads(d["spec"]["config"]) for d in docs
                if d["metadata"].get("annotations", {}).get("netwright.io/interface") == "b")
    assert main_plugin(dhcp)["ipam"] == {
        "type": "dhcp", "provide": [{"option": "dhcp-client-identifier",
                                     "value": "\x00pod-two"}]}  # type 0, as Netwright sends
    assert "dhcp IPAM: the CNI dhcp daemon" in text
    back, _ = import_multus(text)
    assert "client-id: pod-two" in back and "node: worker-1" in back


@pytest.mark.parametrize(("client_id", "value"), [
    ("pod-two", "\x00pod-two"), ("pödchen", "\x00pödchen"), ("01:02:03", "\x01\x02\x03"),
    ("00:41", "\x00A"), ("01:aa:bb:cc:dd:ee:ff", None)])
def test_a_client_id_is_provided_as_the_bytes_netwright_sends(
        client_id: str, value: str | None) -> None:
    """The dhcp plugin puts a provided value's UTF-8 on the wire as option 61; bytes that are no
    UTF-8 (a MAC-type id) cannot be provided and are listed."""
    design = parse_topology(DESIGN.replace("client-id: pod-two", f"client-id: '{client_id}'"))
    export = export_multus(design)
    ipam = main_plugin(next(a for a in export.attachments if a.key == "b").config)["ipam"]
    notes = {n.where for n in export.not_carried}
    if value is None:
        assert "provide" not in ipam and "interfaces.b.addresses" in notes
        return
    assert ipam["provide"] == [{"option": "dhcp-client-identifier", "value": value}]
    back = parse_topology(import_multus(render_multus(export))[0])
    again = back.interfaces["b"].addresses[0].dhcp.client_id  # type: ignore[union-attr]
    assert client_id_bytes(again) == client_id_bytes(client_id)  # '00:41' comes back as 'A'


def test_bad_nic_mapping_and_bad_yaml_are_sentences() -> None:
    run = [sys.executable, "-m", "netwright.backend.cli.main"]
    bad = subprocess.run([*run, "export", "--format", "multus", "--nic", "eth9=x", str(SEED)],
                         capture_output=True, text=True, check=False)
    assert bad.returncode != 0 and "no host NIC of that name (its NICs: wlp2s0)" in bad.stderr
    assert "Traceback" not in bad.stderr
    with pytest.raises(MultusImportError, match="no NetworkAttachmentDefinition"):
        import_multus("apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations:\n"
                      f"    {NETWORKS_ANNOTATION}: missing-net\nspec: {{containers: []}}\n")
    with pytest.raises(MultusImportError, match="not valid YAML"):
        import_multus("a: [\n")


def test_k8s_and_kubernetes_are_other_names_for_multus() -> None:
    """`--format k8s` is what a user asks for first; it once got "invalid choice"."""
    run = [sys.executable, "-m", "netwright.backend.cli.main", "export"]
    made = {name: subprocess.run([*run, "--format", name, str(SEED)], capture_output=True,
                                 text=True, check=False) for name in ("multus", "k8s",
                                                                      "kubernetes")}
    assert {name: done.returncode for name, done in made.items()} == dict.fromkeys(made, 0)
    assert made["k8s"].stdout == made["multus"].stdout == made["kubernetes"].stdout
    assert "kind: NetworkAttachmentDefinition" in made["k8s"].stdout


def test_import_refuses_to_overwrite(tmp_path: Path) -> None:
    exported = tmp_path / "seed.k8s.yaml"
    exported.write_text(export_text(SEED))
    out = tmp_path / "out.yaml"
    out.write_text("mine\n")
    run = [sys.executable, "-m", "netwright.backend.cli.main", "import", "--from", "multus",
           str(exported), "-o", str(out)]
    refused = subprocess.run(run, capture_output=True, text=True, check=False)
    assert refused.returncode != 0 and "use --force" in refused.stderr
    assert out.read_text() == "mine\n"
    subprocess.run([*run, "--force"], check=True)
    load_topology(out)


def test_nodad_is_listed_as_not_carried() -> None:
    design = DESIGN.replace("addresses: [192.168.31.5/24]}",
                            'addresses: [192.168.31.5/24, "fd00::5/64 nodad"]}')
    notes = {n.where: n.reason for n in export_multus(parse_topology(design)).not_carried}
    assert "nodad on fd00::5/64" in notes["interfaces.a.addresses"]


def test_rules_nat_forwarding_and_impairment_are_never_dropped_silently() -> None:
    """docker's NAT and forward chain live on the node, OpenStack's security groups
    on bridge ports: Multus carries none of them, so each is listed (and --strict fails)."""
    docker = {n.where for n in export_multus(load_topology(
        next(p for p in EXAMPLES if p.name == "docker-bridge.yaml"))[1]).not_carried}
    assert {"host.nat[0]", "host.nat[1]", "host.firewall"} <= docker
    assert "host.forwarding" not in docker  # the bridge plugin's isGateway turns it on
    openstack = {n.where for n in export_multus(load_topology(
        next(p for p in EXAMPLES if p.name == "openstack-linuxbridge.yaml"))[1]).not_carried}
    assert {"interfaces.tap-vm1.port-firewall", "interfaces.tap-vm2.port-firewall"} <= openstack
    design = DESIGN.replace("  two:\n", "  two:\n    firewall: {input: {policy: drop}}\n"
                            "    forwarding: {ipv4: true}\n").replace(
        "addresses: [192.168.31.5/24]}", "addresses: [192.168.31.5/24],\n"
        "      impairment: {rate: 10mbit}}")
    export = export_multus(parse_topology(design))
    notes = {n.where for n in export.not_carried}
    assert {"namespaces.two.firewall", "interfaces.a.impairment"} <= notes
    # a pod's forwarding is a sysctl inside the pod: the tuning plugin carries it
    b = next(a for a in export.attachments if a.key == "b")
    tuning = next(p for p in b.config["plugins"] if p["type"] == "tuning")
    assert tuning["sysctl"] == {"net.ipv4.ip_forward": "1"}


DOTTED = """netwright: 1
name: sysdot
host: {nics: {eth1: {addresses: [192.168.31.240/24]}}}
namespaces:
  p1: {sysctls: {net.ipv4.conf.data/0.rp_filter: 2, net.ipv4.conf.mv1.rp_filter: 1}}
interfaces:
  mv1: {kind: macvlan, parent: eth1, mode: bridge, namespace: p1, addresses: [192.168.31.7/24]}
  mv2: {kind: macvlan, parent: eth1, mode: bridge, namespace: p1, name: data.0,
        addresses: [192.168.31.8/24]}
"""


def test_a_sysctl_of_an_attachment_named_with_a_dot_is_written_with_ifname() -> None:
    """The tuning plugin turns every dot of a key into '/', so no key of its own names data.0;
    it replaces IFNAME with the name of the attachment it is chained on, afterwards (v1.2.0
    on). The import reads IFNAME back as the design wrote the key."""
    export = export_multus(parse_topology(DOTTED))
    assert not export.not_carried, export.not_carried
    tunings = {a.key: next(p for p in a.config["plugins"] if p["type"] == "tuning")["sysctl"]
               for a in export.attachments}
    assert tunings == {"mv1": {"net.ipv4.conf.mv1.rp_filter": "1"},
                       "mv2": {"net.ipv4.conf.IFNAME.rp_filter": "2"}}
    back = parse_topology(import_multus(render_multus(export))[0])
    assert back.namespaces["p1"].sysctls == {"net.ipv4.conf.data/0.rp_filter": "2",
                                             "net.ipv4.conf.mv1.rp_filter": "1"}


def test_an_import_that_does_not_validate_says_what_not_where_in_a_hidden_text(
        tmp_path: Path) -> None:
    """The problem is the YAML's, so no line and column of the topology text never written
    ('<imported>:16:17'): its sentence and model path, and no file."""
    nad = {"cniVersion": CNI_VERSION, "type": "macvlan", "master": "eth0", "mode": "bridge",
           "ipam": {"type": "static", "addresses": [{"address": "10.0.0.300/24"}]}}
    source = tmp_path / "bad.k8s.yaml"
    source.write_text(
        "apiVersion: k8s.cni.cncf.io/v1\nkind: NetworkAttachmentDefinition\n"
        f"metadata: {{name: n1}}\nspec:\n  config: '{json.dumps(nad)}'\n---\n"
        f"apiVersion: v1\nkind: Pod\nmetadata:\n  name: p1\n  annotations:\n"
        f"    {NETWORKS_ANNOTATION}: n1\nspec: {{containers: []}}\n")
    out = tmp_path / "out.yaml"
    cli = subprocess.run([sys.executable, "-m", "netwright.backend.cli.main", "import",
                          "--from", "multus", str(source), "-o", str(out)],
                         capture_output=True, text=True, check=False)
    assert cli.returncode == 1 and not out.exists()
    assert cli.stderr == (
        "netwright: what was read does not make a valid topology, so nothing was written:"
        " '10.0.0.300/24' is not an IPv4 or IPv6 address with a valid prefix length (e.g."
        " 192.168.31.5/24) (at interfaces.n1.addresses[0])\n"), cli.stderr


GATEWAY_BRIDGE = (
    "netwright: 1\nname: gw\n{host}namespaces: {{web: {{}}}}\ninterfaces:\n"
    "  br9: {{kind: bridge, addresses: [10.20.0.1/24]}}\n"
    "  web-h: {{kind: veth, peer: web-p, master: br9}}\n"
    "  web-p: {{kind: veth, peer: web-h, namespace: web, addresses: [10.20.0.10/24]}}\n")


@pytest.mark.parametrize(("host", "note", "info"), [
    ("", None, True),
    ("host: {forwarding: {ipv4: true}}\n", None, False),
    ("host: {forwarding: {ipv4: false}}\n", "host.forwarding.ipv4", False),
    ("host: {forwarding: {ipv6: true}}\n", "host.forwarding", True),
])
def test_is_gateway_turning_the_nodes_forwarding_on_is_said(
        host: str, note: str | None, info: bool) -> None:
    """The bridge plugin with isGateway turns the node's IPv4 forwarding on (its ADD calls
    ip.EnableIP4Forward): said where the design leaves it alone, a loss where it keeps it off,
    carried where the design turns it on."""
    export = export_multus(parse_topology(GATEWAY_BRIDGE.format(host=host)))
    assert [n.where for n in export.not_carried if n.where.startswith("host.")] == (
        [note] if note else [])
    assert any("forwarding on" in line for line in export.info) == info


HAND_WRITTEN = """\
apiVersion: k8s.cni.cncf.io/v1
kind: NetworkAttachmentDefinition
metadata: {name: macvlan-conf}
spec:
  config: '{"cniVersion": "0.3.1", "type": "macvlan", "master": "eth0", "mode": "bridge",
    "capabilities": {"ips": true},
    "ipam": {"type": "static", "routes": [{"dst": "0.0.0.0/0", "gw": "192.168.1.1"}]}}'
---
apiVersion: k8s.cni.cncf.io/v1
kind: NetworkAttachmentDefinition
metadata: {name: a-bridge-network-with-a-long-name}
spec:
  config: '{"cniVersion": "0.3.1", "type": "bridge", "bridge": "cni1",
    "capabilities": {"ips": true}, "ipam": {"type": "static"}}'
"""
HAND_POD = """\
---
apiVersion: v1
kind: Pod
metadata:
  name: {name}
  annotations:
    k8s.v1.cni.cncf.io/networks: '{networks}'
spec: {{containers: [{{name: main, image: alpine}}]}}
"""


def test_one_hand_written_definition_serves_many_pods_each_with_its_own_interface() -> None:
    """Multus users write one NetworkAttachmentDefinition for many pods, and leave the
    interface name to Multus (net1, net2, … in the annotation's order): each pod gets its
    own interface, none overwrites another's."""
    text = HAND_WRITTEN
    for index, name in enumerate(("samplepod", "samplepod2"), start=1):
        networks = json.dumps([
            {"name": "macvlan-conf", "ips": [f"192.168.1.{200 + index}/24"]},
            {"name": "a-bridge-network-with-a-long-name", "ips": [f"10.1.0.{index}/24"]}])
        text += HAND_POD.format(name=name, networks=networks)
    design = parse_topology(import_multus(text)[0])
    seen = {(link.namespace, link.name or key, link.kind, tuple(map(str, link.addresses)))
            for key, link in design.interfaces.items() if link.namespace}
    assert seen == {
        ("samplepod", "net1", "macvlan", ("192.168.1.201/24",)),
        ("samplepod", "net2", "veth", ("10.1.0.1/24",)),
        ("samplepod2", "net1", "macvlan", ("192.168.1.202/24",)),
        ("samplepod2", "net2", "veth", ("10.1.0.2/24",))}
    ports = [link for link in design.interfaces.values() if link.kind == "veth"
             and link.namespace is None]
    assert len(ports) == 2 and all(p.master == "cni1" for p in ports)


def test_what_the_design_sets_on_a_bridge_ports_node_end_is_listed() -> None:
    """The bridge plugin makes the node's end of the pair itself (random name and MAC, the pod
    end's MTU, up, no address): the design's own settings of that end are not dropped
    silently."""
    design = GATEWAY_BRIDGE.format(host="").replace(
        "master: br9}", "master: br9, mtu: 9000, mac: '02:00:00:00:00:09', state: down,"
        " persist: true}")
    notes = {n.where for n in export_multus(parse_topology(design)).not_carried}
    assert {"interfaces.web-h.mtu", "interfaces.web-h.mac", "interfaces.web-h.state",
            "interfaces.web-h.persist"} <= notes


def test_a_renamed_eth0_takes_a_name_no_interface_of_its_pod_has() -> None:
    """A pod's eth0 is the cluster's: the design's eth0 becomes net1, unless the pod has its
    own net1, which keeps its name."""
    design = GATEWAY_BRIDGE.format(host="").replace(
        "namespace: web,", "namespace: web, name: eth0,") + (
        "  net1-h: {kind: veth, peer: net1, master: br9}\n"
        "  net1: {kind: veth, peer: net1-h, namespace: web, addresses: [10.20.0.11/24]}\n")
    export = export_multus(parse_topology(design))
    assert {a.key: a.ifname for a in export.attachments} == {"web-p": "net2", "net1": "net1"}
    assert [n.where for n in export.not_carried if n.where.endswith(".name")] == [
        "interfaces.web-p.name"]


def test_a_definition_without_master_imports_on_the_nodes_default_interface() -> None:
    """The macvlan and ipvlan plugins take the node's default-route interface when master is
    left out, as many hand-written definitions do: imported on eth0, and said."""
    text = HAND_WRITTEN.replace('"master": "eth0", ', "") + HAND_POD.format(
        name="p", networks=json.dumps([{"name": "macvlan-conf", "ips": ["192.168.1.5/24"]}]))
    imported, skipped = import_multus(text)
    design = parse_topology(imported)
    assert design.interfaces["macvlan-conf"].parent == "eth0"  # type: ignore[union-attr]
    assert any("no master" in line for line in skipped)
