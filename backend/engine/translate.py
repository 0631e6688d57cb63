"""Kernel errors as sentences that name the object and suggest the fix.

pyroute2 (and netlink) only say ``EEXIST`` or ``Operation not supported``; a user needs
"an interface named ipvlan1 already exists in namespace net1 and does not belong to this
topology". The sentence depends on the errno and on what the step was doing.
"""

from __future__ import annotations

import errno
import os

from netwright.backend.engine import ops
from netwright.backend.engine.desired import KIND_MODULES
from netwright.backend.outcomes.results import Step
from netwright.backend.topology.validate_limits import MAX_BRIDGE_PORTS, SPLIT_THE_BRIDGE


def explain(step: Step, code: int, kernel_message: str = "", where_text: str = "") -> str:
    """A sentence for errno ``code`` raised by ``step``."""
    op = step.op
    where = f" in {where_text}" if where_text else ""
    detail = f" (kernel: {kernel_message})" if kernel_message else ""
    if code in (errno.EPERM, errno.EACCES):
        return ("permission denied: applying a topology needs root (CAP_NET_ADMIN and"
                " CAP_SYS_ADMIN); run as root, through the Netwright service, or with --lab")
    if isinstance(op, ops.LinkCreate) and op.spec is not None:
        spec = op.spec
        if code == errno.EEXIST:
            return (f"an interface named {spec.name} (or its peer) already exists{where} and"
                    " does not belong to this topology; rename it in the topology or remove"
                    " the existing one")
        if code in (errno.EOPNOTSUPP, errno.ENOTSUP) or "Unknown device type" in kernel_message:
            module = KIND_MODULES.get(spec.kind, spec.kind)
            return f"this kernel has no {spec.kind} support (module {module})"
        if code == errno.ENODEV:
            return (f"the parent {spec.parent} of {spec.name} does not exist; create it or"
                    " change 'parent'")
        if code == errno.EBUSY:
            return (f"{spec.parent or spec.name} is busy: a macvlan or ipvlan cannot sit on a"
                    " bridge port, and a NIC in passthru mode takes only one child")
        if code == errno.EINVAL:
            return (f"the kernel refused the settings of {spec.kind} {spec.name}"
                    f" (MTU above its parent's, or a mode the parent cannot take){detail}")
    if isinstance(op, ops.LinkSet):
        if code == errno.EBUSY:
            return (f"{op.name} is busy: it may already be a port of another bridge, or carry"
                    " a macvlan/ipvlan child")
        if code == errno.ENODEV:
            return f"{op.name} or its bridge does not exist{where}"
        if code == errno.EINVAL and op.mtu is not None:
            return f"MTU {op.mtu} is out of range for {op.name} (at most its parent's){detail}"
        if code == errno.ENOTCONN:
            return f"{op.name} cannot come up before its veth peer exists{detail}"
        if code == errno.EXFULL and op.master:
            return (f"bridge {op.master}{where} already has {MAX_BRIDGE_PORTS:,} ports, the most"
                    f" the kernel gives a bridge (BR_MAX_PORTS), so {op.name} cannot join it"
                    f" (ports the design does not name count too): {SPLIT_THE_BRIDGE}")
    if isinstance(op, ops.AddrAdd) and code == errno.EEXIST:
        return f"{op.name} already has address {op.cidr}{where}"
    if isinstance(op, ops.RouteAdd) and op.route is not None:
        route = op.route.text()
        if code == errno.EEXIST:
            return f"{route} already exists{where} (added by hand?); remove it or change metric"
        if code in (errno.ENETUNREACH, errno.EHOSTUNREACH, errno.EINVAL):
            return (f"the gateway of {route} is not on any link{where}: add an address in its"
                    " subnet to an interface there, and make sure that interface is up")
        if code == errno.ENODEV:
            return f"the device of {route} does not exist{where}"
    if isinstance(op, ops.NetnsCreate) and code == errno.EEXIST:
        return (f"a namespace named {op.where} already exists and does not belong to this"
                " topology; rename the namespace or remove it by hand")
    if isinstance(op, ops.SysctlSet):
        return (f"cannot set {op.key} = {op.value}{where}: {os.strerror(code)}"
                f" (the key may not exist on this kernel){detail}")
    return f"{os.strerror(code)}{detail}"
