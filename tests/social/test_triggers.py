"""The default triggers fire once per transition: pure, no database."""

import pytest

from social.triggers import LIVE, NONE, PageEvent, PageLifecycleTriggers


@pytest.mark.parametrize(
    ("kind", "private", "state", "expected"),
    [
        ("published", False, NONE, ("publish", LIVE)),
        ("published", True, NONE, ("publish", LIVE)),
        ("published", False, LIVE, ("update", LIVE)),
        ("published", True, LIVE, ("delete", NONE)),
        ("unpublished", False, LIVE, ("delete", NONE)),
        ("deleted", False, LIVE, ("delete", NONE)),
        ("unpublished", False, NONE, None),
        ("deleted", False, NONE, None),
        # reported by a page's app (events): changes outside a publish, and a cancelled event
        ("changed", False, LIVE, ("update", LIVE)),
        ("changed", True, LIVE, ("delete", NONE)),
        ("changed", False, NONE, None),
        ("cancelled", False, LIVE, ("delete", NONE)),
        ("cancelled", False, NONE, None),
        # what a source with no publish of its own (a scheduler event) now is
        ("saved", False, NONE, ("publish", LIVE)),
        ("saved", False, LIVE, ("update", LIVE)),
        ("saved", True, LIVE, ("delete", NONE)),
        ("saved", True, NONE, None),
        # a product whose stock alone changed: only crossing zero counts
        ("stocked", False, NONE, ("publish", LIVE)),
        ("stocked", False, LIVE, None),
        ("stocked", True, LIVE, ("delete", NONE)),
        ("stocked", True, NONE, None),
    ],
)
def test_triggers_transition_decides_behavior(kind, private, state, expected):
    decision = PageLifecycleTriggers().decide(PageEvent(kind, "page:1", private), state)
    assert (decision and (decision.behavior, decision.new_state)) == expected
