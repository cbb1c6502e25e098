"""Red team: a domain block holds for every spelling of an internationalised name (Unicode or punycode)."""

import pytest

from social.federation.blocks import blocked_domains, domain_blocked, sender_blocked
from social.federation.models import DomainBlock
from social.federation.origins import host_domain, same_origin

pytestmark = pytest.mark.django_db

# (how the block was written, how the sending server spells its host)
IDN_SPELLINGS = [
    ("évil.example", "xn--vil-9la.example"),
    ("xn--vil-9la.example", "évil.example"),
    ("xn--vil-9la.example", "ÉVIL.EXAMPLE"),
    ("ÉVIL.example", "sub.xn--vil-9la.example:8443"),
    ("xn--vil-9la.example", "évil。example"),  # an ideographic full stop is a dot in IDNA
]


@pytest.mark.parametrize(("block", "server"), IDN_SPELLINGS)
def test_block_covers_unicode_and_punycode_spellings(block, server):
    DomainBlock.objects.create(domain=block)
    assert domain_blocked(server)
    assert sender_blocked(host_domain(f"https://{server}/users/eve"), f"https://{server}/users/eve")
    assert blocked_domains().covers(f"https://{server}/inbox")


def test_inbox_refuses_a_blocked_server_spelt_in_punycode(client):
    DomainBlock.objects.create(domain="évil.example")
    response = client.post(
        "/ap/inbox",
        data={"type": "Follow", "actor": "https://xn--vil-9la.example/users/eve", "object": "x"},
        content_type="application/activity+json",
    )
    assert response.status_code == 403


def test_unicode_and_punycode_spellings_are_one_origin():
    assert same_origin("https://évil.example/users/eve", "https://xn--vil-9la.example/users/eve#main-key")


def test_stored_block_is_punycode():
    assert DomainBlock.objects.create(domain="ÉVIL.example.").domain == "xn--vil-9la.example"


@pytest.mark.parametrize("block", ["evil.example:443", "evil.example:80", "EVIL.example.:443"])
def test_block_written_with_a_default_port_covers_the_server_without_one(block):
    DomainBlock.objects.create(domain=block)
    server = "https://evil.example/users/eve"
    assert domain_blocked(server)
    assert sender_blocked(host_domain(server), server)
    assert blocked_domains().covers("https://sub.evil.example/inbox")
