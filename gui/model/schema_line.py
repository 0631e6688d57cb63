"""The editor's schema modeline (``# yaml-language-server: $schema=PATH``) when a file moves.

A relative PATH is read from the file's own folder, so a copy saved elsewhere (an example
saved to the user's home) would point at nothing and the editor would lose completion and
checks. Saving to another folder rewrites a relative PATH to reach the same schema file from
the new one; if the old PATH already reached nothing (an installed example), it points at the
installed schema (what ``netwright schema`` prints). A URL, an absolute path or a PATH that
leads nowhere with no installed schema to offer is the user's and is left exactly as written.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

MODELINE = re.compile(r"^(?P<head>#\s*yaml-language-server:.*?\$schema=)(?P<ref>\S+)", re.M)
SCHEMA_NAME = "netwright-topology.schema.json"
INSTALLED_SCHEMAS = (Path("/usr/share/netwright") / SCHEMA_NAME,
                     Path("/usr/local/share/netwright") / SCHEMA_NAME)


def moved_schema_line(text: str, old_file: str | os.PathLike[str],
                      new_file: str | os.PathLike[str]) -> str:
    """``text`` as it should read once saved as ``new_file`` instead of ``old_file``: e.g.
    ``$schema=../packaging/netwright-topology.schema.json`` in ``/repo/examples/a.yaml``
    saved as ``/repo/mine/deep/a.yaml`` becomes ``$schema=../../packaging/…``; saved as
    ``/home/u/a.yaml`` (nothing shared but ``/``), the schema's absolute path."""
    found = MODELINE.search(text)
    if found is None or not str(old_file):
        return text
    ref = found["ref"]
    old_dir = Path(os.path.abspath(old_file)).parent
    new_dir = Path(os.path.abspath(new_file)).parent
    if "://" in ref or os.path.isabs(ref) or old_dir == new_dir:
        return text
    schema = Path(os.path.normpath(old_dir / ref))
    if not schema.is_file():
        installed = [p for p in INSTALLED_SCHEMAS if p.name == schema.name and p.is_file()]
        if not installed:
            return text
        schema = installed[0]
    shared = os.path.commonpath([schema, new_dir])
    moved = os.path.relpath(schema, new_dir) if shared != os.path.sep else str(schema)
    return f"{text[:found.start('ref')]}{moved}{text[found.end('ref'):]}"
