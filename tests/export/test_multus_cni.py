"""Exported designs executed by the reference CNI plugins, as Multus runs them on a node.

For each example that maps to Multus on this kernel (macvlan, bridge): the test builds the
node (its NIC wired to a router, as the lab does), runs every pod's attachments with
``CNI_COMMAND=ADD`` then ``CHECK`` into namespaces it created, and runs Netwright's own check
on the result: observed equals predicted pair by pair, and for a design that exports without
loss the verdicts equal the design's own prediction. ``DEL`` must then leave the pods with
only their loopback and the node as it was, but for the bridge the bridge plugin made (the
plugin never deletes bridges; Multus leaves it too). The ipvlan seed runs in the stock-kernel
tier (tests/kernel/test_kernel_multus.py).
"""

from __future__ import annotations

import contextlib
import json
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from netwright.backend.checks.run import CheckOptions
from netwright.backend.dhcp.identity import client_id_bytes, client_id_text
from netwright.backend.export.multus import CNI_VERSION, export_multus, main_plugin
from netwright.backend.export.multus_import import import_multus
from netwright.backend.export.multus_yaml import render_multus
from netwright.backend.topology import load_topology, parse_topology
from tests.checks.conftest import OUTSIDE
from tests.export.multus_proof import assert_agrees, carried_topology, check, verdicts
from tests.export.test_multus import ADDRESSLESS
from tests.tools.cni import (
    CniError,
    CniNetwork,
    CniPod,
    dhcp_daemon,
    pods_of,
    pods_running,
    start_pods,
    stop_pods,
)

pytestmark = pytest.mark.root
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
OPTIONS = CheckOptions(timeout=0.3, retries=1, outside=OUTSIDE)
SLOW = CheckOptions(timeout=1.0, retries=1, outside=OUTSIDE)  # Python is slow in the VM


def ip_json(*args: str) -> list[dict]:
    """``ip -j ARGS``, parsed."""
    out = subprocess.run(["ip", "-j", *args], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)  # type: ignore[no-any-return]


def host_links() -> set[str]:
    return {link["ifname"] for link in ip_json("link", "show")}


def pod_links(netns: str) -> set[str]:
    return {link["ifname"] for link in ip_json("-n", netns, "link", "show")}


def prove(example: str, uplink: Callable[..., None] | None, lossless: bool) -> None:
    if uplink is not None:
        uplink("eth1")
    _doc, design = load_topology(EXAMPLES / example)
    export = export_multus(design)
    assert bool(export.not_carried) != lossless, [n.text() for n in export.not_carried]
    exported = render_multus(export)
    carried = carried_topology(design, exported)
    before = host_links()
    pods = pods_of(exported)
    with pods_running(pods, remove_netns=False):
        made_bridges = {main_plugin(n.config).get("bridge") for p in pods for n in p.networks}
        made_bridges.discard(None)
        result = check(carried, OPTIONS)
        assert_agrees(result)
        if lossless:
            predicted = verdicts(check(design, CheckOptions(outside=OUTSIDE, probe=False)),
                                 observed=False)
            seen = verdicts(result, observed=True)
            assert seen.keys() == predicted.keys()
            assert seen == predicted
    for pod in pods:
        assert pod_links(pod.netns.name) == {"lo"}, pod.name
        subprocess.run(["ip", "netns", "del", pod.netns.name], check=True)
    assert host_links() - before == made_bridges
    for bridge in made_bridges:
        subprocess.run(["ip", "link", "del", bridge], check=True)


def test_macvlan_bridge(uplink: Callable[..., None]) -> None:
    prove("macvlan-bridge.yaml", uplink, lossless=True)


def test_docker_bridge() -> None:
    """The bridge plugin with isGateway gives docker0 the design's 172.17.0.1/16."""
    prove("docker-bridge.yaml", None, lossless=False)


def test_openstack_linuxbridge_carries_the_pods_but_not_the_node_wiring() -> None:
    """qvb/qvo pairs between bridges are node objects no plugin makes: the check of what was
    carried still equals its prediction (the VMs no longer reach their router)."""
    prove("openstack-linuxbridge.yaml", None, lossless=False)


