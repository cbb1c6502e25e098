"""Server-side SVG of a behavior's graph, optionally highlighting the path one flow took. Pure."""

import itertools
from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from social.behaviors.graph import END, Behavior

BOX_W, BOX_H, COL_GAP, ROW_GAP, PAD, LANE = 130, 40, 80, 30, 20, 8
TAKEN, IDLE, TEXT = "#1d6f42", "#9aa5b1", "#1f2933"


def behavior_svg(behavior: Behavior, path: Sequence[str] = (), finished: bool = False) -> SafeString:
    """Columns by distance from the start, END last. `path` (step names in order) is drawn bold;
    `finished` also marks the last step's edge to END as taken."""
    columns = behavior.layers() + [[END]]
    height_rows = max(len(column) for column in columns)
    width = PAD * 2 + len(columns) * BOX_W + (len(columns) - 1) * COL_GAP
    height = PAD * 2 + height_rows * BOX_H + (height_rows - 1) * ROW_GAP + 60
    position: dict[str, tuple[int, int]] = {}
    for col, names in enumerate(columns):
        offset = (height_rows - len(names)) * (BOX_H + ROW_GAP) / 2
        for row, name in enumerate(names):
            position[name] = (PAD + col * (BOX_W + COL_GAP), int(PAD + 30 + offset + row * (BOX_H + ROW_GAP)))

    taken = set(itertools.pairwise(path))
    if finished and path:
        taken.add((path[-1], END))
    visited = set(path) | ({END} if finished else set())

    parts = [
        # No width or height: the viewBox alone lets CSS scale the picture to its container
        # (static/css/behavior-graph.css), so it fits a phone and stays sharp when zoomed.
        f'<svg xmlns="http://www.w3.org/2000/svg" class="behavior-graph" role="img" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="13">',
        f"<title>{escape(behavior.name)} behavior</title>",
        "<defs>"
        f'<marker id="arrow-idle" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="9" markerHeight="9" '
        f'markerUnits="userSpaceOnUse" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="{IDLE}"/></marker>'
        f'<marker id="arrow-taken" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="9" markerHeight="9" '
        f'markerUnits="userSpaceOnUse" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="{TAKEN}"/></marker>'
        "</defs>",
    ]
    column_of = {name: col for col, names in enumerate(columns) for name in names}
    drawn = []
    skip_count = 0
    for source, outcome, target in behavior.edges():
        x1, y1 = position[source]
        x2, y2 = position[target]
        start = (x1 + BOX_W, y1 + BOX_H / 2)
        end = (x2, y2 + BOX_H / 2)
        if column_of[target] - column_of[source] > 1:
            # An edge skipping columns arcs above or below the boxes rather than through them.
            lane = LANE if skip_count % 2 == 0 else height - LANE
            skip_count += 1
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
        colour, marker, width_px = (TAKEN, "arrow-taken", 3) if is_taken else (IDLE, "arrow-idle", 1.5)
        drawn.append(
            (
                is_taken,
                f'<path class="edge{" taken" if is_taken else ""}" data-from="{escape(source)}" '
                f'data-to="{escape(target)}" d="M{start[0]},{start[1]} {curve}" fill="none" '
                f'stroke="{colour}" stroke-width="{width_px}" marker-end="url(#{marker})"/>'
                f'<text x="{label_at[0]}" y="{label_at[1]}" text-anchor="middle" fill="{colour}" '
                f'font-size="11">{escape(outcome)}</text>',
            )
        )
    # Taken edges last, so the path a flow took is drawn on top.
    parts.extend(markup for _, markup in sorted(drawn, key=lambda item: item[0]))
    for name, (x, y) in position.items():
        is_visited = name in visited
        fill, stroke = ("#e3f4ea", TAKEN) if is_visited else ("#ffffff", IDLE)
        shape = (
            f'<rect x="{x}" y="{y}" width="{BOX_W}" height="{BOX_H}" rx="{BOX_H / 2 if name == END else 6}" '
            f'fill="{fill}" stroke="{stroke}" stroke-width="{2.5 if is_visited else 1.5}"/>'
        )
        label = (
            f'<text x="{x + BOX_W / 2}" y="{y + BOX_H / 2 + 4}" text-anchor="middle" fill="{TEXT}">'
            f"{escape(name)}</text>"
        )
        parts.append(
            f'<g class="node{" visited" if is_visited else ""}" data-step="{escape(name)}">{shape}{label}</g>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))
