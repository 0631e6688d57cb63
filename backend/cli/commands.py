"""Which module runs each command, and the line ``netwright --help`` shows for it.

``netwright COMMAND …`` builds the parser of COMMAND's module only; ``netwright --help``
(and a mistyped command's error) lists every command from this table without importing any
command module. tests/cli/test_cli_table.py checks the table against what the modules
register, so the two cannot drift apart.
"""

from __future__ import annotations

#: command → (module under netwright.backend.cli, its help line), in --help's order.
COMMANDS: dict[str, tuple[str, str]] = {
    "adopt": ("cmd_adopt",
              "make existing objects a deployed topology's own (destroy then removes them)"),
    "capture": ("cmd_capture", "capture an interface's packets into a pcapng file"),
    "check": ("cmd_check", "probe a deployed topology and explain every result"),
    "explain": ("cmd_check", "predict who reaches whom, without deploying"),
    "dhcp": ("cmd_dhcp", "DHCP leases of a deployment, and the lab's DHCP server"),
    "plan": ("cmd_engine", "show what apply would change"),
    "apply": ("cmd_engine", "make the network match a topology file"),
    "destroy": ("cmd_engine", "remove everything a deployed topology created"),
    "status": ("cmd_engine", "compare a deployment with the kernel (every deployment without"
               " NAME)"),
    "list": ("cmd_engine", "list deployed topologies"),
    "confirm": ("cmd_engine", "keep the change an apply left on trial (it touched the default"
                " route's device)"),
    "revert": ("cmd_engine", "restore, now, the configuration from before the apply on trial"),
    "export": ("cmd_export", "print the commands that build a topology"),
    "import": ("cmd_import",
               "make a topology file from the live host or Kubernetes (Multus) YAML"),
    "lab": ("cmd_lab", "start, stop or show this user's lab backend"),
    "measure": ("cmd_measure", "measure throughput between two namespaces (iperf3)"),
    "schema": ("cmd_schema", "print the JSON Schema of topology files"),
    "validate": ("cmd_validate", "check topology files"),
}
