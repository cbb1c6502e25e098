"""Every part of the stack answers at its documented prefix, inside the one base template."""

import json

import pytest

from accounts.demo import DEMO_PASSWORD


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/admin/login/",
        "/django-admin/login/",
        "/shop/catalogue/",
        "/events/",
        "/o/.well-known/openid-configuration",
    ],
)
def test_prefix_answers_ok(client, seeded, path):
    assert client.get(path, follow=True).status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/blog/",
        "/account/login/",
        "/shop/catalogue/",
        "/shop/basket/",
        "/events/",
        # django-scheduler's own pages, each extending its base.html, which must resolve to ours
        "/events/calendar/month/cooperative/",
        "/events/calendar/week/cooperative/",
        "/events/calendar/daily/cooperative/",
        "/events/calendar/year/cooperative/",
        "/events/fullcalendar/cooperative/",
    ],
)
def test_page_uses_site_base_template_without_cdn(client, seeded, path):
    html = client.get(path, follow=True).content.decode()
    assert 'class="site-header"' in html and 'class="site-footer"' in html
    assert "This is a demo of a django-schedule calendar" not in html
    for cdn in ("cdn.jsdelivr", "googleapis", "unpkg.com", "cdnjs"):
        assert cdn not in html


def test_shop_lists_demo_products(client, seeded):
    html = client.get("/shop/", follow=True).content.decode()
    assert "Wildflower honey" in html


def test_openid_configuration_issuer_is_site_url(client, seeded, settings):
    config = json.loads(client.get("/o/.well-known/openid-configuration").content)
    assert config["issuer"] == f"{settings.SITE_URL}/o"


def test_demo_editor_logs_into_wagtail_admin(client, seeded):
    response = client.post(
        "/admin/login/", {"username": "editor@example.org", "password": DEMO_PASSWORD}, follow=True
    )
    assert response.status_code == 200
    assert response.wsgi_request.user.email == "editor@example.org"
    assert client.get("/admin/").status_code == 200


def test_home_page_title_names_the_site_once(client, seeded, settings):
    assert f"<title>{settings.SITE_NAME}</title>" in client.get("/").content.decode()
