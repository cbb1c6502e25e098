"""Template helpers for what every page shares: the <title>."""

import re

from django import template

register = template.Library()

# The separators page templates put between title parts: ours ("·") and Oscar's ("|").
SEPARATOR = re.compile(r"\s*(?:[|·])\s*")
JOIN = " · "


@register.filter(is_safe=True)
def title_tidy(value: str, site_name: str = "") -> str:
    """ "Title · Site", whatever the templates' blocks made of it: one separator between parts, none
    leading, trailing or doubled, no part twice, the site's name last (and once).

    Oscar's templates write `{{ title }} | {{ block.super }}`, and the base block is empty on pages
    with no Wagtail `page`, which left "Basket | · Site" and " · Site"."""
    parts: list[str] = []
    for part in SEPARATOR.split(" ".join(str(value).split())):
        if part and part not in parts:
            parts.append(part)
    if site_name:
        parts = [part for part in parts if part != site_name] + [site_name]
    return JOIN.join(parts)