def test_sysctls_mac_and_mtu_reach_the_pod(uplink: Callable[..., None]) -> None:
    """Namespace sysctls ride on the tuning plugin chained after the first attachment; the MAC
    on the macvlan plugin through runtimeConfig, as Multus passes the selection's mac."""
    uplink("eth1")
    design = parse_topology(
        "netwright: 1\nname: tun\nhost: {nics: {eth1: {addresses: [192.168.31.240/24],"
        " gateway: 192.168.31.1}}}\nnamespaces:\n  p1:\n    sysctls: {net.ipv4.ip_forward: 1}\n"
        "    routes: [{to: default, via: 192.168.31.1}]\n"
        "interfaces:\n  mv1: {kind: macvlan, parent: eth1, mode: bridge, namespace: p1,"
        " mac: '02:00:00:00:00:31', mtu: 1400, addresses: [192.168.31.31/24]}\n")
    exported = render_multus(export_multus(design))
    with pods_running(pods_of(exported)):
        forward = subprocess.run(["ip", "netns", "exec", "p1", "cat",
                                  "/proc/sys/net/ipv4/ip_forward"], capture_output=True,
                                 text=True, check=True).stdout.strip()
        link = ip_json("-n", "p1", "link", "show", "mv1")[0]
        assert (forward, link["address"], link["mtu"]) == ("1", "02:00:00:00:00:31", 1400)
        assert_agrees(check(carried_topology(design, exported), OPTIONS))


def test_a_sysctl_of_a_later_attachment_waits_for_its_interface(
        uplink: Callable[..., None]) -> None:
    """A namespace sysctl of one interface goes on the tuning plugin after that interface's
    attachment: after the first one, its /proc/sys file does not exist yet and ADD fails."""
    uplink("eth1")
    design = parse_topology(
        "netwright: 1\nname: sys\nhost: {nics: {eth1: {addresses: [192.168.31.240/24]}}}\n"
        "namespaces:\n  p1:\n    sysctls: {net.ipv4.conf.all.rp_filter: 1,"
        " net.ipv4.conf.data0.rp_filter: 2}\ninterfaces:\n"
        "  mv1: {kind: macvlan, parent: eth1, mode: bridge, namespace: p1,"
        " addresses: [192.168.31.7/24]}\n"
        "  mv2: {kind: macvlan, parent: eth1, mode: bridge, namespace: p1, name: data0,"
        " addresses: [192.168.31.8/24]}\n")
    with pods_running(pods_of(render_multus(export_multus(design)))):
        read = subprocess.run(["ip", "netns", "exec", "p1", "cat",
                               "/proc/sys/net/ipv4/conf/all/rp_filter",
                               "/proc/sys/net/ipv4/conf/data0/rp_filter"],
                              capture_output=True, text=True, check=True).stdout.split()
        assert read == ["1", "2"]


def test_a_sysctl_of_an_attachment_named_with_a_dot(uplink: Callable[..., None]) -> None:
    """The tuning plugin turns every dot of a key into '/', so no key of its own can name
    data.0: the export writes IFNAME, which the plugin replaces with the name of the
    attachment it is chained on, and the import reads it back as the design wrote it."""
    uplink("eth1")
    design = parse_topology(
        "netwright: 1\nname: sysdot\nhost: {nics: {eth1: {addresses: [192.168.31.240/24]}}}\n"
        "namespaces:\n  p1:\n    sysctls: {net.ipv4.conf.data/0.rp_filter: 2}\ninterfaces:\n"
        "  mv1: {kind: macvlan, parent: eth1, mode: bridge, namespace: p1,"
        " addresses: [192.168.31.7/24]}\n"
        "  mv2: {kind: macvlan, parent: eth1, mode: bridge, namespace: p1, name: data.0,"
        " addresses: [192.168.31.8/24]}\n")
    rendered = render_multus(export_multus(design))
    back = parse_topology(import_multus(rendered)[0])
    assert back.namespaces["p1"].sysctls == {"net.ipv4.conf.data/0.rp_filter": "2"}
    try:
        with pods_running(pods_of(rendered)):
            read = subprocess.run(["ip", "netns", "exec", "p1", "cat",
                                   "/proc/sys/net/ipv4/conf/data.0/rp_filter"],
                                  capture_output=True, text=True, check=True).stdout.split()
            assert read == ["2"]
    except CniError as exc:
        if "/conf/data/0/" not in str(exc):
            raise
        pytest.skip("this tuning plugin (before v1.2.0) replaces IFNAME before it turns the"
                    " key's dots into '/', so no key can name data.0")


