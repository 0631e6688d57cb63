"""The canvas scene: draws the document and turns gestures into typed requests.

The scene never edits the document. It observes it (``content_changed`` → ``sync``,
``layout_changed`` → positions, ``problems_changed`` → badges) and reports what the user did
through signals: create this kind here, wire these two ports, move these items, move this
interface into that namespace. The window turns each request into one undo command, which
changes the document, which the scene then draws: one direction of data, as in Qt's
diagramscene minus its weakness (its items are the data).
"""

from __future__ import annotations

import contextlib
import itertools
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from PySide6.QtCore import QLineF, QMimeData, QPoint, QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QPen
from PySide6.QtWidgets import (
    QApplication,
    QGraphicsItem,
    QGraphicsLineItem,
    QGraphicsRectItem,
    QGraphicsScene,
    QGraphicsSceneContextMenuEvent,
    QGraphicsSceneDragDropEvent,
    QGraphicsSceneMouseEvent,
    QGraphicsView,
)

from netwright.backend.topology.problems import Problem
from netwright.gui.canvas.detour import BoxIndex
from netwright.gui.canvas.free_spot import clear_ahead, clear_offset
from netwright.gui.canvas.graph_layout import LayoutUnavailableError, dot_positions
from netwright.gui.canvas.items import (
    BoxItem,
    BridgeItem,
    DeviceItem,
    Endpoint,
    HostFrameItem,
    KeyedItem,
    NamespaceItem,
    NodeItem,
    PortItem,
    box_shape,
)
from netwright.gui.canvas.layout import auto_positions
from netwright.gui.canvas.reveal import SELECTION_MARGIN, reveal_in
from netwright.gui.canvas.room import room_shifts
from netwright.gui.canvas.rule_marks import RuleMarks
from netwright.gui.canvas.theme import Theme, current_theme
from netwright.gui.canvas.wire_labels import sync_wire_labels
from netwright.gui.canvas.wires import DETAIL_LOD, WireItem, WireLayer
from netwright.gui.model.document import Edit, TopologyDocument
from netwright.gui.model.edits import Wire, drawn_wires, position
from netwright.gui.model.leases import LeaseInfo
from netwright.gui.model.snapshot import Snapshot

KIND_MIME = "application/x-netwright-kind"
GRID = 20.0
DRAG_THRESHOLD = 6.0
SCENE_MARGIN = 1500.0
DOT_ON_OPEN = 300  # a file without positions and up to this many boxes opens laid out by dot
DOT_ON_OPEN_TIMEOUT_S = 5.0
STACK_PROBE = 60.0  # how far above or below a NIC another box counts as stacked on it


def key_of_path(path: Iterable[object]) -> str | None:
    """The canvas key a problem path points at (``interfaces.ipvlan1.mode`` → ``ipvlan1``)."""
    parts = list(path)
    if len(parts) >= 2 and parts[0] in ("interfaces", "namespaces", "layout"):
        return str(parts[1])
    if len(parts) >= 3 and parts[:2] == ["host", "nics"]:
        return str(parts[2])
    return None


