"""A behavior's graph as SVG, optionally with the path one flow took or the flows at each step. Pure.

The drawing itself is ops.graph_picture's, shared with every other graph staff look at.
"""

from collections.abc import Callable, Mapping, Sequence

from django.utils.safestring import SafeString

from ops.graph_picture import graph_svg
from social.behaviors.graph import END, Behavior


def behavior_svg(
    behavior: Behavior,
    path: Sequence[str] = (),
    finished: bool = False,
    *,
    counts: Mapping[str, Mapping[str, int]] | None = None,
    count_url: Callable[[str, str], str | None] | None = None,
) -> SafeString:
    """Columns by distance from the start, END last. `path` (step names in order) is drawn bold;
    `finished` also marks the last step's edge to END as taken; `counts` go under each step."""
    return graph_svg(
        behavior.layers() + [[END]],
        behavior.edges(),
        title=f"{behavior.name} behavior",
        counts=counts,
        path=[*path, END] if finished and path else path,
        terminal=(END,),
        count_url=count_url,
        css_class="behavior-graph graph-picture",
    )
