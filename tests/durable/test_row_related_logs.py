"""A stateful row's admin page lists the entries other logs keep about the same thing, through the
`durable_row_related_logs` hook: social's flow log registers one (a payment's settlement flow)."""

import pytest
from django.urls import reverse
from wagtail import hooks

from social.models import Flow
from tests.durable.test_history import boss, placed_then_stalled, row_url  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


def test_payment_row_page_links_its_settlement_flow(client, boss, placed_then_stalled):  # noqa: F811
    attempt = placed_then_stalled
    flow = Flow.objects.get(behavior="payment_settlement", object_key=f"payment:{attempt.pk}")

    html = client.get(row_url(attempt)).content.decode()

    assert "In the other logs" in html
    link = f'<a href="{reverse("social_admin_flow", args=[flow.pk])}">Flow {flow.pk}: payment_settlement'
    assert link in html


def test_row_naming_no_keys_shows_no_other_logs(client, boss, make_import):  # noqa: F811
    html = client.get(row_url(make_import())).content.decode()
    assert "In the other logs" not in html


def test_row_page_renders_what_any_registered_hook_answers(client, boss, make_import):  # noqa: F811
    product_import = make_import()

    def ledger(row):
        return [(f"Ledger entry for {row._meta.label_lower} {row.pk}", "/ledger/7/")]

    with hooks.register_temporarily("durable_row_related_logs", ledger):
        html = client.get(row_url(product_import)).content.decode()

    assert f'<a href="/ledger/7/">Ledger entry for commerce.productimport {product_import.pk}</a>' in html
