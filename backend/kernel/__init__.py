"""The kernel, one level above the system calls: network namespaces entered from a thread
(``netns``), batched route-netlink sockets (``netlink``), hand-packed messages (``encode``)
and one socket per namespace for a whole operation (``session.Kernel``).

The lowest layer that touches the network: observation (``backend/observe``), the engine,
NetworkManager's part and the captures build on it; it imports nothing of theirs.
"""
