"""Template tags for federation: likes, boosts and approved replies under a post."""

from django import template

from .. import display
from ..selectors import post_reactions as post_reactions_select

register = template.Library()


@register.simple_tag
def post_reactions(page) -> dict:
    """Reactions for a page federated as "page:<id>" (the key the behavior DAG uses)."""
    if page is None or getattr(page, "pk", None) is None:
        return {"likes": 0, "shares": 0, "comments": []}
    return post_reactions_select(f"page:{page.pk}")


@register.filter
def remote_html(value: str, words: int | None = None):
    """`{{ reply.content|remote_html }}`: remote HTML rendered through the one sanitiser (display.py)."""
    return display.remote_html(value, words=words)
