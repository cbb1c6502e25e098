"""Wagtail admin views of the one runner: every stateful model's graph with its rows counted per state,
and the rows of one model in one state (or stalled, or due)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.db import models
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst
from wagtail import hooks

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
    def title(self) -> str:
        return model_title(self.model, plural=True)

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


def model_title(model: type[StatefulModel], plural: bool = False) -> str:
    """What staff read as a model's name in headers: its verbose name ("Product import"), not its
    class name (ProductImport)."""
    meta = model._meta
    return capfirst(meta.verbose_name_plural if plural else meta.verbose_name)


def rows_url(model: type[StatefulModel], **query: str) -> str:
    return f"{reverse('durable_admin_rows', args=[model._meta.label_lower])}?{urlencode(query)}"


def machine_shape(model: type[StatefulModel]) -> MachineView:
    """A model's graph without its rows counted: for one row's page."""
    states = model.state_graph.states.items()
    return MachineView(model=model, states=[StateRow(n, s.label or n, _kind(s)) for n, s in states])


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


def related_logs() -> list[tuple[str, str]]:
    """(title, address) of the site's other logs of work, for a way across: apps register a
    `durable_related_logs` hook (social's flow log does), so durable names none of them."""
    return [link for hook in hooks.get_hooks("durable_related_logs") for link in hook()]


@staff_only
def state_machines_index(request: HttpRequest) -> HttpResponse:
    """Every registered stateful model (or the one `?kind=` names): its graph, its rows in each state,
    the stalled and the due."""
    now = timezone.now()
    models_all = stateful_models()
    kind = request.GET.get("kind", "").lower()
    shown = [model for model in models_all if model._meta.label_lower == kind] or models_all
    kind = kind if len(shown) == 1 else ""
    machines = [machine_view(model, now) for model in shown]
    title = "State machines"
    context = {
        "machines": machines,
        "kinds": sorted((model._meta.label_lower, model._meta.label) for model in models_all),
        "kind": kind,
        "related_logs": related_logs(),
        "page_title": title,
        "header_title": title,
        "header_icon": "cogs",
    }
    return render(request, "durable/state_machines.html", context)


def model_for(label: str) -> type[StatefulModel]:
    for model in stateful_models():
        if model._meta.label_lower == label.lower():
            return model
    raise Http404("no such stateful model")


def search_fields(model: type[StatefulModel]) -> tuple[str, ...]:
    """What `str(row)` is usually made of: the model's own short text columns (an inbox, a checkout
    reference, a file name), unless it names its own. Searched in the database: str() is Python's."""
    if model.state_search_fields is not None:
        return model.state_search_fields
    own = set(StatefulModel.STATE_FIELDS)
    return tuple(
        f.name
        for f in model._meta.concrete_fields
        if isinstance(f, models.CharField) and f.name not in own and not f.choices
    )


def object_match(model: type[StatefulModel], text: str) -> Q:
    """A row's primary key, or words found in one of its text columns."""
    match = Q(pk=int(text)) if text.isdigit() else Q(pk__in=[])
    for name in search_fields(model):
        match |= Q(**{f"{name}__icontains": text})
    return match


def rows_filtered(model: type[StatefulModel], state: str, only: str, now: datetime, q: str = "") -> QuerySet:
    rows = model._default_manager.all()
    if state:
        rows = rows.filter(state=state)
    if q:
        rows = rows.filter(object_match(model, q))
    if only == "stalled":
        rows = rows.filter(stalled(now), state__in=[s.name for s in model.state_graph.worked])
    elif only == "due":
        rows = rows.filter(due_now(now), state__in=[s.name for s in model.state_graph.worked])
    return rows.order_by("pk").only("pk", *StatefulModel.STATE_FIELDS)


@staff_only
def state_machine_rows(request: HttpRequest, label: str) -> HttpResponse:
    """One model's rows, filtered by `?state=` and `?only=stalled|due`, 50 to a page."""
    model = model_for(label)
    state = request.GET.get("state", "")
    if state and state not in model.state_graph.states:
        raise Http404("no such state")
    only = request.GET.get("only", "")
    only = only if only in ("stalled", "due") else ""
    q = request.GET.get("q", "").strip()[:200]
    page = Paginator(rows_filtered(model, state, only, timezone.now(), q), ROWS_PER_PAGE).get_page(
        request.GET.get("p")
    )
    keep = urlencode({key: value for key, value in (("state", state), ("only", only), ("q", q)) if value})
    # The verbose name alone: the app label would make the header too wide for a phone.
    title = model_title(model, plural=True) + (f": {state}" if state else "") + (f" ({only})" if only else "")
    return render(
        request,
        "durable/state_machine_rows.html",
        {
            "model_label": model._meta.label,
            "model_title": model_title(model, plural=True),
            "model_title_one": model_title(model),
            "label_lower": model._meta.label_lower,
            "state": state,
            "only": only,
            "q": q,
            "page": page,
            "keep": keep,
            "states": model.state_graph.states,
            "page_title": title,
            "header_title": title,
            "header_icon": "cogs",
        },
    )
