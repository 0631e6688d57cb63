"""The canvas: the scene (a view of the document), its items and wires, the graphics view, the
automatic layout, the theme's colours and the PNG/SVG export. Imports ``model`` only."""
