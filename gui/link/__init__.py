"""The designer's link to a backend: the async calls on the Qt loop, the status refresher and
the static predictions. Imports ``model`` only."""
