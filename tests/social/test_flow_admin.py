"""The flow log staff can act on: filter and page through flows, retry a failed one from its failed step
(a new attempt, no effect twice), see each behavior's steps with the flows at each."""

import re

import pytest
from django.contrib.auth.models import Group, Permission
from django.test import Client

from social import engine, services
from social.federation.actors import local_actor_for_author
from social.federation.models import Activity
from social.models import Flow, FlowEffect, StaffNotification
from tests.factories.social import URGENT_POST_PAYLOAD as PAYLOAD

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_without_retry(django_user_model):
    """Staff who may read the flow log (Wagtail admin access) but were not given the retry right."""
    user = django_user_model.objects.create_user(email="staff@example.org", password="x")
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    return user


def flow_row(n: int, *, behavior: str = "publish", status: str = "succeeded", title: str = "Post") -> Flow:
    return Flow.objects.create(
        behavior=behavior,
        event="published",
        object_key=f"page:{n}",
        page_id=n,
        payload={"title": f"{title} {n}"},
        status=status,
        cursor="" if status in ("succeeded", "refused") else "deliver",
    )


def listed_ids(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'<a href="/admin/flows/(\d+)/">', html)]


def test_flow_list_filters_by_kind_status_and_object(client, superuser):
    published = flow_row(1, title="Harvest")
    failed = flow_row(2, status="failed", title="Storm")
    unpublished = flow_row(3, behavior="delete", title="Storm")
    client.force_login(superuser)
    everything = listed_ids(client.get("/admin/flows/").content.decode())
    assert everything == [unpublished.pk, failed.pk, published.pk]  # newest first
    assert listed_ids(client.get("/admin/flows/?behavior=delete").content.decode()) == [unpublished.pk]
    assert listed_ids(client.get("/admin/flows/?status=failed").content.decode()) == [failed.pk]
    html = client.get("/admin/flows/?status=active&step=deliver").content.decode()
    assert listed_ids(html) == []
    assert listed_ids(client.get("/admin/flows/?object=harv").content.decode()) == [published.pk]
    assert listed_ids(client.get("/admin/flows/?object=page:2").content.decode()) == [failed.pk]
    assert listed_ids(client.get("/admin/flows/?object=3").content.decode()) == [unpublished.pk]
    storm = client.get("/admin/flows/?object=storm&behavior=publish").content.decode()
    assert listed_ids(storm) == [failed.pk]
    # A kind no behavior has is not a filter the form accepts: the list is not narrowed by it.
    assert len(listed_ids(client.get("/admin/flows/?behavior=nope").content.decode())) == 3


def test_flow_list_pages_by_fifty_and_keeps_the_filters(client, superuser):
    Flow.objects.bulk_create(
        Flow(behavior="publish", event="published", object_key=f"page:{n}", status="failed", cursor="deliver")
        for n in range(55)
    )
    flow_row(999)
    client.force_login(superuser)
    first = client.get("/admin/flows/?status=failed").content.decode()
    assert len(listed_ids(first)) == 50 and "Page 1 of 2" in first
    assert 'href="?status=failed&amp;p=2"' in first
    second = client.get("/admin/flows/?status=failed&p=2").content.decode()
    assert len(listed_ids(second)) == 5


@pytest.mark.parametrize("n", [5, 50])
def test_flow_list_query_count_does_not_grow_with_flows(client, superuser, django_assert_max_num_queries, n):
    for i in range(n):
        flow = flow_row(i, status="running")
        FlowEffect.objects.create(
            flow=flow,
            step=flow.steps.create(name="validate", seq=0, status="done"),
            seq=0,
            kind="notify",
            idempotency_key=f"k{i}",
        )
    client.force_login(superuser)
    client.get("/admin/flows/")  # warm the session and Wagtail's per-process caches
    # The admin's chrome (session, user, menu badges) takes 16; the flow log two: a count and one page.
    with django_assert_max_num_queries(18):
        html = client.get("/admin/flows/?behavior=publish&status=active").content.decode()
    assert len(listed_ids(html)) == n


# An author the site has no actor for yet: compose fails for real until the author appears.
GHOST_PAYLOAD = {**PAYLOAD, "actor": "ghost"}


def failed_flow(settings, django_capture_on_commit_callbacks) -> Flow:
    """A publish flow whose compose step failed for good: its author had no actor on every attempt."""
    settings.SOCIAL_STEP_MAX_ATTEMPTS = 1
    with django_capture_on_commit_callbacks(execute=False):
        flow = services.flow_start(
            behavior="publish", event="published", object_key="page:99", payload=GHOST_PAYLOAD
        )
    engine.flow_run(flow.pk)  # compose fails (its transaction rolls back)
    engine.flow_run(flow.pk)  # the sweep's retry finds no attempt left: the flow fails
    flow.refresh_from_db()
    assert (flow.status, flow.cursor) == ("failed", "compose")
    return flow


