"""The live host as a topology file (``netwright import``, D-Bus ImportHost): what
``backend/observe`` read, with NetworkManager's profile of each device it manages, written
as a file whose objects are all ``existing``.

``host_import`` (imports.py) is the entry point; ``to_topology`` converts an observation.
"""
