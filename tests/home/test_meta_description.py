"""Search engines get a description of every page that has one to give (Lighthouse: meta-description)."""

import re

import pytest
from oscar.core.loading import get_model


def _description(html: str) -> str:
    found = re.search(r'<meta name="description" content="([^"]*)">', html)
    assert found, "no meta description"
    return found.group(1).strip()


@pytest.mark.parametrize("path", ["/", "/about/", "/blog/nettle-soup/"])
def test_page_without_search_description_describes_itself_from_intro_or_summary(client, seeded, path):
    assert _description(client.get(path).content.decode()) != ""


def test_product_page_describes_the_product(client, seeded):
    product = get_model("catalogue", "Product").objects.get(upc="RA-HONEY")
    assert "honey" in _description(client.get(product.get_absolute_url()).content.decode()).lower()
