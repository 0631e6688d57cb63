"""NetworkManager integration: persistent host objects, runtime objects left alone, host facts.

On current distributions NetworkManager owns the host's network configuration, so Netwright
works with it through its D-Bus API (dbus-fast), never around it:

- ``client.NmClient``: the D-Bus calls (profiles to disk, activation, Reapply, checkpoints,
  ``Device.Managed``, IP configs, version, the namespace NM runs in).
- ``profiles``: the profile of each host-level ``persist: true`` object (bridge, macvlan,
  vlan, vxlan; ipvlan from NM 1.52), marked with the id prefix ``netwright-<topology>-`` and
  user-data ``netwright.topology=<name>``.
- ``persist.plan_persist`` / ``plan_forget``: the profile changes (create, update in place,
  delete), refusals as sentences (no NM; NM too old for the kind; a persistent object built
  on a runtime one), and a warning that needs confirmation when the host's own connection
  (its default route's device) would be taken down.
- ``transaction.begin``: applies a plan as an open transaction around an NM checkpoint,
  which the engine commits after its own pyroute2 part or rolls back (both undo together).
- ``runtime.unmanage``: host-level runtime objects are set unmanaged in NM.
- ``hostfacts.host_facts(bus)`` / ``system_host_facts()``: per NIC addresses, gateway, DNS,
  Wi-Fi or not, managed or not; from NM when it manages the target's namespace, else pyroute2.
- ``engine_part.NetworkManagerPart``: the seam the engine calls.

Errors all derive from ``netwright.backend.topology.problems.NetwrightError``.
"""

from netwright.backend.lazy_init import load_dbus_fast

# dbus-fast's package __init__ loads its bus, service and introspection layers (~13 ms): the
# engine imports this package on every apply and destroy, and needs the bus only when a
# NetworkManager is there to ask (client.NmClient.connect imports it then).
load_dbus_fast()
