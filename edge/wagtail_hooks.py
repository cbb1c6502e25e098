"""Wagtail hooks for the edge: the page types the front door shares (FRONT_DOOR_SHARED_PAGES)."""

from wagtail import hooks

from edge.front_door import front_door_share_page

hooks.register("before_serve_page", front_door_share_page)
