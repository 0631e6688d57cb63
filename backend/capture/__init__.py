"""Packet capture: an AF_PACKET socket inside an interface's namespace, written as pcapng.

``engine.capture`` is the core (no D-Bus, no topology): the daemon and ``netwright capture
--local`` call it with a file descriptor the caller opened, so root never opens a user's path.
``bpf`` compiles a filter expression with tcpdump's own compiler; ``pcapng`` writes the blocks.
The package itself imports nothing, so a client can import ``errors`` without the socket code.
"""