def test_a_wrong_master_is_the_plugins_error_not_a_silent_success(
        uplink: Callable[..., None]) -> None:
    """--nic names the nodes' NIC: a name the node lacks fails at ADD, as on a real node."""
    uplink("eth1")
    _doc, design = load_topology(EXAMPLES / "macvlan-bridge.yaml")
    pods = pods_of(render_multus(export_multus(design, {"eth1": "ens9"})))
    try:
        with pytest.raises(CniError, match="macvlan ADD mv-web: Link not found"):
            start_pods(pods)
    finally:
        stop_pods(pods)


@pytest.mark.kernel
def test_seed_on_real_ipvlan(uplink: Callable[..., None]) -> None:
    """The seed's two pods on the node's NIC through the ipvlan plugin: they reach each other
    and the gateway, not their node's own address, exactly as the design predicts."""
    uplink("wlp2s0")
    _doc, design = load_topology(EXAMPLES / "seed-ipvlan-l2.yaml")
    exported = render_multus(export_multus(design))
    with pods_running(pods_of(exported)):
        result = check(carried_topology(design, exported), SLOW)
        assert_agrees(result)
        predicted = verdicts(check(design, CheckOptions(outside=OUTSIDE, probe=False)), False)
        assert verdicts(result, observed=True) == predicted
        assert predicted[("net1", "192.168.31.6")] == "reachable"
        assert predicted[("net1", "192.168.31.240")] == "unreachable"


@pytest.mark.kernel
def test_vlan_plugin(uplink: Callable[..., None]) -> None:
    """An 802.1Q child of the node's NIC through the vlan plugin, with the MAC from tuning."""
    uplink("eth1")
    design = parse_topology(
        "netwright: 1\nname: tagged\nhost: {nics: {eth1: {addresses: [192.168.31.240/24]}}}\n"
        "namespaces: {p1: {}, p2: {}}\ninterfaces:\n"
        "  v1: {kind: vlan, parent: eth1, id: 42, namespace: p1, mac: '02:00:00:00:00:42',"
        " addresses: [10.42.0.1/24]}\n"
        "  v2: {kind: vlan, parent: eth1, id: 43, namespace: p2, addresses: [10.42.0.2/24]}\n")
    exported = render_multus(export_multus(design))
    with pods_running(pods_of(exported)):
        link = ip_json("-n", "p1", "-d", "link", "show", "v1")[0]
        assert (link["linkinfo"]["info_data"]["id"], link["address"]) == (42, "02:00:00:00:00:42")
        assert_agrees(check(carried_topology(design, exported), SLOW))


@pytest.mark.kernel
def test_an_ipvlan_without_an_address_is_what_the_plugin_refuses(
        uplink: Callable[..., None]) -> None:
    """The ipvlan plugin runs its IPAM even when the config has none, and ADD fails: the export
    lists such an interface as not carried instead of a definition no pod could start with."""
    uplink("eth1")
    uplink("eth2", None)
    bare = parse_topology(ADDRESSLESS)
    config = {"cniVersion": CNI_VERSION, "name": "bare-iv", "type": "ipvlan",
              "master": "eth1", "mode": "l2"}
    pod = CniPod("p1", Path("/run/netns/p1"), [CniNetwork(config, Path("/run/netns/p1"),
                                                          "iv", "c1", "IgnoreUnknown=true")])
    with pytest.raises(CniError, match="ipvlan ADD iv: no plugin name provided"):
        start_pods([pod])
    stop_pods([pod])
    export = export_multus(bare)
    assert "interfaces.iv" in {n.where for n in export.not_carried}
    with pods_running(pods_of(render_multus(export))):
        assert pod_links("p3") == {"lo", "mv"}


