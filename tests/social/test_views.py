"""The flow log for staff: /flows/ and the same in the Wagtail admin, with notifications."""

import pytest
from django.contrib.auth.models import Permission

from social import services
from social.models import Flow, StaffNotification
from tests.factories.social import blog_post, publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(django_user_model):
    user = django_user_model.objects.create_superuser(email="boss@example.org", password="x")
    return user


@pytest.fixture
def editor(django_user_model):
    """May use the Wagtail admin but is not staff."""
    user = django_user_model.objects.create_user(email="ed@example.org", password="x")
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    return user


@pytest.fixture
def urgent_flow(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        publish(blog_post(title="Older post"))
        publish(blog_post(title="Flood <warning>", urgent=True))
    return Flow.objects.order_by("-id").first()


def test_flow_list_anonymous_redirected_to_login(client):
    response = client.get("/flows/")
    assert response.status_code == 302 and "login" in response["Location"]


def test_flow_list_non_staff_refused(client, editor):
    client.force_login(editor)
    assert client.get("/flows/").status_code == 403


def test_flow_list_staff_sees_flows_newest_first_with_status(client, staff, urgent_flow):
    client.force_login(staff)
    html = client.get("/flows/").content.decode()
    assert html.index("Flood &lt;warning&gt;") < html.index("Older post")
    assert "flow-status--succeeded" in html and "validate → compose → route → notify → deliver" in html
    filtered = client.get("/flows/?status=failed").content.decode()
    assert "Older post" not in filtered and "No flows yet" in filtered


def test_flow_detail_shows_steps_effects_and_highlighted_graph(client, staff, urgent_flow):
    client.force_login(staff)
    html = client.get(f"/flows/{urgent_flow.pk}/").content.decode()
    for step in ("validate", "compose", "route", "notify", "deliver"):
        assert f'id="step-{step}"' in html
    assert "record_activity" in html and "schedule_delivery" in html and "activitypub" in html
    assert f"activity:{urgent_flow.activity_id}" in html
    assert 'class="edge taken" data-from="route" data-to="notify"' in html
    assert client.get("/flows/999999/").status_code == 404


def test_admin_flow_pages_render_for_staff(client, staff, urgent_flow):
    client.force_login(staff)
    listing = client.get("/admin/flows/")
    assert listing.status_code == 200 and f'href="/admin/flows/{urgent_flow.pk}/"' in listing.content.decode()
    detail = client.get(f"/admin/flows/{urgent_flow.pk}/").content.decode()
    assert 'class="edge taken" data-from="notify" data-to="deliver"' in detail
    graphs = client.get("/admin/flows/behaviors/").content.decode()
    assert all(f'id="behavior-{name}"' in graphs for name in ("publish", "update", "delete"))


def test_admin_flow_pages_refused_to_non_staff_editor(client, editor, urgent_flow):
    client.force_login(editor)
    # Wagtail turns PermissionDenied into a redirect to the dashboard with an error message.
    for url in ("/admin/flows/", "/admin/staff-notifications/", f"/admin/flows/{urgent_flow.pk}/"):
        response = client.get(url)
        assert (response.status_code, response["Location"]) == (302, "/admin/")


def test_admin_menu_and_dashboard_show_unread_count_until_read(client, staff, urgent_flow):
    client.force_login(staff)
    dashboard = client.get("/admin/").content.decode()
    assert "Staff notifications (1)" in dashboard  # the menu item
    assert "Flood &lt;warning&gt;" in dashboard and "1 unread" in dashboard  # the dashboard panel
    notification = StaffNotification.objects.get()
    response = client.post(f"/admin/staff-notifications/{notification.pk}/read/")
    assert response.status_code == 302
    assert "Staff notifications (1)" not in client.get("/admin/").content.decode()


def test_notifications_mark_all_read_is_per_user(staff, django_user_model, urgent_flow):
    other = django_user_model.objects.create_superuser(email="other@example.org", password="x")
    assert services.notifications_mark_all_read(staff) == 1
    assert services.notifications_mark_all_read(staff) == 0
    from social.selectors import notifications_unread_count

    assert (notifications_unread_count(staff), notifications_unread_count(other)) == (0, 1)
