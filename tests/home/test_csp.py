"""The Content-Security-Policy header: strict on public pages, the SumUp pay page as a form target,
relaxed only on the admin screens (home/csp.py)."""

import pytest


def _directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    parts = [part.strip().split() for part in header.split(";") if part.strip()]
    return {part[0]: part[1:] for part in parts}


@pytest.mark.django_db
def test_public_page_csp_is_strict(client, settings):
    settings.SUMUP_HOSTED_CHECKOUT_ORIGIN = "https://pay.example.test/"
    policy = _directives(client.get("/account/login/"))
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["img-src"] == ["'self'", "data:"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'", "https://pay.example.test"]


@pytest.mark.django_db
def test_public_page_csp_pay_origin_defaults_to_sumup_api_origin(client, settings):
    # The fake SumUp serves its pay page beside its API, on whatever port a test started it.
    settings.SUMUP_HOSTED_CHECKOUT_ORIGIN = ""
    settings.SUMUP_API_URL = "http://127.0.0.1:8141/api"
    assert _directives(client.get("/account/login/"))["form-action"] == ["'self'", "http://127.0.0.1:8141"]


@pytest.mark.django_db
def test_public_page_html_has_no_inline_script_or_style(client):
    page = client.get("/account/login/").content.decode()
    assert "<script>" not in page and "style=" not in page and "<style" not in page
    assert "/static/js/site.js" in page


@pytest.mark.django_db
def test_wagtail_admin_csp_relaxed_for_inline_script_and_preview(client, admin_user):
    client.force_login(admin_user)
    policy = _directives(client.get("/admin/account/"))
    assert "'unsafe-inline'" in policy["script-src"] and "'unsafe-inline'" in policy["style-src"]
    assert policy["frame-ancestors"] == ["'self'"]  # the page preview's iframe
    assert "https:" in policy["img-src"]  # the hub's fediverse images are hotlinked
    assert policy["object-src"] == ["'none'"]


@pytest.mark.django_db
def test_oscar_dashboard_csp_relaxed_public_shop_not(client, admin_user):
    client.force_login(admin_user)
    dashboard = _directives(client.get("/shop/dashboard/"))
    assert "'unsafe-inline'" in dashboard["script-src"]
    assert dashboard["frame-ancestors"] == ["'none'"]
    shop = _directives(client.get("/shop/basket/"))
    assert shop["script-src"] == ["'self'"] and shop["style-src"] == ["'self'"]


@pytest.mark.django_db
def test_oscar_dashboard_still_starts_from_its_inline_script(client, admin_user):
    client.force_login(admin_user)
    page = client.get("/shop/dashboard/").content.decode()
    assert "oscar.dashboard.init(" in page and "<script>$(function ()" in page


def test_policy_changes_fullcalendar_admits_only_the_empty_style_element():
    import base64
    import hashlib

    from home.csp import EMPTY_STYLE_HASH, policy_changes

    empty = base64.b64encode(hashlib.sha256(b"").digest()).decode()
    assert f"'sha256-{empty}'" == EMPTY_STYLE_HASH
    additions, replacements = policy_changes("/events/fullcalendar/otto-workshops/")
    assert additions["style-src"] == [EMPTY_STYLE_HASH] and "script-src" not in additions
    assert replacements == {}
    public, _ = policy_changes("/events/")
    assert set(public) == {"form-action"}


@pytest.mark.django_db
def test_wagtail_preview_dummy_request_leaves_header_to_admin_request(rf):
    from django.http import HttpResponse

    from home.csp import SiteCSPMiddleware

    dummy = rf.get("/")
    dummy.is_dummy = True  # as Wagtail's make_preview_request marks it
    middleware = SiteCSPMiddleware(lambda request: HttpResponse("page"))
    assert "Content-Security-Policy" not in middleware(dummy)
    real = rf.get("/admin/pages/1/edit/preview/")
    assert "frame-ancestors 'self'" in middleware(real)["Content-Security-Policy"]