def test_a_bridge_attachment_without_an_address_says_the_plugins_check_fails() -> None:
    """L2 only: the bridge plugin makes the pair and joins the bridge without IPAM, and DEL
    takes it away, but CHECK runs an IPAM check regardless and fails: the YAML says so, as
    the proof (ADD, CHECK, DEL) cannot pass it."""
    design = parse_topology(
        "netwright: 1\nname: flat\nnamespaces: {p1: {}}\ninterfaces:\n"
        "  br-flat: {kind: bridge}\n"
        "  h1: {kind: veth, peer: e1, master: br-flat}\n"
        "  e1: {kind: veth, peer: h1, namespace: p1}\n")
    exported = render_multus(export_multus(design))
    assert "its CHECK fails with 'no plugin name provided'" in " ".join(
        line.lstrip("# ") for line in exported.splitlines())
    (pod,) = pods_of(exported)
    (network,) = pod.networks
    subprocess.run(["ip", "netns", "add", "p1"], check=True)
    try:
        network.add()
        assert pod_links("p1") == {"lo", "e1"}
        with pytest.raises(CniError, match="bridge CHECK e1: no plugin name provided"):
            network.check()
        network.delete()
        assert pod_links("p1") == {"lo"}
    finally:
        subprocess.run(["ip", "netns", "del", "p1"], check=False)
        subprocess.run(["ip", "link", "del", "br-flat"], check=False)


def test_a_bridge_gateway_other_than_the_first_address_reaches_the_bridge() -> None:
    """Multus hands the selection's ``ips`` to a plugin that declares the capability, and the
    static IPAM then drops its own address entries, gateway included; the bridge plugin
    (isGateway) would then give the bridge the subnet's first address. The design's gateway
    .254 must be on the bridge, and the pod's default route through it must work. A route
    with no next hop would go via that gateway (and fail the plugin's CHECK): it is listed."""
    design = parse_topology(
        "netwright: 1\nname: gw\nnamespaces:\n  web: {routes: [{to: default, via: 10.20.0.254},"
        " {to: 10.60.0.0/16, dev: web-p}]}\n"
        "interfaces:\n  br9: {kind: bridge, addresses: [10.20.0.254/24]}\n"
        "  web-h: {kind: veth, peer: web-p, master: br9}\n"
        "  web-p: {kind: veth, peer: web-h, namespace: web, addresses: [10.20.0.10/24]}\n")
    export = export_multus(design)
    assert [n.where for n in export.not_carried] == ["namespaces.web.routes[1]"]
    exported = render_multus(export)
    try:
        with pods_running(pods_of(exported)):
            bridge = ip_json("-4", "addr", "show", "br9")
            assert [(a["local"], a["prefixlen"]) for a in bridge[0]["addr_info"]] == [
                ("10.20.0.254", 24)]
            assert_agrees(check(carried_topology(design, exported), OPTIONS))
    finally:
        subprocess.run(["ip", "link", "del", "br9"], check=False)


