"""Where a topology's "host" is: the real machine, or a namespace playing the host (the lab).

The same topology can be deployed on the real host and in the lab at once, so the target also
decides the on-disk names of the topology's namespaces and where the state files live.
"""

from __future__ import annotations

from netwright.backend.outcomes.target_words import TargetKind
from netwright.backend.record import record

LAB_HOST_NETNS = "nwlab-host"
LAB_NETNS_PREFIX = "lab-"


@record(frozen=True)
class Target:
    """``host_netns`` None is the real root namespace; a name is a namespace playing the host.

    ``netns_prefix`` is put in front of every topology namespace name on disk
    (``/run/netns/<prefix><key>``): "" on the real host, ``lab-`` in the lab, so lab
    namespaces never collide with the lab's own (``nwlab-host``, ``nwlab-router``).
    """

    host_netns: str | None = None
    netns_prefix: str = ""

    @classmethod
    def host(cls) -> Target:
        """The real machine."""
        return cls()

    @classmethod
    def lab(cls) -> Target:
        """The emulated host built by ``netwright.backend.lab.build_lab``."""
        return cls(host_netns=LAB_HOST_NETNS, netns_prefix=LAB_NETNS_PREFIX)

    @property
    def kind(self) -> TargetKind:
        """``host`` (the real machine) or ``lab`` (a namespace playing the host): what
        ``--json`` and the D-Bus ``Target`` property call it (``target_words`` words it)."""
        return "host" if self.host_netns is None else "lab"

    @property
    def key(self) -> str:
        """A short name for the target, used as the state sub-directory."""
        return "host" if self.host_netns is None else self.host_netns

    def netns_name(self, namespace: str | None) -> str | None:
        """The on-disk namespace name for a topology namespace key (None = the host)."""
        if namespace is None:
            return self.host_netns
        return self.netns_prefix + namespace
