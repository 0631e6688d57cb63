"""Netwright's backend: the topology contract, the engine, the service, the client and the CLI.

pyroute2's package ``__init__`` imports every pyroute2 API; ``lazy_pyroute2`` defers it so the
engine and the daemon load only the pyroute2 modules they use (installed here, before any of
them imports pyroute2).
"""

from netwright.backend import lazy_pyroute2

lazy_pyroute2.install()
