"""Wagtail admin views: the flow log, the behavior graphs and the staff notifications."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from ops.staff import staff_only
from social import selectors, services
from social.behaviors import GraphError, behavior_get, behaviors_all
from social.behaviors.graph import END
from social.diagram import behavior_svg
from social.filters import ACTIVE
from social.models import Flow, StaffNotification
from social.views import flow_graph

FLOWS_PER_PAGE = 50
RETRY_PERMISSION = "social.retry_flow"


def can_retry(user) -> bool:
    return user.is_staff and user.has_perm(RETRY_PERMISSION)


@staff_only
def flows_index(request: HttpRequest) -> HttpResponse:
    filterset, flows = selectors.flows_filtered(request.GET)
    page = Paginator(flows, FLOWS_PER_PAGE).get_page(request.GET.get("p"))
    query = request.GET.copy()
    query.pop("p", None)
    return render(
        request,
        "social/admin/flow_list.html",
        {
            "filterset": filterset,
            "flows": page.object_list,
            "page_obj": page,
            "query": query.urlencode(),
            "page_title": "Flows",
            "header_title": "Flows",
            "header_icon": "history",
        },
    )


@staff_only
def flow_inspect(request: HttpRequest, flow_id: int) -> HttpResponse:
    try:
        flow = selectors.flow_detail(flow_id)
    except Flow.DoesNotExist:
        raise Http404("no such flow") from None
    title = f"Flow {flow.pk}: {flow.behavior}"
    context = {
        "flow": flow,
        "graph": flow_graph(flow),
        "can_retry": flow.status == Flow.Status.FAILED and can_retry(request.user),
        "page_title": title,
        "header_title": title,
    }
    return render(request, "social/admin/flow_detail.html", {**context, "header_icon": "history"})


@require_http_methods(["GET", "POST"])
def flow_retry(request: HttpRequest, flow_id: int) -> HttpResponse:
    """GET asks for confirmation and changes nothing; POST (CSRF-checked by Django) retries."""
    if not can_retry(request.user):
        # A 403, not the PermissionDenied Wagtail turns into a redirect to the dashboard: a refused
        # write must read as refused to whatever sent it.
        return HttpResponseForbidden("Retrying flows needs the social.retry_flow permission.")
    flow = get_object_or_404(Flow, pk=flow_id)
    if request.method == "POST":
        try:
            step = services.flow_retry_from_failed_step(flow, user=request.user)
        except services.FlowNotRetryable as refused:
            messages.error(request, str(refused))
        else:
            messages.success(request, f"Flow {flow.pk} retried from its step {step.name!r}.")
        return redirect("social_admin_flow", flow.pk)
    title = f"Retry flow {flow.pk}?"
    return render(
        request,
        "social/admin/flow_retry.html",
        {"flow": flow, "page_title": title, "header_title": title, "header_icon": "history"},
    )


def _count_url(behavior: str):
    """Each count under a step links to those flows in the flow log."""
    flows_url = reverse("social_admin_flows")

    def url(step: str, label: str) -> str | None:
        if step == END:
            return f"{flows_url}?{urlencode({'behavior': behavior, 'status': label})}"
        if label in ("running", "failed"):
            status = ACTIVE if label == "running" else label
            return f"{flows_url}?{urlencode({'behavior': behavior, 'status': status, 'step': step})}"
        return None

    return url


@staff_only
def behaviors_index(request: HttpRequest) -> HttpResponse:
    """Every behavior's picture with the flows at each step, and the same counts as a list: on a
    phone the picture is scaled to the screen and its numbers are too small to read or tap."""
    counts = selectors.behavior_step_counts()
    graphs = []
    for behavior in behaviors_all():
        behavior_counts, url = counts.get(behavior.name, {}), _count_url(behavior.name)
        rows = [
            (step, [(label, n, url(step, label)) for label, n in behavior_counts[step].items()])
            for step in [*behavior.order, END]
            if behavior_counts.get(step)
        ]
        graphs.append((behavior, behavior_svg(behavior, counts=behavior_counts, count_url=url), rows))
    return render(
        request,
        "social/admin/behaviors.html",
        {"graphs": graphs, "page_title": "Behaviors", "header_title": "Behaviors", "header_icon": "list-ul"},
    )


@staff_only
def behavior_graph_svg(request: HttpRequest, name: str) -> HttpResponse:
    """One behavior's picture on its own, at full size, to zoom into on a small screen."""
    try:
        behavior = behavior_get(name)
    except GraphError:
        raise Http404("no such behavior") from None
    return HttpResponse(behavior_svg(behavior), content_type="image/svg+xml")


@staff_only
def notifications_index(request: HttpRequest) -> HttpResponse:
    notifications = list(selectors.notifications_for_user(request.user))
    unread = selectors.notifications_unread_ids(request.user, [n.pk for n in notifications])
    rows = [(notification, notification.pk in unread) for notification in notifications]
    return render(
        request,
        "social/admin/notifications.html",
        {
            "rows": rows,
            "unread": len(unread),
            "page_title": "Staff notifications",
            "header_title": "Staff notifications",  # the <title>: Wagtail's generic base reads this one
            "header_icon": "warning",
        },
    )


@staff_only
@require_POST
def notification_read(request: HttpRequest, notification_id: int) -> HttpResponse:
    services.notification_mark_read(get_object_or_404(StaffNotification, pk=notification_id), request.user)
    return redirect("social_admin_notifications")


@staff_only
@require_POST
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    services.notifications_mark_all_read(request.user)
    return redirect("social_admin_notifications")
