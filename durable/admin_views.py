"""Wagtail admin views of the one runner: every stateful model's graph with its rows counted per state,
and the rows of one model in one state (or stalled, or due)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from durable.models import StatefulModel
from durable.runner import stateful_models
from ops.staff import staff_only

ROWS_PER_PAGE = 50


def stalled(now: datetime) -> Q:
    """A lease that ran out: its worker died or hung; the next sweep hands the row on."""
    return Q(locked_until__lt=now)


def due_now(now: datetime) -> Q:
    """Free and due: the next sweep will lease it (stalled rows are counted apart)."""
    return Q(locked_until__isnull=True) & (Q(due_at__isnull=True) | Q(due_at__lte=now))


@dataclass
class StateRow:
    """One state of a model's graph with its rows counted, and where each count links."""

    name: str
    label: str
    kind: str  # "initial", "worked", "waiting", "terminal" or "failure"
    rows: int = 0
    stalled: int = 0
    due: int = 0
    urls: dict[str, str] = field(default_factory=dict)


@dataclass
class MachineView:
    """A model and its states counted; the template never touches the model class (it would call it)."""

    model: type[StatefulModel]
    states: list[StateRow]

    @property
    def label(self) -> str:
        return self.model._meta.label

    @property
    def stalled_url(self) -> str:
        return rows_url(self.model, only="stalled")

    @property
    def due_url(self) -> str:
        return rows_url(self.model, only="due")

    @property
    def graph(self):
        return self.model.state_graph

    @property
    def total(self) -> int:
        return sum(state.rows for state in self.states)

    @property
    def stalled(self) -> int:
        return sum(state.stalled for state in self.states)

    @property
    def due(self) -> int:
        return sum(state.due for state in self.states)

    @property
    def nodes(self) -> list[str]:
        return [state.name for state in self.states]

    @property
    def edges(self) -> list[tuple[str, str, str]]:
        states = self.graph.states.values()
        return [(state.name, "", target) for state in states for target in state.transitions]

    @property
    def counts(self) -> dict[str, dict[str, int]]:
        """The picture's lines under each state: "1 row", "3 rows", "1 stalled", "2 due"."""
        return {
            s.name: {_rows_label(s.rows): s.rows, "stalled": s.stalled, "due": s.due} for s in self.states
        }

    @property
    def urls(self) -> dict[str, dict[str, str]]:
        """The same lines' links, keyed as `counts` labels them."""
        return {
            s.name: {(_rows_label(s.rows) if key == "rows" else key): url for key, url in s.urls.items()}
            for s in self.states
        }

    @property
    def terminal(self) -> list[str]:
        return [name for name, state in self.graph.states.items() if state.terminal]

    @property
    def failure(self) -> list[str]:
        return [self.graph.failure.name] if self.graph.failure else []


def _rows_label(n: int) -> str:
    return "row" if n == 1 else "rows"


def _kind(state) -> str:
    if state.failure:
        return "failure"
    if state.terminal:
        return "terminal"
    return "worked" if state.handler else "waiting"


def rows_url(model: type[StatefulModel], **query: str) -> str:
    return f"{reverse('durable_admin_rows', args=[model._meta.label_lower])}?{urlencode(query)}"


def machine_view(model: type[StatefulModel], now: datetime) -> MachineView:
    """One grouped query: rows per state, and of those in a handler's state, how many are stalled or due."""
    counted = {
        row["state"]: row
        for row in model._default_manager.order_by()  # a model's default ordering would split the groups
        .values("state")
        .annotate(
            rows=Count("pk"), stalled=Count("pk", filter=stalled(now)), due=Count("pk", filter=due_now(now))
        )
    }
    states = []
    for name, state in model.state_graph.states.items():
        found = counted.get(name, {})
        row = StateRow(name=name, label=state.label or name, kind=_kind(state), rows=found.get("rows", 0))
        if state.handler:  # only the runner's states have leases and due times that mean anything
            row.stalled, row.due = found.get("stalled", 0), found.get("due", 0)
        for key in ("rows", "stalled", "due"):
            if getattr(row, key):
                query = {"state": name} if key == "rows" else {"state": name, "only": key}
                row.urls[key] = rows_url(model, **query)
        states.append(row)
    return MachineView(model=model, states=states)


@staff_only
def state_machines_index(request: HttpRequest) -> HttpResponse:
    """Every registered stateful model: its graph, its rows in each state, the stalled and the due."""
    now = timezone.now()
    machines = [machine_view(model, now) for model in stateful_models()]
    title = "State machines"
    return render(
        request,
        "durable/state_machines.html",
        {"machines": machines, "page_title": title, "header_title": title, "header_icon": "cogs"},
    )


def _model(label: str) -> type[StatefulModel]:
    for model in stateful_models():
        if model._meta.label_lower == label.lower():
            return model
    raise Http404("no such stateful model")


def rows_filtered(model: type[StatefulModel], state: str, only: str, now: datetime) -> QuerySet:
    rows = model._default_manager.all()
    if state:
        rows = rows.filter(state=state)
    if only == "stalled":
        rows = rows.filter(stalled(now), state__in=[s.name for s in model.state_graph.worked])
    elif only == "due":
        rows = rows.filter(due_now(now), state__in=[s.name for s in model.state_graph.worked])
    return rows.order_by("pk").only("pk", *StatefulModel.STATE_FIELDS)


@staff_only
def state_machine_rows(request: HttpRequest, label: str) -> HttpResponse:
    """One model's rows, filtered by `?state=` and `?only=stalled|due`, 50 to a page."""
    model = _model(label)
    state = request.GET.get("state", "")
    if state and state not in model.state_graph.states:
        raise Http404("no such state")
    only = request.GET.get("only", "")
    only = only if only in ("stalled", "due") else ""
    page = Paginator(rows_filtered(model, state, only, timezone.now()), ROWS_PER_PAGE).get_page(
        request.GET.get("p")
    )
    keep = urlencode({key: value for key, value in (("state", state), ("only", only)) if value})
    # The class name alone: the app label would make the header too wide for a phone.
    title = model.__name__ + (f": {state}" if state else "") + (f" ({only})" if only else "")
    return render(
        request,
        "durable/state_machine_rows.html",
        {
            "model_label": model._meta.label,
            "state": state,
            "only": only,
            "page": page,
            "keep": keep,
            "states": model.state_graph.states,
            "page_title": title,
            "header_title": title,
            "header_icon": "cogs",
        },
    )
