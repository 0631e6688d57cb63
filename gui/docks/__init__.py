"""The window's docks: palette, inspector, host NICs, problems, checks and leases. Import
``model``, ``link`` and ``canvas``; never a dialog or the window."""
