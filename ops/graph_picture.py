"""One picture for every graph staff look at (behaviors, state machines): nodes, edges, counts as SVG.

It knows nothing of flows or states: callers hand it node names, labelled edges, and per node a few
counts ("running": 2, "failed": 1); it lays the nodes out in columns and draws them with the counts
under each box. So social's behaviors and any other app's state graphs share one look, and this module
imports none of our apps (an import-linter contract in pyproject.toml keeps it so).
"""

import itertools
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

BOX_W, BOX_H, COL_GAP, ROW_GAP, PAD, LANE, COUNT_LINE = 130, 40, 80, 30, 20, 8, 15
TAKEN, IDLE, TEXT, FAILED = "#1d6f42", "#9aa5b1", "#1f2933", "#b42318"
# Colours for the usual count labels; any other label is drawn in the text colour.
COUNT_COLOURS = {
    "running": "#1c5d99",
    "pending": "#1c5d99",
    "failed": FAILED,
    "done": TAKEN,
    "succeeded": TAKEN,
    "refused": "#8a5a00",
}

NOW = "now"  # the line under the `current` node
Edge = tuple[str, str, str]  # (from, label, to)
Counts = Mapping[str, Mapping[str, int]]  # node -> {label: how many}


def graph_columns(nodes: Sequence[str], edges: Iterable[tuple[str, str, str]]) -> list[list[str]]:
    """Columns for a left-to-right drawing: each node at its longest distance from the first node.

    An edge back to a node already on the way (a retry loop in a state machine) is left out of the
    layout, so cycles are drawn too; nodes nothing reaches go in the first column.
    """
    outgoing: dict[str, list[str]] = {name: [] for name in nodes}
    for source, _, target in edges:
        outgoing.setdefault(source, []).append(target)
        outgoing.setdefault(target, [])
    order: list[str] = []  # reverse post-order of a depth-first walk: a topological order minus back edges
    on_path: set[str] = set()
    seen: set[str] = set()
    back: set[tuple[str, str]] = set()

    def visit(name: str) -> None:
        seen.add(name)
        on_path.add(name)
        for target in outgoing[name]:
            if target in on_path:
                back.add((name, target))
            elif target not in seen:
                visit(target)
        on_path.discard(name)
        order.append(name)

    for name in outgoing:
        if name not in seen:
            visit(name)
    order.reverse()
    depth = dict.fromkeys(outgoing, 0)
    for name in order:
        for target in outgoing[name]:
            if (name, target) not in back:
                depth[target] = max(depth[target], depth[name] + 1)
    columns: list[list[str]] = [[] for _ in range(max(depth.values(), default=0) + 1)]
    for name in outgoing:  # the caller's order within a column
        columns[depth[name]].append(name)
    return columns


def _count_lines(node_counts: Mapping[str, int]) -> list[tuple[str, int]]:
    return [(label, n) for label, n in node_counts.items() if n]


