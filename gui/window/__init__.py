"""The main window: it assembles the canvas, docks and dialogs and connects them to undo
commands and backend calls. The top layer; only ``netwright.gui.app`` imports it."""
