"""{% graph_picture %}: draw a graph (nodes in columns, labelled edges, counts per node) in a template."""

from collections.abc import Iterable, Mapping, Sequence

from django import template
from django.utils.safestring import SafeString

from ops.graph_picture import graph_columns, graph_svg

register = template.Library()


@register.simple_tag
def graph_picture(
    nodes: Sequence[str],
    edges: Iterable[tuple[str, str, str]],
    counts: Mapping[str, Mapping[str, int]] | None = None,
    title: str = "graph",
    path: Sequence[str] = (),
    terminal: Sequence[str] = (),
    failure: Sequence[str] = (),
    urls: Mapping[str, Mapping[str, str]] | None = None,
    css_class: str = "graph-picture",
    current: str = "",
) -> SafeString:
    """`{% graph_picture nodes edges counts title="delivery states" %}`: columns are laid out here,
    so a state machine (cycles and all) needs only its states and transitions. `urls` (node -> label
    -> address) makes counts links: a template cannot hand over a function."""
    edges = list(edges)
    links = urls or {}
    return graph_svg(
        graph_columns(nodes, edges),
        edges,
        title=title,
        counts=counts,
        path=path,
        terminal=terminal,
        failure=failure,
        count_url=lambda node, label: links.get(node, {}).get(label),
        css_class=css_class,
        current=current,
    )
