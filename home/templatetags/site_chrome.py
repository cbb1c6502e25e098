"""Template helpers for what every page shares: the <title>, the menus, the basket count, the account menu."""

import re

from django import template
from django.utils.safestring import mark_safe

from home import navigation

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


@register.simple_tag(takes_context=True)
def main_menu(context) -> str:
    request = context.get("request")
    return mark_safe(navigation.menu_html(request, "main")) if request else ""


@register.simple_tag(takes_context=True)
def footer_menu(context) -> str:
    request = context.get("request")
    return mark_safe(navigation.menu_html(request, "footer")) if request else ""


@register.simple_tag(takes_context=True)
def basket_link(context) -> str:
    request = context.get("request")
    return mark_safe(navigation.basket_link_html(request)) if request else ""


@register.simple_tag(takes_context=True)
def account_menu(context) -> str:
    request = context.get("request")
    return mark_safe(navigation.account_menu_html(request)) if request else ""
