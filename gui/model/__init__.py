"""The designer's data, without widgets: the document (topology + layout), its snapshot for
drawing, the undo commands and the edits they carry, fill-from-parent, host facts, leases and
the clipboard payload. The lowest layer: it imports nothing else of ``netwright.gui``."""
