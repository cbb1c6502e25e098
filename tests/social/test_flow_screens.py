"""The flow log's screens: the site's own login for anonymous visitors, a behavior picture that scales."""

from xml.etree import ElementTree

import pytest
from django.conf import settings

from social.behaviors import behavior_get
from social.diagram import behavior_svg

SVG = "{http://www.w3.org/2000/svg}svg"


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/flows/", "/flows/1/"])
def test_flows_anonymous_redirected_to_site_login_not_django_admin(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(settings.LOGIN_URL + "?next=")
    assert "django-admin" not in response["Location"]


@pytest.mark.django_db
def test_flows_logged_in_non_staff_member_refused_not_sent_to_login(client, django_user_model):
    member = django_user_model.objects.create_user(email="member@example.org", password="x")
    client.force_login(member)
    assert client.get("/flows/").status_code == 403


def test_behavior_svg_scales_with_viewbox_and_no_fixed_size_or_inline_style():
    root = ElementTree.fromstring(str(behavior_svg(behavior_get("publish"))))
    assert root.tag == SVG
    assert root.get("viewBox", "").startswith("0 0 ")
    # A fixed width attribute would make the picture overflow a phone's screen.
    assert root.get("width") is None and root.get("height") is None
    assert "behavior-graph" in root.get("class")
    assert all(element.get("style") is None for element in root.iter())


@pytest.mark.django_db
def test_admin_flow_screens_have_a_title(client, django_user_model):
    import re

    client.force_login(django_user_model.objects.create_superuser(email="boss@example.org", password="x"))
    for url, title in [
        ("/admin/flows/", "Flows"),
        ("/admin/flows/behaviors/", "Behaviors"),
        ("/admin/staff-notifications/", "Staff notifications"),
    ]:
        page = client.get(url).content.decode()
        assert re.search(r"<title>\s*" + title + r"\s*-", page), url


@pytest.mark.django_db
def test_pictures_open_full_size_on_their_own_to_zoom(
    client, django_user_model, django_capture_on_commit_callbacks
):
    from social.models import Flow
    from tests.factories.social import blog_post, publish

    with django_capture_on_commit_callbacks(execute=True):
        publish(blog_post(title="Zoom into me"))
    flow = Flow.objects.order_by("-id").first()
    assert client.get(f"/flows/{flow.pk}/graph.svg").status_code == 302  # anonymous: to the login
    client.force_login(django_user_model.objects.create_superuser(email="boss@example.org", password="x"))
    page = client.get(f"/flows/{flow.pk}/").content.decode()
    assert f'href="/flows/{flow.pk}/graph.svg"' in page
    for url in (f"/flows/{flow.pk}/graph.svg", "/admin/flows/behaviors/publish.svg"):
        response = client.get(url)
        assert response["Content-Type"] == "image/svg+xml", url
        root = ElementTree.fromstring(response.content)
        assert root.tag == SVG and root.get("viewBox")
    assert (
        'href="/admin/flows/behaviors/publish.svg"' in client.get("/admin/flows/behaviors/").content.decode()
    )
    assert client.get("/admin/flows/behaviors/nope.svg").status_code == 404