class TopologyScene(QGraphicsScene):
    """Views of one ``TopologyDocument``; emits what the user asks for."""

    create_requested = Signal(str, object, QPointF)  # kind, namespace (None = host), position
    wire_requested = Signal(str, str)  # from key, to key
    # interface, namespace (None = host), pos, the drag that moved it there (0: none)
    reparent_requested = Signal(str, object, QPointF, int)
    # interface, host bridge it was dropped on, the drag that moved it there (0: none)
    join_requested = Signal(str, str, int)
    nodes_moved = Signal(int, dict)  # drag id, {key: (x, y)}
    file_dropped = Signal(str)
    refused = Signal(str)  # a gesture that cannot work, with the reason
    context_requested = Signal(object, QPoint)  # a key, a Wire or None (the host); screen pos

    def __init__(self, document: TopologyDocument, theme: Theme | None = None) -> None:
        super().__init__()
        self.document = document
        self.theme = theme or current_theme()
        self.snap = True
        self.placing = False  # an item goes where the document says: not snapped (``place``)
        self.nodes: dict[str, NodeItem] = {}
        self.wires: dict[Wire, WireItem] = {}
        self._wires_by_key: dict[str, list[WireItem]] = defaultdict(list)
        self.frame = HostFrameItem(self.theme)
        self.addItem(self.frame)
        self.rule_marks = RuleMarks(self)
        self.wire_layer = WireLayer(self.theme, self.wires.values, self.nodes.values)
        self.addItem(self.wire_layer)
        self.detail = True
        self._frame_pending = False
        self._drag_ids = itertools.count(1)
        self._drag_id = 0
        self._press_positions: dict[str, QPointF] = {}
        self._anchor: str | None = None  # the item a drag took hold of (``snapped_move``)
        # where items the file does not place were drawn (guessed): an Undo of their first
        # move takes their position out of the file again and puts them back there
        self._guessed_at: dict[str, tuple[float, float]] = {}
        self._dragging = False  # the pointer left the press's place on the screen
        self._wire_from: Endpoint | None = None
        self._wire_line: QGraphicsLineItem | None = None
        self._port_drag: PortItem | None = None
        self._port_press = QPointF()
        self._ghost: QGraphicsRectItem | None = None
        self._nudge_id = 0
        self.leases: dict[str, LeaseInfo] = {}
        self._guessed: tuple[Snapshot, list[str], dict[str, tuple[float, float]]] | None = None
        self._stacked_cache: dict[tuple[str, bool], bool] = {}
        self._boxes: BoxIndex | None = None  # while every wire is routed
        self._many_moving = self._rerouted_all = False
        self.setItemIndexMethod(QGraphicsScene.ItemIndexMethod.BspTreeIndex)
        document.content_changed.connect(self.sync)
        document.replaced.connect(self._on_replaced)
        document.layout_changed.connect(self._on_layout_changed)
        # what the badges show for the document's problems: the window adds those only the
        # backend's facts see (a kernel without ipvlan); each edit's redraw dropped them
        self.problems_of: Callable[[list[Problem]], list[Problem]] = lambda found: found
        document.problems_changed.connect(self._on_problems)
        document.selection_wanted.connect(self.select_keys)  # an undo step's items
        document.make_room = self.room_edits  # a box an edit made taller pushes, not overlaps
        self.selectionChanged.connect(self._on_selection)
        self.sync()
        self.set_problems(document.problems)

    # -- drawing the document -------------------------------------------------------------

    def sync(self) -> None:
        """Bring the items in line with the document: add, update and remove by key.

        The selection is kept by key: an item drawn anew (moved into another namespace,
        given another kind) stays selected, and listeners hear of the selection once, at the
        end, only if it really changed (the inspector keeps its form and its focus).
        """
        selected = (set(self.selected_keys()), set(self.selected_wires()))
        blocked = self.blockSignals(True)
        try:
            self._sync_items()
            for key in selected[0]:
                item = self.item_for(key)
                if item is not None and not item.isSelected():
                    item.setSelected(True)
        finally:
            self.blockSignals(blocked)
        if (set(self.selected_keys()), set(self.selected_wires())) != selected:
            self.selectionChanged.emit()

    def _sync_items(self) -> None:
        snapshot = self.document.snapshot
        wanted: dict[str, type[NodeItem]] = {}
        for key in snapshot.nics:
            wanted[key] = DeviceItem
        for key in snapshot.namespaces:
            wanted[key] = NamespaceItem
        for key in snapshot.interfaces_in(None):
            if snapshot.host_bridge_of(key) is None:
                wanted.setdefault(key, BridgeItem if snapshot.kind_of(key) == "bridge"
                                  else DeviceItem)
        for key in list(self.nodes):
            shown = self.nodes[key]
            stale = key not in wanted or type(shown) is not wanted[key] or (
                isinstance(shown, DeviceItem) and shown.kind != snapshot.kind_of(key))
            if stale:
                self._remove_node(key)
        missing = [k for k in wanted if k not in self.nodes and k not in snapshot.layout]
        guessed = self._guess(snapshot, missing) if missing else {}
        for key, cls in wanted.items():
            item = self.nodes.get(key)
            if item is None:
                item = DeviceItem(key, self.theme, snapshot.kind_of(key)) \
                    if cls is DeviceItem else cls(key, self.theme)
                self.nodes[key] = item
                item.setFlag(QGraphicsItem.GraphicsItemFlag.ItemHasNoContents, not self.detail)
                x, y = snapshot.layout.get(key) or guessed.get(key, (0.0, 0.0))
                if key not in snapshot.layout:
                    self._guessed_at[key] = (x, y)
                item.setPos(x, y)
                self.addItem(item)
            item.set_view(snapshot.label_of(key), snapshot.kind_of(key), snapshot.addresses_of(key))
            if isinstance(item, BoxItem):
                ports = snapshot.interfaces_in(key) if isinstance(item, NamespaceItem) \
                    else snapshot.bridge_ports.get(key, [])
                item.set_ports([(k, snapshot.label_of(k), snapshot.kind_of(k),
                                 snapshot.addresses_of(k)) for k in ports])
                if not self.detail:
                    for port in item.ports.values():
                        port.setVisible(False)
        self._sync_wires(snapshot)
        self._on_problems(self.document.problems)
        self._show_leases()
        self.frame.title = f"host — {snapshot.name}" if snapshot.name else "host"
        self.rule_marks.sync()
        self._schedule_frame()

    def room_edits(self, before: Snapshot) -> list[Edit]:
        """Layout edits that keep the boxes drawn taller than in ``before`` (a port added)
        off their neighbours: it grows where there is room, else what it meets moves down
        (``room``). The items are already drawn at their new size."""
        grown: dict[str, float] = {}
        placed = set(before.placed_keys())
        for key, node in self.nodes.items():
            if isinstance(node, BoxItem) and key in placed:
                height = box_shape(before, key).height
                if node.shape().boundingRect().height() > height:
                    grown[key] = height
        if not grown:
            return []
        rects = {key: node.mapRectToScene(node.shape().boundingRect())
                 for key, node in self.nodes.items()}
        shifts = room_shifts(rects, grown, GRID if self.snap else 0.0)
        return [Edit(("layout", key), position(self.nodes[key].x(), self.nodes[key].y() + dy))
                for key, dy in sorted(shifts.items())]

    def _on_replaced(self) -> None:
        """Another document: the same keys may sit elsewhere in it."""
        self.sync()
        snapshot = self.document.snapshot
        missing = [k for k in self.nodes if k not in snapshot.layout]
        guessed = self._guess(snapshot, missing) if missing else {}
        self._guessed_at = {key: guessed.get(key, (self.nodes[key].x(), self.nodes[key].y()))
                            for key in missing}
        moved = False
        with self._moving_many():
            for key, item in self.nodes.items():
                x, y = snapshot.layout.get(key) or guessed.get(key, (item.x(), item.y()))
                if item.pos() != QPointF(x, y):
                    self.place(item, x, y)
                    moved = True
        if moved:
            self._reroute_devices()

    def _guess(self, snapshot: Snapshot, missing: list[str]) -> dict[str, tuple[float, float]]:
        """Positions for items the file does not place. A file with no positions at all (up
        to DOT_ON_OPEN items) is laid out by dot, as Arrange Automatically would (shown, not
        written to the file); otherwise, or without dot, new items go below the others."""
        cached = self._guessed
        if cached is not None and cached[0] is snapshot and cached[1] == missing:
            return cached[2]
        placed = snapshot.placed_keys()
        guessed: dict[str, tuple[float, float]] | None = None
        if not snapshot.layout and len(missing) == len(placed) <= DOT_ON_OPEN:
            try:
                guessed = dot_positions(snapshot, lambda key: box_shape(snapshot, key),
                                        timeout=DOT_ON_OPEN_TIMEOUT_S, grid=self.grid())
            except LayoutUnavailableError:
                guessed = None  # the simple placement below still shows everything
        if guessed is None:
            guessed = auto_positions(snapshot, missing)
        self._guessed = (snapshot, list(missing), guessed)
        return guessed

    def _remove_node(self, key: str) -> None:
        item = self.nodes.pop(key)
        self._guessed_at.pop(key, None)
        self.removeItem(item)

    def _sync_wires(self, snapshot: Snapshot) -> None:
        self._stacked_cache.clear()
        wanted = set(drawn_wires(snapshot))
        for ident in list(self.wires):
            if ident not in wanted:
                self.removeItem(self.wires.pop(ident))
        for ident in wanted:
            if ident not in self.wires:
                wire = WireItem(*ident, self.wire_layer)
                self.wires[ident] = wire
                self.addItem(wire)
        self._wires_by_key = defaultdict(list)
        self._boxes = BoxIndex(self._node_rects())  # once for every wire routed here
        for wire in self.wires.values():
            self._wires_by_key[wire.a].append(wire)
            self._wires_by_key[wire.b].append(wire)
            self._route(wire)
        self._boxes = None
        sync_wire_labels(self.wires.values(), snapshot, self.theme)
        self.wire_layer.invalidate()

    def endpoint(self, key: str) -> Endpoint | None:
        node = self.nodes.get(key)
        if isinstance(node, DeviceItem | BridgeItem):
            return node
        container = self.document.snapshot.container_of(key)
        box = self.nodes.get(container) if container else None
        if isinstance(box, BoxItem):
            return box.ports.get(key)
        return None

    def owner_of(self, key: str) -> str | None:
        """The placed item an endpoint is drawn in (itself, its namespace or its bridge)."""
        if key in self.nodes:
            return key
        return self.document.snapshot.container_of(key)

    def item_for(self, key: str) -> KeyedItem | None:
        node = self.nodes.get(key)
        if node is not None:
            return node
        endpoint = self.endpoint(key)
        return endpoint if isinstance(endpoint, KeyedItem) else None

    def _route(self, wire: WireItem) -> None:
        a, b = self.endpoint(wire.a), self.endpoint(wire.b)
        if a is None or b is None:
            wire.hide()
            return
        snapshot = self.document.snapshot
        if wire.relation == "master" and snapshot.host_bridge_of(wire.a) == wire.b:
            wire.hide()  # a port drawn inside its bridge: the box says it already
            return
        wire.show()
        # Two ports of one box: both leave on the right, and the wire bulges out beside it.
        side = 1 if self.owner_of(wire.a) == self.owner_of(wire.b) else 0
        start, out = self._attach(a, _centre(b), side)
        end, into = self._attach(b, _centre(a), side)
        own = {self.owner_of(wire.a), self.owner_of(wire.b)}
        boxes = self._boxes if self._boxes is not None else BoxIndex(self._node_rects())
        wire.set_route(start, out, end, into, lambda area: boxes.near(area, own))

    def _node_rects(self) -> dict[str, QRectF]:
        """Each placed item's box in scene coordinates: what a wire must not cross."""
        return {key: node.mapRectToScene(node.shape().boundingRect())
                for key, node in self.nodes.items()}

    def _attach(self, end: Endpoint, towards: QPointF, side: int) -> tuple[QPointF, QPointF]:
        """Where a wire leaves ``end``; a NIC or host interface whose top or bottom is right
        against another box (NICs stacked by the layout) sends it out sideways instead, so
        it does not run through its neighbour."""
        point, direction = end.attach(towards, side)
        if isinstance(end, DeviceItem) and direction.x() == 0 \
                and self._stacked(end, direction.y() > 0):
            centre = end.scenePos().x()
            point, direction = end.attach(towards, 1 if towards.x() >= centre else -1)
        return point, direction

    def _stacked(self, device: DeviceItem, below: bool) -> bool:
        known = self._stacked_cache.get((device.key, below))
        if known is None:
            rect = device.mapRectToScene(device.shape().boundingRect())
            probe = QRectF(rect.center().x() - 1, rect.bottom() if below else
                           rect.top() - STACK_PROBE, 2, STACK_PROBE)
            # The boxes themselves, not the scene's index: that one may not hold boxes added
            # in this very sync yet.
            known = any(node is not device and probe.intersects(
                node.mapRectToScene(node.shape().boundingRect()))
                for node in self.nodes.values())
            self._stacked_cache[(device.key, below)] = known
        return known

    def node_moved(self, node: NodeItem) -> None:
        """An item moved (drag, undo, layout): its wires and the host frame follow."""
        self._stacked_cache.clear()
        if self._many_moving:
            self._rerouted_all = True  # every wire once, when all are where they go
        else:  # a drag moves this on every mouse move: the boxes are measured once for it
            self._boxes = BoxIndex(self._node_rects())
            try:
                routed: set[int] = set()
                for key in (node.key, *node.port_keys()):
                    for wire in self._wires_by_key.get(key, ()):
                        self._route(wire)
                        routed.add(id(wire))
                # other wires it now lies across go round it; a detour it left may straighten
                rect = node.mapRectToScene(node.shape().boundingRect())
                for wire in self.wires.values():
                    if id(wire) not in routed and wire.isVisible() and (
                            (wire.curved and wire.path.elementCount() > 4)
                            or wire.boundingRect().intersects(rect)):
                        self._route(wire)
            finally:
                self._boxes = None
        if not self.detail:  # zoomed out, the boxes are painted by the wire layer
            self.wire_layer.invalidate()
        self._schedule_frame()

    def _on_selection(self) -> None:
        if not self.detail:
            self.wire_layer.invalidate()

    def _schedule_frame(self) -> None:
        if not self._frame_pending:
            self._frame_pending = True
            QTimer.singleShot(0, self, self.update_frame)  # not after the scene is gone

    def update_frame(self) -> None:
        self._frame_pending = False
        rect = QRectF()
        for item in self.nodes.values():
            rect = rect.united(item.sceneBoundingRect())
        for label in self.rule_marks.live_labels():  # written beside an uplink at the edge
            rect = rect.united(label.sceneBoundingRect())
        if rect.isNull():
            rect = QRectF(-200, -120, 400, 240)
        self.frame.set_rect(rect)
        self.rule_marks.place_host_badge()
        self.wire_layer.set_rect(self.frame.rect())
        # Room around the drawing, so the view can centre any item and new items have space.
        self.setSceneRect(self.frame.rect().adjusted(-SCENE_MARGIN, -SCENE_MARGIN,
                                                     SCENE_MARGIN, SCENE_MARGIN))

    @contextlib.contextmanager
    def full_detail(self, badges: bool = True) -> Iterator[None]:
        """For exports: every item paints itself, in full, as vectors (no pixmap caches);
        without the problem badges unless ``badges`` (a picture for a document or a slide
        should not carry the designer's warnings)."""
        shown = {item: item.badge for item in self._keyed_items()}
        if not badges:
            for item in shown:
                item.set_badge(None)
        detail = self.detail
        self.set_detail(1.0)
        cached = [each for each in self.items()
                  if each.cacheMode() != QGraphicsItem.CacheMode.NoCache]
        for each in cached:
            each.setCacheMode(QGraphicsItem.CacheMode.NoCache)
        try:
            yield
        finally:
            for each in cached:
                each.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
            self.set_detail(1.0 if detail else 0.0)
            for item, badge in shown.items():
                item.set_badge(badge)

    def set_detail(self, zoom: float) -> None:
        """Zoomed out, ports are not drawn at all (not even asked to paint)."""
        detail = zoom >= DETAIL_LOD
        if detail == self.detail:
            return
        self.detail = detail
        for node in self.nodes.values():
            node.setFlag(QGraphicsItem.GraphicsItemFlag.ItemHasNoContents, not detail)
            if isinstance(node, NamespaceItem):
                for port in node.ports.values():
                    port.setVisible(detail)

    def _on_layout_changed(self, keys: list[str]) -> None:
        layout = self.document.snapshot.layout
        guessed: dict[str, tuple[float, float]] | None = None
        with self._moving_many(len(keys) > 1):
            for key in keys:
                item = self.nodes.get(key)
                if item is None:
                    continue
                if key in layout:
                    x, y = layout[key]
                elif key in self._guessed_at:  # an undo of its first move: where it was
                    x, y = self._guessed_at[key]
                else:  # the position was removed, never guessed here: the automatic one
                    if guessed is None:
                        guessed = auto_positions(self.document.snapshot, [key])
                    x, y = guessed.get(key, (item.x(), item.y()))
                if item.pos() != QPointF(x, y):
                    self.place(item, x, y)
        if len(keys) > 1:
            self._reroute_devices()
        self.rule_marks.place_labels()  # a NAT label moves aside from a box moved onto it

    @contextlib.contextmanager
    def _moving_many(self, many: bool = True) -> Iterator[None]:
        """Many items moved at once (a file, Arrange, an undo): the wires that must go round
        a box are routed once at the end, not once per item moved (N × wires)."""
        if not many or self._many_moving:
            yield
            return
        self._many_moving, self._rerouted_all = True, False
        try:
            yield
        finally:
            self._many_moving = False
        if self._rerouted_all:
            self._boxes = BoxIndex(self._node_rects())
            for wire in self.wires.values():
                self._route(wire)  # hidden ones too: a wire shown again has its route
            self._boxes = None

    def _reroute_devices(self) -> None:
        """After many boxes moved at once (Arrange, undo, a new file), the wires of NICs and
        host interfaces again, now that every neighbour is where it goes (``_attach``)."""
        self._stacked_cache.clear()
        for key, node in self.nodes.items():
            if isinstance(node, DeviceItem):
                for wire in self._wires_by_key.get(key, ()):
                    self._route(wire)

    def _on_problems(self, problems: list[Problem]) -> None:
        self.set_problems(self.problems_of(problems))

    def set_problems(self, problems: list[Problem]) -> None:
        """Badge every item a problem points at; errors win over warnings."""
        worst: dict[str, str] = {}
        for problem in problems:
            key = key_of_path(problem.path)
            if key is not None and worst.get(key) != "error":
                worst[key] = problem.severity
        for item in self._keyed_items():
            item.set_badge(worst.get(item.key))

    def set_leases(self, leases: dict[str, LeaseInfo]) -> None:
        """Show each ``dhcp`` interface's lease (from the deployment's status) on its item;
        kept, so items drawn later (an edit, an undo) show theirs too."""
        self.leases = dict(leases)
        self._show_leases()

    def _show_leases(self) -> None:
        for item in self._keyed_items():
            item.set_lease(self.leases.get(item.key))

    def _keyed_items(self) -> Iterable[KeyedItem]:
        """Every node and every port: a namespace's and a host bridge's alike (a bridge
        port's problem had no badge, its lease no label)."""
        for node in self.nodes.values():
            yield node
            if isinstance(node, BoxItem):
                yield from node.ports.values()

    def set_wire_results(self, results: dict[Wire, str | None]) -> None:
        """Colour wires after a check (None clears)."""
        for ident, wire in self.wires.items():
            wire.set_result(results.get(ident))

    def set_theme(self, theme: Theme) -> None:
        """Follow a light/dark palette switch without rebuilding the scene."""
        self.theme = theme
        for item in self.items():
            if hasattr(item, "theme"):
                item.theme = theme
                item.update()
        self.wire_layer.invalidate()

    # -- selection ------------------------------------------------------------------------

    def selected_keys(self) -> list[str]:
        return [item.key for item in self.selectedItems() if isinstance(item, KeyedItem)]

    def selected_wires(self) -> list[Wire]:
        return [item.ident for item in self.selectedItems() if isinstance(item, WireItem)]

    def select_keys(self, keys: Iterable[str], wires: Iterable[Wire] = ()) -> None:
        """Select exactly these items (and wires); keys no longer drawn are skipped."""
        self.clearSelection()
        for key in keys:
            item = self.item_for(key)
            if item is not None:
                item.setSelected(True)
        for wire in wires:
            line = self.wires.get(wire)
            if line is not None:
                line.setSelected(True)

    def place(self, item: NodeItem, x: float, y: float) -> None:
        """``item`` where the document says, exactly: a layout off the grid (a star's leaves
        level with their bridge's ports, 36 units apart) stays as written, as it is when
        the file is opened; only the user's own moves snap."""
        self.placing = True
        try:
            item.setPos(x, y)
        finally:
            self.placing = False

    def grid(self) -> float:
        """The grid items snap to: GRID, or 0 when snapping is off."""
        return GRID if self.snap else 0.0

    def snapped(self, value: QPointF) -> QPointF:
        if not self.snap:
            return value
        return QPointF(round(value.x() / GRID) * GRID, round(value.y() / GRID) * GRID)

    def snapped_move(self, key: str, value: QPointF) -> QPointF:
        """Where the user's drag puts item ``key`` when Qt asks for ``value``: the whole
        selection moves by one offset, the one that puts the item taken hold of on the grid,
        so a group keeps its shape. Each item snapped on its own broke it: a star's leaves,
        36 units apart level with their ports, came out 40 or 20 apart."""
        start = self._press_positions.get(key)
        anchor = self._press_positions.get(self._anchor or "")
        if start is None or anchor is None:
            return self.snapped(value)
        return start + self.snapped(anchor + value - start) - anchor

    # -- gestures -------------------------------------------------------------------------

    def namespace_at(self, pos: QPointF) -> str | None:
        for item in self.items(pos):
            if isinstance(item, NamespaceItem):
                return item.key
        return None

    def box_at(self, pos: QPointF) -> str | None:
        """The topmost box (a namespace or a host bridge) under ``pos``."""
        for item in self.items(pos):
            if isinstance(item, BoxItem):
                return item.key
        return None

    def endpoint_at(self, pos: QPointF) -> Endpoint | None:
        for item in self.items(pos):
            if isinstance(item, PortItem | DeviceItem | BridgeItem):
                return item
        return None

    def begin_wire(self, source: Endpoint, pos: QPointF) -> None:
        self._wire_from = source
        pen = QPen(self.theme.selection, 2, Qt.PenStyle.DashLine)
        self._wire_line = self.addLine(QLineF(pos, pos), pen)
        self._wire_line.setZValue(20)

    def begin_port_drag(self, port: PortItem, pos: QPointF) -> None:
        self._port_drag = port
        self._port_press = QPointF(pos)

    def mousePressEvent(self, event: QGraphicsSceneMouseEvent) -> None:  # noqa: N802
        self._dragging = False
        super().mousePressEvent(event)
        self._drag_id = next(self._drag_ids)
        self._press_positions = {
            item.key: item.pos() for item in self.selectedItems() if isinstance(item, NodeItem)
        }
        self._anchor = self._held_node()

    def _held_node(self) -> str | None:
        """The selected item the press took hold of (a box's port or label counts as its
        box), None when it took hold of none."""
        item = self.mouseGrabberItem()
        while item is not None and not isinstance(item, NodeItem):
            item = item.parentItem()
        return item.key if isinstance(item, NodeItem) and item.key in self._press_positions \
            else None

    def mouseMoveEvent(self, event: QGraphicsSceneMouseEvent) -> None:  # noqa: N802
        if event.buttons() != Qt.MouseButton.NoButton and not self._dragging:
            if not _left_its_place(event):
                event.accept()  # a press, still: a layout change moved the scene, not the hand
                return
            self._dragging = True
        if self._wire_line is not None:
            self._wire_line.setLine(QLineF(self._wire_line.line().p1(), event.scenePos()))
            return
        if self._port_drag is not None:
            self._move_ghost(event.scenePos())
            return
        super().mouseMoveEvent(event)
        self._report_moves()

    def mouseReleaseEvent(self, event: QGraphicsSceneMouseEvent) -> None:  # noqa: N802
        if self._wire_line is not None:
            self._finish_wire(event.scenePos())
        elif self._port_drag is not None:
            self._finish_port_drag(event.scenePos())
        self._report_moves()
        dropped = self._device_dropped_on_box(event.scenePos())
        cleared = self._clear_of_others() if dropped is None and self._dragging else {}
        self._press_positions = {}
        super().mouseReleaseEvent(event)
        if cleared:  # the same drag id: one undo step with the move
            self.nodes_moved.emit(self._drag_id, cleared)
        if event.buttons() == Qt.MouseButton.NoButton:
            self._dragging = False
            self._settle()
        if dropped is not None:  # after the gesture: the item is replaced by a port
            key, box, pos = dropped
            if isinstance(self.nodes.get(box), BridgeItem):
                self.join_requested.emit(key, box, self._drag_id)
            else:
                self.reparent_requested.emit(key, box, pos, self._drag_id)

    def _device_dropped_on_box(self, pos: QPointF) -> tuple[str, str, QPointF] | None:
        """An interface standing in the host, dragged alone and let go over a namespace's
        box, goes into it (as a port dragged out of its box goes to the host); let go over a
        bridge's box, it becomes one of its ports. It used to stay in the host, drawn over
        the box. NICs and bridges only move. Returns (interface, box, where)."""
        moved = [key for key, start in self._press_positions.items()
                 if (item := self.nodes.get(key)) is not None and item.pos() != start]
        if not self._dragging or len(moved) != 1:
            return None
        key = moved[0]
        snapshot = self.document.snapshot
        if not isinstance(self.nodes[key], DeviceItem) or key not in snapshot.interfaces:
            return None
        target = self.box_at(pos)
        if target is None or target == snapshot.container_of(key):
            return None
        return key, target, self.snapped(pos)

    def _clear_of_others(self) -> dict[str, tuple[float, float]]:
        """Where the items just dragged go when one of them was let go on top of another
        item (it stayed there, the two drawn over each other): all of them together, by
        whole grid steps, to the free spot nearest where they were let go
        (``clear_offset``). Empty when they cover nothing. Any item: a host NIC let go on
        another NIC covered it as a box did. An interface dragged alone onto a box goes into
        it instead (``_device_dropped_on_box``)."""
        moved = {key: (item.x(), item.y()) for key, start in self._press_positions.items()
                 if (item := self.nodes.get(key)) is not None and item.pos() != start}
        covering = self._covering(moved)
        if covering is None:
            return {}
        offset = clear_offset(covering[0], covering[1], GRID)
        return {key: (x + offset.x(), y + offset.y()) for key, (x, y) in moved.items()}

    def _covering(self, moves: dict[str, tuple[float, float]]
                  ) -> tuple[list[QRectF], QRectF] | None:
        """The other items' boxes and the one around the items ``moves`` puts (key: its new
        position) when, there, they cover another item; None when they cover nothing."""
        others = self._node_rects()
        mine = []
        for key, (x, y) in moves.items():
            node = self.nodes[key]
            mine.append(others.pop(key).translated(x - node.x(), y - node.y()))
        if not any(rect.intersects(other) for rect in mine for other in others.values()):
            return None
        group = QRectF()
        for rect in mine:
            group = group.united(rect)
        return list(others.values()), group

    def _settle(self) -> None:
        """After a gesture, every item stands where the document says: a move that did not
        become an undo step (refused, or never reported) does not stay drawn."""
        layout = self.document.snapshot.layout
        for key, item in self.nodes.items():
            if key in layout and (item.x(), item.y()) != layout[key]:
                self.place(item, *layout[key])

    def _report_moves(self) -> None:
        moved = {key: (item.x(), item.y()) for key, start in self._press_positions.items()
                 if (item := self.nodes.get(key)) is not None and item.pos() != start}
        if moved:
            self.nodes_moved.emit(self._drag_id, moved)

    def _finish_wire(self, pos: QPointF) -> None:
        source = self._wire_from
        if self._wire_line is not None:
            self.removeItem(self._wire_line)
        self._wire_line, self._wire_from = None, None
        target = self.endpoint_at(pos)
        if source is None:
            return
        if target is None or target is source:
            self.refused.emit("drop the wire on another interface or NIC to connect them")
            return
        self.wire_requested.emit(source.key, target.key)

    def _move_ghost(self, pos: QPointF) -> None:
        port = self._port_drag
        if port is None:
            return
        if self._ghost is None:
            if QLineF(pos, self._port_press).length() < DRAG_THRESHOLD:
                return
            rect = port.boundingRect().adjusted(10, 10, -10, -10)
            self._ghost = self.addRect(rect, QPen(self.theme.selection, 1.5, Qt.PenStyle.DashLine))
            self._ghost.setZValue(30)
        self._ghost.setPos(pos)

    def _finish_port_drag(self, pos: QPointF) -> None:
        port, ghost = self._port_drag, self._ghost
        self._port_drag, self._ghost = None, None
        if ghost is not None:
            self.removeItem(ghost)
        if port is None or ghost is None:
            return  # a click, not a drag
        snapshot = self.document.snapshot
        target = self.box_at(pos)
        if target is not None and target == snapshot.container_of(port.key):
            return  # back in its own box
        if isinstance(self.nodes.get(target or ""), BridgeItem):
            self.join_requested.emit(port.key, target, 0)  # a port onto another bridge
            return
        if target == snapshot.namespace_of(port.key):
            return
        self.reparent_requested.emit(port.key, target, self.snapped(pos), 0)

    def contextMenuEvent(self, event: QGraphicsSceneContextMenuEvent) -> None:  # noqa: N802
        """Right-click: the item (or wire) under the pointer is selected and offered."""
        if event.reason() == QGraphicsSceneContextMenuEvent.Reason.Keyboard:
            self._keyboard_context_menu(event)
            return
        target: str | Wire | None = None
        for item in self.items(event.scenePos()):
            if isinstance(item, KeyedItem):
                target = item.key
                break
            if isinstance(item, WireItem):
                target = item.ident
                break
        if target is not None:
            picked = self.item_for(target) if isinstance(target, str) else self.wires.get(target)
            if picked is not None and not picked.isSelected():
                self.clearSelection()
                picked.setSelected(True)
        event.accept()
        self.context_requested.emit(target, event.screenPos())

    def _keyboard_context_menu(self, event: QGraphicsSceneContextMenuEvent) -> None:
        """The Menu key (or Shift+F10): the pointer may be anywhere, so the selection is what
        is offered, and the menu opens on it; with nothing selected, the host's menu opens
        where the key's event put it (the view's corner)."""
        event.accept()
        target: str | Wire | None = None
        picked: QGraphicsItem | None = None
        keys, wires = self.selected_keys(), self.selected_wires()
        if keys:
            target, picked = keys[0], self.item_for(keys[0])
        elif wires:
            target, picked = wires[0], self.wires.get(wires[0])
        viewport = event.widget()
        view = viewport.parentWidget() if viewport is not None else None
        if picked is None or not isinstance(view, QGraphicsView):
            self.context_requested.emit(target, event.screenPos())
            return
        # only as far as it needs: ensureVisible's margin took the design's far side out
        reveal_in(view, picked.sceneBoundingRect(), self.nodes.values(), SELECTION_MARGIN)
        place = view.mapFromScene(picked.sceneBoundingRect().center())
        self.context_requested.emit(target, view.viewport().mapToGlobal(place))

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        """The arrow keys move the selected items a grid step (one undo step a press, or a
        run of repeats); a step that would leave them on another item carries them on past
        it (``clear_ahead``), as a drop does not leave them there either."""
        steps = {Qt.Key.Key_Left: (-1, 0), Qt.Key.Key_Right: (1, 0),
                 Qt.Key.Key_Up: (0, -1), Qt.Key.Key_Down: (0, 1)}
        step = steps.get(Qt.Key(event.key()))
        nodes = [i for i in self.selectedItems() if isinstance(i, NodeItem)]
        if step is None or not nodes or (self.focusItem() is not None and not isinstance(
                self.focusItem(), NodeItem)):
            super().keyPressEvent(event)
            return
        if not event.isAutoRepeat() and self._nudge_id == 0:
            self._nudge_id = next(self._drag_ids)
        distance = GRID if self.snap else 1.0
        moved = {n.key: (n.x() + step[0] * distance, n.y() + step[1] * distance) for n in nodes}
        covering = self._covering(moved)
        if covering is not None:  # onto another item: on past it, in the same undo step
            ahead = clear_ahead(covering[0], covering[1], distance, QPointF(*step))
            moved = {key: (x + ahead.x(), y + ahead.y()) for key, (x, y) in moved.items()}
        self.nodes_moved.emit(self._nudge_id or next(self._drag_ids), moved)
        event.accept()

    def keyReleaseEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if not event.isAutoRepeat():
            self._nudge_id = 0
        super().keyReleaseEvent(event)

    # -- drops from the palette and the file manager ------------------------------------

    @staticmethod
    def _yaml_files(mime: QMimeData) -> list[str]:
        return [url.toLocalFile() for url in mime.urls()
                if url.isLocalFile() and Path(url.toLocalFile()).suffix in (".yaml", ".yml")]

    def dragEnterEvent(self, event: QGraphicsSceneDragDropEvent) -> None:  # noqa: N802
        mime = event.mimeData()
        if mime.hasFormat(KIND_MIME) or self._yaml_files(mime):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event: QGraphicsSceneDragDropEvent) -> None:  # noqa: N802
        self.dragEnterEvent(event)

    def dropEvent(self, event: QGraphicsSceneDragDropEvent) -> None:  # noqa: N802
        mime = event.mimeData()
        files = self._yaml_files(mime)
        if files:
            event.acceptProposedAction()
            self.file_dropped.emit(files[0])
            return
        if not mime.hasFormat(KIND_MIME):
            event.ignore()
            return
        kind = bytes(mime.data(KIND_MIME).data()).decode("utf-8")
        pos = self.snapped(event.scenePos())
        namespace = None if kind in ("namespace", "nic") else self.namespace_at(event.scenePos())
        event.acceptProposedAction()
        self.create_requested.emit(kind, namespace, pos)


def _left_its_place(event: QGraphicsSceneMouseEvent) -> bool:
    """The pointer moved on the screen, since the press, beyond the platform's drag distance.

    Screen positions, not scene positions: when a dock grows on selection the view shifts the
    scene under a still pointer, and Qt replays the last mouse event with the new scene
    position; only the hand moving on the screen makes a drag.
    """
    pressed = [b for b in (Qt.MouseButton.LeftButton, Qt.MouseButton.RightButton)
               if event.buttons() & b]
    if not pressed:
        return True
    start = event.buttonDownScreenPos(pressed[0])
    return (event.screenPos() - start).manhattanLength() >= QApplication.startDragDistance()


def _centre(endpoint: Endpoint) -> QPointF:
    if isinstance(endpoint, QGraphicsItem):
        return endpoint.sceneBoundingRect().center()
    return QPointF()


def kind_mime(kind: str) -> QMimeData:
    """The drag payload of a palette entry."""
    mime = QMimeData()
    mime.setData(KIND_MIME, kind.encode("utf-8"))
    mime.setText(kind)
    return mime
