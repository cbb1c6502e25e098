"""The behavior graph drawn as SVG, with a flow's path highlighted: pure, no database."""

import re
from xml.etree import ElementTree

from social.behaviors import behavior_get
from social.diagram import behavior_svg


def taken_edges(svg: str) -> set[tuple[str, str]]:
    return set(re.findall(r'class="edge taken" data-from="(\w+)" data-to="(\w+)"', svg))


def test_behavior_svg_well_formed_with_every_step_and_end():
    svg = str(behavior_svg(behavior_get("publish")))
    root = ElementTree.fromstring(svg)
    steps = {node.get("data-node") for node in root.iter("{http://www.w3.org/2000/svg}g")}
    assert steps == {"validate", "forget", "compose", "route", "notify", "deliver", "end"}
    assert taken_edges(svg) == set()


def test_behavior_svg_highlights_path_taken_including_end_when_finished():
    path = ["validate", "compose", "route", "notify", "deliver"]
    svg = str(behavior_svg(behavior_get("publish"), path, finished=True))
    assert taken_edges(svg) == {
        ("validate", "compose"),
        ("compose", "route"),
        ("route", "notify"),
        ("notify", "deliver"),
        ("deliver", "end"),
    }
    assert 'class="node visited" data-node="notify"' in svg
    assert 'class="node" data-node="forget"' in svg


def test_behavior_svg_unfinished_flow_does_not_reach_end():
    svg = str(behavior_svg(behavior_get("publish"), ["validate", "compose"], finished=False))
    assert taken_edges(svg) == {("validate", "compose")}
    assert 'class="node" data-node="end"' in svg
