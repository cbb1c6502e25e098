"""A publish flow builds its payload before it locks the flow: the body it renders may ask oEmbed."""

import pytest

from tests.security.fake_oembed import (  # noqa: F401
    PLAYER,
    embed_body,
    oembed_provider_fixture,
    oembed_remote_fixture,
    provider_down,
    provider_up,
)
from tests.security.outbound_guard import outbound_guard_fixture  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)


def test_publish_flow_renders_the_post_with_no_transaction_open(
    oembed_remote, oembed_provider, outbound_guard
):
    from wagtail.embeds.models import Embed

    from social.models import Flow
    from tests.factories.cms import blog_post

    answer = provider_down(oembed_remote)  # down while the draft was saved: no Embed row stored
    post = blog_post(publish=False, slug="federated", body=embed_body(oembed_provider))
    provider_up(oembed_remote, answer)
    assert not Embed.objects.exists()
    outbound_guard.clear()
    post.get_latest_revision().publish()  # the flow runs in this process once the publish commits
    payload = Flow.objects.get(page_id=post.pk).payload
    assert PLAYER in payload["body_html"]  # rendered from the provider's answer
    outbound_guard.assert_clean("connect")