@contextlib.contextmanager
def dhcp_server(router: str, directory: Path) -> Iterator[Path]:
    """dnsmasq serving the uplink's segment from the router; yields its lease file."""
    leases = directory / "leases"
    server = subprocess.Popen(
        ["ip", "netns", "exec", router, "dnsmasq", "--no-daemon", "--port=0",
         "--interface=lan0", "--bind-interfaces", "--dhcp-range=192.168.31.100,192.168.31.150,1h",
         f"--dhcp-leasefile={leases}", f"--pid-file={directory / 'pid'}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        yield leases
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_a_designed_dhcp_client_id_reaches_the_server_as_netwright_sends_it(
        uplink: Callable[..., None], tmp_path: Path) -> None:
    """The dhcp plugin sends a provided dhcp-client-identifier's value as its bytes, without
    the type byte it puts before its own identifier; Netwright's client sends a text
    client-id after a zero type byte. The server (dnsmasq, which keys leases and reservations
    by client-id) must see the same identifier from the pod as from `netwright apply`."""
    router = uplink("eth1")
    design = parse_topology(
        "netwright: 1\nname: dyn\nhost: {nics: {eth1: {addresses: [192.168.31.240/24]}}}\n"
        "namespaces: {p1: {}}\ninterfaces:\n  mv1: {kind: macvlan, parent: eth1, mode: bridge,"
        " namespace: p1, addresses: [{dhcp: {client-id: web-1}}]}\n")
    pods = pods_of(render_multus(export_multus(design)))
    with (dhcp_server(router, tmp_path) as leases, dhcp_daemon(tmp_path / "dhcp.sock", pods),
          pods_running(pods)):
        entries = leases.read_text().split()
        assert entries[4] == client_id_text(client_id_bytes("web-1")), entries


@pytest.mark.kernel
def test_the_dhcp_seed_on_ipvlan_needs_the_daemon_to_ask_for_broadcast(
        uplink: Callable[..., None], tmp_path: Path) -> None:
    """ipvlan children share their parent's MAC, so a server's unicast OFFER, addressed to
    an IP no child has yet, goes to the parent: the node's dhcp daemon gets no lease for an
    ipvlan pod unless it runs with -broadcast, as the export's comment says. With it, the
    seed's two pods lease one address each, by their client-ids."""
    router = uplink("wlp2s0")
    _doc, design = load_topology(EXAMPLES / "seed-ipvlan-dhcp.yaml")
    exported = render_multus(export_multus(design))
    assert "dhcp daemon -broadcast" in exported
    pods = pods_of(exported)
    with dhcp_server(router, tmp_path) as leases:
        with dhcp_daemon(tmp_path / "unicast.sock", pods[:1], "-timeout", "2s", "-resendmax", "3s"):
            try:
                with pytest.raises(CniError, match="ipvlan ADD ipvlan1"):
                    start_pods(pods[:1])
            finally:
                stop_pods(pods[:1])
        with dhcp_daemon(tmp_path / "dhcp.sock", pods, "-broadcast"), pods_running(pods):
            held = {pod.name: ip_json("-n", pod.name, "-4", "addr", "show", "dev",
                                      pod.name.replace("net", "ipvlan"))[0]["addr_info"]
                    for pod in pods}
            assert all(len(a) == 1 and a[0]["local"].startswith("192.168.31.1")
                       for a in held.values()), held
            ids = {line.split()[4] for line in leases.read_text().splitlines()}
            assert {client_id_text(client_id_bytes(f"seed-{p.name}")) for p in pods} <= ids


@pytest.mark.kernel
def test_ipvlan_l3_with_ipv6_mtu_and_a_device_route(uplink: Callable[..., None]) -> None:
    """ipvlan l3 pods on the node's NIC, each with IPv4 and IPv6, an MTU and a route by
    device only: the plugin builds what `apply` builds (mode, MTU, addresses, routes) and the
    check of what was carried agrees with its prediction."""
    uplink("eth1")
    design = parse_topology(
        "netwright: 1\nname: l3\nhost: {nics: {eth1: {addresses: [192.168.31.240/24]}}}\n"
        "namespaces:\n  a: {routes: [{to: 10.9.0.0/16, dev: ipv-a}]}\n  b: {}\n"
        "interfaces:\n"
        "  ipv-a: {kind: ipvlan, parent: eth1, mode: l3, namespace: a, mtu: 1400,"
        " addresses: [10.1.0.5/24, 'fd00:1::5/64 nodad']}\n"
        "  ipv-b: {kind: ipvlan, parent: eth1, mode: l3, namespace: b, mtu: 1400,"
        " addresses: [10.1.0.6/24, 'fd00:1::6/64 nodad']}\n")
    exported = render_multus(export_multus(design))
    with pods_running(pods_of(exported)):
        link = ip_json("-n", "a", "-d", "addr", "show", "ipv-a")[0]
        assert (link["linkinfo"]["info_data"]["mode"], link["mtu"]) == ("l3", 1400)
        assert {f"{a['local']}/{a['prefixlen']}" for a in link["addr_info"]
                if a.get("scope") == "global"} == {"10.1.0.5/24", "fd00:1::5/64"}
        routes = ip_json("-n", "a", "route", "show", "10.9.0.0/16")
        assert [(r["dst"], r.get("gateway"), r["dev"]) for r in routes] == [
            ("10.9.0.0/16", None, "ipv-a")]
        assert_agrees(check(carried_topology(design, exported), SLOW))


HAND_WRITTEN_BRIDGE = """\
apiVersion: k8s.cni.cncf.io/v1
kind: NetworkAttachmentDefinition
metadata: {name: br-net}
spec:
  config: '{"cniVersion": "0.4.0", "name": "br-net", "plugins": [{"type": "bridge",
    "bridge": "cni7", "isDefaultGateway": true, "hairpinMode": true,
    "capabilities": {"ips": true}, "ipam": {"type": "static",
    "addresses": [{"address": "10.7.0.9/24", "gateway": "10.7.0.254"}]}},
    {"type": "tuning", "mtu": 1400}]}'
"""


def test_hand_written_yaml_imports_as_the_plugins_build_it() -> None:
    """A bridge definition as people write them for Multus: isDefaultGateway, pods asking for
    their ips, a tuning MTU. The plugins use the pods' ips (not the listed address and its
    gateway), give the bridge the subnet's first address and each pod a default route
    through it: the import must say the same, so its check agrees with what was built, and
    say what it leaves out (hairpinMode)."""
    text = HAND_WRITTEN_BRIDGE
    for name, address in (("p1", "10.7.0.5/24"), ("p2", "10.7.0.6/24")):
        text += ("---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: " + name + "\n"
                 "  annotations:\n    k8s.v1.cni.cncf.io/networks: '[{\"name\": \"br-net\","
                 f" \"ips\": [\"{address}\"]}}]'\nspec: {{containers: [{{name: main,"
                 " image: alpine}]}\n")
    imported, skipped = import_multus(text)
    assert skipped == ["br-net: the bridge plugin's hairpinMode has no Netwright equivalent"]
    design = parse_topology(imported)
    assert [str(a) for a in design.interfaces["cni7"].addresses] == ["10.7.0.1/24"]
    assert [(r.to, r.via) for r in design.namespaces["p1"].routes] == [("default", "10.7.0.1")]
    try:
        with pods_running(pods_of(text)):
            assert_agrees(check(design, OPTIONS))
            mtu = ip_json("-n", "p1", "link", "show", "net1")
            assert mtu[0]["mtu"] == design.interfaces["br-net"].mtu == 1400
    finally:
        subprocess.run(["ip", "link", "del", "cni7"], check=False)


def test_a_dual_stack_bridge_gets_the_designs_ipv6_gateway_too() -> None:
    """With isGateway the bridge plugin gives the bridge a gateway in each of the pod's
    subnets, IPv6 too (the subnet's first address unless the IPAM names one): the design's
    fd00:20::fe must be the one it gets; the address it adds in a pod subnet the bridge has
    no address of is listed."""
    design = parse_topology(
        "netwright: 1\nname: ds\nnamespaces: {web: {}, db: {}}\ninterfaces:\n"
        "  br8: {kind: bridge, addresses: [10.20.0.1/24, 'fd00:20::fe/64 nodad']}\n"
        "  web-h: {kind: veth, peer: web-p, master: br8}\n"
        "  web-p: {kind: veth, peer: web-h, namespace: web,"
        " addresses: [10.20.0.10/24, 'fd00:20::10/64']}\n"
        "  br7: {kind: bridge, addresses: [10.21.0.1/24]}\n"
        "  db-h: {kind: veth, peer: db-p, master: br7}\n"
        "  db-p: {kind: veth, peer: db-h, namespace: db,"
        " addresses: [10.21.0.11/24, 'fd00:21::11/64']}\n")
    export = export_multus(design)
    notes = {n.where: n.reason for n in export.not_carried}
    assert "fd00:21::1/64, the subnet's first address" in notes["interfaces.db-p.addresses"]
    exported = render_multus(export)
    try:
        with pods_running(pods_of(exported)):
            held = {bridge: {f"{a['local']}/{a['prefixlen']}" for a in ip_json(
                "addr", "show", bridge)[0]["addr_info"] if a.get("scope") == "global"}
                for bridge in ("br8", "br7")}
            assert held == {"br8": {"10.20.0.1/24", "fd00:20::fe/64"},
                            "br7": {"10.21.0.1/24", "fd00:21::1/64"}}
    finally:
        for bridge in ("br8", "br7"):
            subprocess.run(["ip", "link", "del", bridge], check=False)
