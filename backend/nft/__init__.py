"""nftables: the tables a design owns, built as libnftables JSON and sent through its binding."""