def graph_svg(
    columns: Sequence[Sequence[str]],
    edges: Iterable[Edge],
    *,
    title: str,
    counts: Counts | None = None,
    path: Sequence[str] = (),
    terminal: Collection[str] = (),
    count_url: Callable[[str, str], str | None] | None = None,
    css_class: str = "graph-picture",
    failure: Collection[str] = (),
    current: str = "",
) -> SafeString:
    """The graph as an inline SVG that scales to its container (a viewBox, no width or height).

    `path` (node names in order) is drawn bold, edge by edge; `terminal` nodes are drawn round;
    `counts` are written under each node, each a link when `count_url(node, label)` gives one;
    `failure` nodes (a state machine's failure state) are drawn red, with the class `failure`;
    the `current` node (where one row rests now) gets a dark double outline and "now" under it.
    """
    counts = counts or {}
    if current:
        counts = {**counts, current: {**counts.get(current, {}), NOW: 1}}
    lines = max((len(_count_lines(counts.get(name, {}))) for column in columns for name in column), default=0)
    row_h = BOX_H + ROW_GAP + lines * COUNT_LINE
    rows = max((len(column) for column in columns), default=1)
    width = PAD * 2 + len(columns) * BOX_W + (len(columns) - 1) * COL_GAP
    height = PAD * 2 + rows * row_h - ROW_GAP + 60
    position: dict[str, tuple[int, int]] = {}
    for col, names in enumerate(columns):
        offset = (rows - len(names)) * row_h / 2
        for row, name in enumerate(names):
            position[name] = (PAD + col * (BOX_W + COL_GAP), int(PAD + 30 + offset + row * row_h))
    column_of = {name: col for col, names in enumerate(columns) for name in names}
    taken = set(itertools.pairwise(path))
    visited = set(path)

    parts = [
        # No width or height: the viewBox alone lets CSS scale the picture to its container, so it
        # fits a phone and stays sharp when zoomed.
        f'<svg xmlns="http://www.w3.org/2000/svg" class="{escape(css_class)}" role="img" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="13">',
        f"<title>{escape(title)}</title>",
        "<defs>"
        f'<marker id="arrow-idle" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="9" markerHeight="9" '
        f'markerUnits="userSpaceOnUse" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="{IDLE}"/></marker>'
        f'<marker id="arrow-taken" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="9" markerHeight="9" '
        f'markerUnits="userSpaceOnUse" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="{TAKEN}"/></marker>'
        "</defs>",
    ]
    drawn = []
    arcs = 0
    for source, label, target in edges:
        (x1, y1), (x2, y2) = position[source], position[target]
        start, end = (x1 + BOX_W, y1 + BOX_H / 2), (x2, y2 + BOX_H / 2)
        if column_of[target] <= column_of[source]:
            # An edge back (a retry loop) leaves the top of its box and comes down onto its target's.
            start, end = (x1 + BOX_W / 2, y1), (x2 + BOX_W / 2, y2)
            curve = f"C{start[0]},{LANE} {end[0]},{LANE} {end[0]},{end[1]}"
            label_at = ((start[0] + end[0]) / 2, (start[1] + 3 * LANE) / 4 + 4)
        elif column_of[target] - column_of[source] > 1:
            # An edge skipping columns arcs above or below the boxes rather than through them.
            lane = LANE if arcs % 2 == 0 else height - LANE
            arcs += 1
            curve = f"C{start[0] + 60},{lane} {end[0] - 60},{lane} {end[0]},{end[1]}"
            label_at = (
                (start[0] + end[0]) / 2,
                (start[1] + end[1] + 6 * lane) / 8 + (-4 if lane == LANE else 12),
            )
        else:
            mid_x = (start[0] + end[0]) / 2
            curve = f"C{mid_x},{start[1]} {mid_x},{end[1]} {end[0]},{end[1]}"
            label_at = (mid_x, (start[1] + end[1]) / 2 - 6)
        is_taken = (source, target) in taken
        colour, marker, stroke = (TAKEN, "arrow-taken", 3) if is_taken else (IDLE, "arrow-idle", 1.5)
        drawn.append(
            (
                is_taken,
                f'<path class="edge{" taken" if is_taken else ""}" data-from="{escape(source)}" '
                f'data-to="{escape(target)}" d="M{start[0]},{start[1]} {curve}" fill="none" '
                f'stroke="{colour}" stroke-width="{stroke}" marker-end="url(#{marker})"/>'
                f'<text x="{label_at[0]}" y="{label_at[1]}" text-anchor="middle" fill="{colour}" '
                f'font-size="11">{escape(label)}</text>',
            )
        )
    # Taken edges last, so the path is drawn on top.
    parts.extend(markup for _, markup in sorted(drawn, key=lambda item: item[0]))
    for name, (x, y) in position.items():
        parts.append(
            _node(
                name,
                x,
                y,
                name in visited,
                name in terminal,
                counts.get(name, {}),
                count_url,
                is_failure=name in failure,
                is_current=name == current,
            )
        )
    parts.append("</svg>")
    if any("<a href=" in part for part in parts):
        # Links inside: a group of links with a title, not one image (role="img" would hide the
        # links from screen readers; axe-core: nested-interactive).
        parts[0] = parts[0].replace('role="img"', 'role="group"', 1)
    return mark_safe("".join(parts))


def _node(
    name: str,
    x: int,
    y: int,
    is_visited: bool,
    is_terminal: bool,
    node_counts: Mapping[str, int],
    count_url: Callable[[str, str], str | None] | None,
    *,
    is_failure: bool = False,
    is_current: bool = False,
) -> str:
    fill, stroke = ("#e3f4ea", TAKEN) if is_visited else ("#ffffff", IDLE)
    if is_failure:
        fill, stroke = "#fdecea", FAILED
    classes = "node" + (" visited" if is_visited else "") + (" failure" if is_failure else "")
    classes += " current" if is_current else ""
    markup = [
        f'<g class="{classes}" data-node="{escape(name)}">',
    ]
    if is_current:  # an outer ring: told apart from the visited boxes without relying on colour
        markup.append(
            f'<rect x="{x - 5}" y="{y - 5}" width="{BOX_W + 10}" height="{BOX_H + 10}" '
            f'rx="{(BOX_H + 10) / 2 if is_terminal else 9}" fill="none" stroke="{TEXT}" stroke-width="2"/>'
        )
    markup += [
        f'<rect x="{x}" y="{y}" width="{BOX_W}" height="{BOX_H}" rx="{BOX_H / 2 if is_terminal else 6}" '
        f'fill="{fill}" stroke="{stroke}" stroke-width="{2.5 if is_visited or is_failure else 1.5}"/>',
        f'<text x="{x + BOX_W / 2}" y="{y + BOX_H / 2 + 4}" text-anchor="middle" fill="{TEXT}">'
        f"{escape(name)}</text>",
    ]
    for index, (label, n) in enumerate(_count_lines(node_counts)):
        if label == NOW:
            markup.append(
                f'<text class="now" x="{x + BOX_W / 2}" y="{y + BOX_H + 19 + index * COUNT_LINE}" '
                f'text-anchor="middle" font-size="13" font-weight="700" fill="{TEXT}">{NOW}</text>'
            )
            continue
        text = (
            f'<text class="count" data-label="{escape(label)}" x="{x + BOX_W / 2}" '
            f'y="{y + BOX_H + 14 + index * COUNT_LINE}" text-anchor="middle" font-size="13" '
            f'font-weight="600" fill="{COUNT_COLOURS.get(label, TEXT)}">{n} {escape(label)}</text>'
        )
        url = count_url(name, label) if count_url else None
        markup.append(f'<a href="{escape(url)}">{text}</a>' if url else text)
    markup.append("</g>")
    return "".join(markup)
