"""Every name the daemon, its clients and its packaging files must agree on, in one place.

The bus name, object path and interface carry the API version (``Backend1``); a change that
breaks callers gets ``Backend2`` instead of an edit here. The polkit action ids match
``polkit/io.netwright.policy`` and the error names match the introspection XML under
``packaging/dbus/``; tests compare both with this module.
"""

from __future__ import annotations

from typing import Final

BUS_NAME: Final = "io.netwright.Backend1"
OBJECT_PATH: Final = "/io/netwright/Backend1"
INTERFACE: Final = "io.netwright.Backend1"

#: The version of the D-Bus API, published as the ``Version`` property.
API_VERSION: Final = "1.20"

ACTION_INSPECT: Final = "io.netwright.inspect"
ACTION_CHECK: Final = "io.netwright.check"
ACTION_APPLY: Final = "io.netwright.apply"
ACTION_DESTROY: Final = "io.netwright.destroy"
ACTION_PERSIST: Final = "io.netwright.persist"
#: Read every network namespace of the host, other users' containers included (ImportHost).
ACTION_OBSERVE: Final = "io.netwright.observe"
#: Capture an interface's packets (other users' traffic): administrators by default.
ACTION_CAPTURE: Final = "io.netwright.capture"
#: Hand objects Netwright did not create to a topology (Adopt), so destroy deletes them.
ACTION_ADOPT: Final = "io.netwright.adopt"
#: Change the machine's own forwarding, routes, NAT or firewall (an Apply of a design that does).
ACTION_HOST: Final = "io.netwright.host"
ALL_ACTIONS: Final = (ACTION_INSPECT, ACTION_CHECK, ACTION_APPLY, ACTION_DESTROY, ACTION_PERSIST,
                      ACTION_OBSERVE, ACTION_CAPTURE, ACTION_ADOPT, ACTION_HOST)

ERROR_PREFIX: Final = "io.netwright.Error."
ERROR_NOT_AUTHORIZED: Final = ERROR_PREFIX + "NotAuthorized"
ERROR_INVALID_TOPOLOGY: Final = ERROR_PREFIX + "InvalidTopology"
ERROR_INVALID_ARGUMENTS: Final = ERROR_PREFIX + "InvalidArguments"
ERROR_CONFLICT: Final = ERROR_PREFIX + "Conflict"
ERROR_KERNEL_UNSUPPORTED: Final = ERROR_PREFIX + "KernelUnsupported"
ERROR_BUSY: Final = ERROR_PREFIX + "Busy"
ERROR_CANCELLED: Final = ERROR_PREFIX + "Cancelled"
ERROR_NOT_FOUND: Final = ERROR_PREFIX + "NotFound"
ERROR_FAILED: Final = ERROR_PREFIX + "Failed"
ERROR_CONFIRMATION_REQUIRED: Final = ERROR_PREFIX + "ConfirmationRequired"
#: This netwrightd started before Netwright's files were replaced (an upgrade).
ERROR_OUTDATED: Final = ERROR_PREFIX + "Outdated"
#: This netwrightd is stopping (SIGTERM, idle, its files replaced): it starts no job now.
ERROR_STOPPING: Final = ERROR_PREFIX + "Stopping"

#: Topology text larger than this is refused before it is parsed (1 MiB, in UTF-8 bytes).
MAX_TOPOLOGY_BYTES: Final = 1024 * 1024

#: Where the lab daemon listens when the client starts it (under $XDG_RUNTIME_DIR or /tmp).
LAB_SOCKET_NAME: Final = "netwright-lab/bus"