def test_retry_failed_flow_resumes_at_failed_step_as_new_attempt_without_duplicate_effects(
    client, superuser, settings, django_capture_on_commit_callbacks
):
    flow = failed_flow(settings, django_capture_on_commit_callbacks)
    assert not FlowEffect.objects.filter(flow=flow).exists()  # the failed step's effects rolled back
    client.force_login(superuser)

    page = client.get(f"/admin/flows/{flow.pk}/retry/")  # the confirm page changes nothing
    assert page.status_code == 200 and b"Retry from compose" in page.content
    flow.refresh_from_db()
    assert flow.status == "failed" and flow.steps.get(name="compose").attempts == 1

    local_actor_for_author("ghost", "Ghost")  # the cause is mended
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/admin/flows/{flow.pk}/retry/")
    assert response.status_code == 302 and response["Location"] == f"/admin/flows/{flow.pk}/"
    flow.refresh_from_db()
    compose = flow.steps.get(name="compose")
    assert (flow.status, flow.error, compose.status, compose.attempts) == ("succeeded", "", "done", 2)
    assert all(s.attempts == 1 for s in flow.steps.exclude(name="compose"))
    kinds = [kind for kind, _ in FlowEffect.objects.filter(flow=flow).values_list("kind", "idempotency_key")]
    assert sorted(kinds) == sorted(set(kinds)) and {"record_activity", "schedule_delivery"} <= set(kinds)
    assert Activity.objects.count() == 1 and StaffNotification.objects.count() <= 1
    detail = client.get(f"/admin/flows/{flow.pk}/").content.decode()
    assert "attempts: 2" in detail and "Retry from" not in detail

    again = client.post(f"/admin/flows/{flow.pk}/retry/", follow=True)  # a succeeded flow is not retried
    assert b"is succeeded, not failed" in again.content
    assert flow.steps.get(name="compose").attempts == 2
    # Retrying again changes nothing: no effect is recorded twice.
    assert FlowEffect.objects.filter(flow=flow).count() == len(kinds)


def test_retry_refused_to_editor_and_staff_without_the_right(
    client, editor, staff_without_retry, settings, django_capture_on_commit_callbacks
):
    flow = failed_flow(settings, django_capture_on_commit_callbacks)
    for user in (editor, staff_without_retry):
        client.force_login(user)
        assert client.get(f"/admin/flows/{flow.pk}/retry/").status_code == 403
        assert client.post(f"/admin/flows/{flow.pk}/retry/").status_code == 403
    client.force_login(staff_without_retry)
    assert b"Retry from" not in client.get(f"/admin/flows/{flow.pk}/").content
    flow.refresh_from_db()
    assert flow.status == "failed" and flow.steps.get(name="compose").attempts == 1


def test_retry_given_through_a_group_and_post_needs_csrf(
    django_user_model, staff_without_retry, settings, django_capture_on_commit_callbacks
):
    flow = failed_flow(settings, django_capture_on_commit_callbacks)
    retriers = Group.objects.create(name="Flow retriers")
    retriers.permissions.add(Permission.objects.get(codename="retry_flow"))
    staff_without_retry.groups.add(retriers)
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff_without_retry)
    assert client.post(f"/admin/flows/{flow.pk}/retry/").status_code == 403  # no CSRF token
    page = client.get(f"/admin/flows/{flow.pk}/retry/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/admin/flows/{flow.pk}/retry/", {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    flow.refresh_from_db()
    assert flow.status == "running" and flow.steps.get(name="compose").attempts == 2  # failing still
    assert flow.steps.get(name="compose").status == "failed"


def test_behaviors_page_counts_flows_at_each_step_with_links(client, superuser):
    flow_row(1)
    flow_row(2)
    flow_row(3, status="refused")
    flow_row(4, status="failed")
    flow_row(5, status="running")
    flow_row(6, status="pending")
    done = flow_row(7)
    done.steps.create(name="validate", seq=0, status="done")
    client.force_login(superuser)
    html = client.get("/admin/flows/behaviors/").content.decode()
    publish = html[html.index('id="behavior-publish"') :]
    publish = publish[: publish.index("</svg>")]
    counts = {
        (node, label): int(n)
        for node, body in re.findall(r'<g class="node" data-node="(\w+)">(.*?)</g>', publish, re.S)
        for n, label in re.findall(r'class="count"[^>]*>(\d+) (\w+)</text>', body)
    }
    assert counts == {
        ("deliver", "running"): 2,
        ("deliver", "failed"): 1,
        ("validate", "done"): 1,
        ("end", "succeeded"): 3,
        ("end", "refused"): 1,
    }
    assert 'href="/admin/flows/?behavior=publish&amp;status=failed&amp;step=deliver"' in publish
    # The same counts as a list, readable and tappable on a phone where the picture is scaled down.
    listed = html[html.index('id="behavior-publish"') : html.index('id="behavior-update"')]
    assert (
        '<a class="flow-count flow-count--failed" '
        'href="/admin/flows/?behavior=publish&amp;status=failed&amp;step=deliver">1 failed</a>'
    ) in listed
    assert "No flow has run this behavior yet." in html[html.index('id="behavior-update"') :]
    failed = client.get("/admin/flows/?behavior=publish&status=failed&step=deliver").content.decode()
    assert listed_ids(failed) == [Flow.objects.get(status="failed").pk]


def test_retry_right_can_be_given_in_wagtails_group_editor(client, superuser):
    client.force_login(superuser)
    html = client.get("/admin/groups/new/").content.decode()
    assert "Can retry a failed flow from its failed step" in html
