"""Wagtail admin views: the flow log, the behavior graphs and the staff notifications."""

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from social import selectors, services
from social.behaviors import GraphError, behavior_get, behaviors_all
from social.diagram import behavior_svg
from social.models import Flow, StaffNotification
from social.views import flow_graph, flow_list_context


def staff_only(view):
    """Wagtail admits editors; the flow log and staff notifications are for staff only."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_staff:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


@staff_only
def flows_index(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    context = flow_list_context(status if status in Flow.Status.values else "")
    return render(
        request,
        "social/admin/flow_list.html",
        {**context, "page_title": "Flows", "header_title": "Flows", "header_icon": "history"},
    )


@staff_only
def flow_inspect(request: HttpRequest, flow_id: int) -> HttpResponse:
    try:
        flow = selectors.flow_detail(flow_id)
    except Flow.DoesNotExist:
        raise Http404("no such flow") from None
    title = f"Flow {flow.pk}: {flow.behavior}"
    context = {"flow": flow, "graph": flow_graph(flow), "page_title": title, "header_title": title}
    return render(request, "social/admin/flow_detail.html", {**context, "header_icon": "history"})


@staff_only
def behaviors_index(request: HttpRequest) -> HttpResponse:
    graphs = [(behavior, behavior_svg(behavior)) for behavior in behaviors_all()]
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
