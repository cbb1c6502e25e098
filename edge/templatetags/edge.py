"""Template filters for remote content: `{{ url|safe_url }}` in every href/src, `{{ html|remote_html }}`."""

from django import template
from django.utils.safestring import SafeString, mark_safe

from edge.sanitise import first_url, html_sanitise

register = template.Library()


@register.filter
def safe_url(value) -> str:
    """An http(s) URL from remote data, or "" (use with `default`/`if` so nothing unsafe becomes a link)."""
    return first_url(value)


@register.filter
def remote_html(value) -> SafeString:
    """Remote HTML sanitised again at render time: rows stored under older rules are shown safely too."""
    return mark_safe(html_sanitise(value))  # the sanitiser's output is safe markup
