"""One origin however it is spelt, and no origin where parsers disagree (origins.same_origin)."""

import pytest

from social.federation.origins import same_origin, url_origin

SAME = [
    ("https://Example.COM:443/users/a", "https://example.com/users/b"),  # case, default port
    ("HTTPS://example.com/a", "https://example.com/b"),  # scheme case
    ("https://example.com./a", "https://example.com/b"),  # the trailing dot of a full name
    ("https://example.com:0443/a", "https://example.com/b"),  # the same port, written longer
    ("https://evil@example.com/a", "https://example.com/b"),  # a user name: the host is still example.com
    ("https://ÉVIL.example/a", "https://xn--vil-9la.example/b"),  # an international name, both forms
    ("https://evil。example/a", "https://evil.example/b"),  # an ideographic full stop is a dot
    ("https://[::1]:443/a", "https://[::1]/b"),
]

DIFFERENT = [
    ("https://example.com@evil.example/a", "https://example.com/b"),  # example.com is the user name
    ("http://example.com/a", "https://example.com/b"),
    ("https://example.com:8443/a", "https://example.com/b"),
    ("https://ex%61mple.com/a", "https://example.com/b"),  # not decoded: no server answers to it
    ("https://example.com.evil.example/a", "https://example.com/b"),
]

NO_ORIGIN = [
    "https://evil.example\\@example.com/a",  # urllib3 connects to evil.example
    "https://example.com\\@evil.example/a",
    "https://example.com\\.evil.example/a",
    "https://exa mple.com/a",
    "https://example.com:443:443/a",
    "https://example.com:99999/a",
    "//example.com/a",
    "ftp://example.com/a",
    "https:///a",
    "",
    None,
]


@pytest.mark.parametrize(("first", "second"), SAME)
def test_one_origin_however_spelt(first, second):
    assert same_origin(first, second) and same_origin(second, first)


@pytest.mark.parametrize(("first", "second"), DIFFERENT)
def test_other_origins_are_other(first, second):
    assert not same_origin(first, second) and not same_origin(second, first)


@pytest.mark.parametrize("url", NO_ORIGIN)
def test_urls_with_no_origin_are_on_none(url):
    assert url_origin(url) is None
    assert not same_origin(url, url)  # not even its own: nothing may be trusted for it
