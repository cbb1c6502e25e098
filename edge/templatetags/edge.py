"""Template filters for remote content: `{{ url|safe_url }}` in every href/src, `{{ url|remote_link:text }}`,
`{{ html|remote_html }}`. Nothing another server sent is rendered as a link unless it is http(s)."""

from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe

from edge.sanitise import first_url, html_sanitise

register = template.Library()


@register.filter
def safe_url(value) -> str:
    """An http(s) URL from remote data, or "" (use with `default`/`if` so nothing unsafe becomes a link)."""
    return first_url(value)


@register.filter
def remote_link(value, text=None) -> SafeString:
    """`<a href=url>text</a>` when the URL is http(s), else the text alone (`{{ url|remote_link:name }}`)."""
    url = first_url(value)
    label = value if text in (None, "") else text
    if not url:
        return conditional_escape(label if isinstance(label, str) else str(label or ""))
    return format_html('<a href="{}" rel="nofollow noopener noreferrer" target="_blank">{}</a>', url, label)


@register.filter
def remote_html(value) -> SafeString:
    """Remote HTML sanitised again at render time: rows stored under older rules are shown safely too."""
    return mark_safe(html_sanitise(value))  # the sanitiser's output is safe markup
