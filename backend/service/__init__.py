"""netwrightd: the D-Bus skin over the engine.

The engine knows nothing of D-Bus; this package only translates D-Bus calls into engine calls
and engine errors into named D-Bus errors, after polkit (system mode) has said yes.
"""
