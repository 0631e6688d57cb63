"""What operations come back with: the result types and the errors of apply, destroy, plan.

The engine produces them, the D-Bus service maps them to JSON and error names, and the client
rebuilds the very same classes from those. Living below all three, this package imports
nothing but the topology's problems (no engine, pyroute2, D-Bus or pydantic), so the CLI and
the GUI read a backend's answers without loading the engine.
"""
