"""A malformed Content-Length is a 400 on every path, never a 500 from middleware that parses it."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/account/login/", "/shop/basket/", "/ap/inbox", "/blog/"])
@pytest.mark.parametrize("length", ["abc", " ", "1e3", "-5", "٣"])
def test_malformed_content_length_is_400_everywhere(client, path, length):
    response = client.generic("POST", path, b"x=1", content_type="text/plain", CONTENT_LENGTH=length)
    assert response.status_code == 400


def test_wellformed_content_length_passes(client):
    response = client.generic("POST", "/account/login/", b"", CONTENT_LENGTH="0")
    assert response.status_code != 400 or b"Content-Length" not in response.content
