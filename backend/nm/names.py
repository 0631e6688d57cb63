"""NetworkManager's D-Bus names and numbers, in one place (as firewalld keeps its own).

Values are NM's public API (``nm-dbus-interface.h``); only the ones Netwright uses are here.
"""

from __future__ import annotations

from typing import Final

BUS_NAME: Final = "org.freedesktop.NetworkManager"
PATH: Final = "/org/freedesktop/NetworkManager"
SETTINGS_PATH: Final = "/org/freedesktop/NetworkManager/Settings"

IFACE: Final = "org.freedesktop.NetworkManager"
IFACE_SETTINGS: Final = "org.freedesktop.NetworkManager.Settings"
IFACE_CONNECTION: Final = "org.freedesktop.NetworkManager.Settings.Connection"
IFACE_DEVICE: Final = "org.freedesktop.NetworkManager.Device"
IFACE_ACTIVE: Final = "org.freedesktop.NetworkManager.Connection.Active"
IFACE_IP4: Final = "org.freedesktop.NetworkManager.IP4Config"
IFACE_IP6: Final = "org.freedesktop.NetworkManager.IP6Config"
IFACE_PROPERTIES: Final = "org.freedesktop.DBus.Properties"

NO_OBJECT: Final = "/"

# Settings.AddConnection2 flags
ADD_TO_DISK: Final = 0x1
ADD_BLOCK_AUTOCONNECT: Final = 0x20
# Settings.Connection.Update2 flags
UPDATE_TO_DISK: Final = 0x1

# CheckpointCreate flags
CHECKPOINT_DELETE_NEW_CONNECTIONS: Final = 0x02
CHECKPOINT_DISCONNECT_NEW_DEVICES: Final = 0x04
CHECKPOINT_ALLOW_OVERLAPPING: Final = 0x08
# CheckpointRollback result per device
ROLLBACK_OK: Final = 0

# NMDeviceType values that matter here
DEVICE_TYPE_WIFI: Final = 2
DEVICE_TYPE_NAMES: Final = {
    1: "ethernet", 2: "wifi", 10: "bond", 11: "vlan", 13: "bridge", 14: "generic",
    16: "tun", 17: "ip-tunnel", 18: "macvlan", 19: "vxlan", 20: "veth", 22: "dummy",
    32: "loopback", 33: "hsr", 34: "ipvlan",
}

# NMDeviceState
DEVICE_STATE_UNMANAGED: Final = 10
DEVICE_STATE_UNAVAILABLE: Final = 20
DEVICE_STATE_DISCONNECTED: Final = 30
DEVICE_STATE_PREPARE: Final = 40
DEVICE_STATE_ACTIVATED: Final = 100
DEVICE_STATE_FAILED: Final = 120

# NMActiveConnectionState
ACTIVE_ACTIVATING: Final = 1
ACTIVE_ACTIVATED: Final = 2
ACTIVE_DEACTIVATING: Final = 3
ACTIVE_DEACTIVATED: Final = 4

# NMActivationStateFlags
ACTIVATION_IS_MASTER: Final = 0x1
ACTIVATION_LAYER2_READY: Final = 0x4
ACTIVATION_MASTER_HAS_SLAVES: Final = 0x20

# Marks on the profiles Netwright owns.
PROFILE_PREFIX: Final = "netwright-"
USER_DATA_TOPOLOGY: Final = "netwright.topology"
USER_DATA_KEY: Final = "netwright.key"
USER_DATA_DIGEST: Final = "netwright.digest"
