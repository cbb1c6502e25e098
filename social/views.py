"""Thin views over the flow log: GET /flows/ and /flows/<id>/ for staff."""

from django.contrib.admin.views.decorators import staff_member_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from social import selectors
from social.behaviors import GraphError, behavior_get
from social.diagram import behavior_svg
from social.models import Flow


def flow_graph(flow: Flow):
    try:
        behavior = behavior_get(flow.behavior)
    except GraphError:
        return None  # a behavior since removed from the code: the log rows still show what happened
    return behavior_svg(
        behavior, flow.path, finished=flow.status in (Flow.Status.SUCCEEDED, Flow.Status.REFUSED)
    )


def flow_list_context(status: str) -> dict:
    counts = selectors.flow_status_counts()
    return {
        "flows": selectors.flows_recent(status=status),
        "status": status,
        "status_counts": [(name, counts.get(name, 0)) for name in Flow.Status.values],
    }


@staff_member_required
def flow_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    if status and status not in Flow.Status.values:
        status = ""
    return render(request, "social/flow_list.html", flow_list_context(status))


@staff_member_required
def flow_detail(request: HttpRequest, flow_id: int) -> HttpResponse:
    try:
        flow = selectors.flow_detail(flow_id)
    except Flow.DoesNotExist:
        raise Http404("no such flow") from None
    return render(request, "social/flow_detail.html", {"flow": flow, "graph": flow_graph(flow)})
