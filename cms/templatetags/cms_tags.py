"""Template tags for blog pages: routes inside a blog index, absolute URLs, live fragments."""

from django import template
from django.conf import settings
from django.utils.safestring import mark_safe

register = template.Library()


@register.simple_tag
def blog_url(index, name: str, *args) -> str:
    """A URL inside the blog index's own routes (category, tag, author pages and feeds)."""
    if index is None:
        return "#"
    return index.url + index.reverse_subpage(name, args=args)


@register.filter
def absolute_url(url: str) -> str:
    return url if url.startswith(("http://", "https://")) else settings.SITE_URL + url


@register.simple_tag(takes_context=True)
def live_include(context, template_name: str, page) -> str:
    """Include a template that changes without a publish (fediverse reactions): the anonymous page
    cache stores it as a marker and renders it again on every hit (edge/page_cache.py)."""
    from django.template.loader import render_to_string

    from edge.page_cache import live_fragment_html, live_fragment_remember, live_template_allowed

    if not live_template_allowed(template_name):
        raise template.TemplateSyntaxError(f"{template_name} is not a registered live template")
    html = render_to_string(template_name, {"page": page})
    if page is None or page.pk is None:  # a preview of a page not saved yet is never cached
        return mark_safe(html)
    live_fragment_remember(template_name, page.pk, html)
    return mark_safe(live_fragment_html(template_name, page.pk, html))
