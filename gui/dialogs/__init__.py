"""The window's dialogs: the plan preview and the change-on-trial countdown. Import the layers
below them, never a dock or the window."""
