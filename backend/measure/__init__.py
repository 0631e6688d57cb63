"""Throughput between two namespaces of a deployed topology (``netwright measure``).

``iperf`` runs iperf3 (server in B's namespace, client in A's) and reads its JSON report;
``result`` is the typed result the CLI, the D-Bus method and the designer share.
"""
