"""The shared graph picture: any graph (cycles too) laid out in columns, counts under nodes. Pure."""

import re
from xml.etree import ElementTree

from django.template import Context, Template

from ops.graph_picture import graph_columns, graph_svg

# A delivery-like state machine with a retry loop back to "queued".
STATES = ["queued", "sending", "backoff", "delivered", "dead"]
TRANSITIONS = [
    ("queued", "claim", "sending"),
    ("sending", "2xx", "delivered"),
    ("sending", "5xx", "backoff"),
    ("backoff", "due", "queued"),
    ("backoff", "give up", "dead"),
]


def test_graph_columns_lays_out_a_state_machine_with_a_retry_loop():
    assert graph_columns(STATES, TRANSITIONS) == [["queued"], ["sending"], ["backoff", "delivered"], ["dead"]]


def test_graph_svg_writes_nonzero_counts_under_nodes_with_links():
    svg = str(
        graph_svg(
            graph_columns(STATES, TRANSITIONS),
            TRANSITIONS,
            title="delivery <states>",
            counts={"queued": {"running": 3, "failed": 0}, "dead": {"failed": 2}},
            terminal=("delivered", "dead"),
            count_url=lambda node, label: f"/deliveries/?state={node}&x=1" if node == "dead" else None,
        )
    )
    root = ElementTree.fromstring(svg)  # well-formed: the title was escaped
    assert root.get("class") == "graph-picture" and root.get("width") is None
    assert re.findall(r'data-node="(\w+)">', svg) == STATES
    assert re.findall(r'class="count" data-label="(\w+)"[^>]*>([^<]+)<', svg) == [
        ("running", "3 running"),
        ("failed", "2 failed"),
    ]
    assert '<a href="/deliveries/?state=dead&amp;x=1"><text class="count" data-label="failed"' in svg
    assert 'data-from="backoff" data-to="queued"' in svg  # the loop back is drawn


def test_graph_picture_template_tag_draws_from_nodes_and_edges():
    html = Template("{% load graph_picture %}{% graph_picture nodes edges counts title='t' %}").render(
        Context({"nodes": STATES, "edges": TRANSITIONS, "counts": {"sending": {"running": 1}}})
    )
    assert html.startswith("<svg") and ">1 running</text>" in html


def test_graph_picture_tag_failure_node_marked_and_counts_linked():
    from ops.templatetags.graph_picture import graph_picture

    svg = graph_picture(
        ["pending", "done", "failed"],
        [("pending", "", "done"), ("pending", "", "failed")],
        {"failed": {"row": 1}, "done": {"rows": 2}},
        failure=["failed"],
        urls={"failed": {"row": "/rows/?state=failed"}},
    )
    assert '<g class="node failure" data-node="failed">' in svg
    assert '<g class="node" data-node="done">' in svg
    assert '<a href="/rows/?state=failed"><text class="count" data-label="row"' in svg
    assert "2 rows</text></g>" in svg  # no address for it: plain text


def test_graph_svg_with_links_is_a_group_without_an_image():
    columns = graph_columns(STATES, TRANSITIONS)
    counts = {"dead": {"failed": 2}}
    linked = graph_svg(columns, TRANSITIONS, title="t", counts=counts, count_url=lambda node, label: "/x/")
    plain = graph_svg(columns, TRANSITIONS, title="t", counts=counts)
    # An image hides what is inside it: its links would be lost to screen readers (nested-interactive).
    assert ElementTree.fromstring(str(linked)).get("role") == "group"
    assert ElementTree.fromstring(str(plain)).get("role") == "img"


def test_graph_svg_current_node_ringed_and_marked_now_on_its_path():
    svg = str(
        graph_svg(
            graph_columns(STATES, TRANSITIONS),
            TRANSITIONS,
            title="one delivery",
            path=["queued", "sending", "backoff"],
            current="backoff",
        )
    )
    ElementTree.fromstring(svg)  # well-formed
    assert '<g class="node visited current" data-node="backoff">' in svg
    assert svg.count('class="now"') == 1 and svg.count(" current") == 1
    assert 'class="edge taken" data-from="sending" data-to="backoff"' in svg
