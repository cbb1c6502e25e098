"""Reads about members: orders, connected apps, subscriptions, the data export, newsletter progress."""

from dataclasses import dataclass
from datetime import datetime

from django.apps import apps
from django.db.models import Count, Max, Q, QuerySet
from oauth2_provider.models import get_access_token_model, get_application_model, get_refresh_token_model

from .dashboard import data_exporters
from .models import NewsletterDeliveryGraph, NewsletterIssue, NewsletterList, Subscription, User


def orders_for_user(user: User) -> QuerySet:
    Order = apps.get_model("order", "Order")
    return Order.objects.filter(user=user).order_by("-date_placed")


@dataclass(frozen=True)
class ConnectedApp:
    application_id: int
    name: str
    scopes: list[str]
    last_used: datetime | None


def connected_apps_for_user(user: User) -> list[ConnectedApp]:
    """Clients holding a live access or refresh token for ``user``."""
    AccessToken = get_access_token_model()
    RefreshToken = get_refresh_token_model()
    ids = set(AccessToken.objects.filter(user=user).values_list("application_id", flat=True))
    ids |= set(
        RefreshToken.objects.filter(user=user, revoked__isnull=True).values_list("application_id", flat=True)
    )
    connected = []
    for application in get_application_model().objects.filter(pk__in=ids).order_by("name"):
        tokens = AccessToken.objects.filter(user=user, application=application)
        scopes = sorted(
            {scope for value in tokens.values_list("scope", flat=True) for scope in value.split()}
        )
        last_used = tokens.aggregate(latest=Max("created"))["latest"]
        connected.append(ConnectedApp(application.pk, application.name, scopes, last_used))
    return connected


def subscriptions_for_user(user: User) -> QuerySet:
    return Subscription.objects.filter(email__iexact=user.email).select_related("newsletter")


def newsletters_offered_to(user: User) -> list[tuple[NewsletterList, Subscription | None]]:
    """Every public list with the member's subscription to it, if any."""
    by_list = {sub.newsletter_id: sub for sub in subscriptions_for_user(user)}
    lists = NewsletterList.objects.filter(is_public=True) | NewsletterList.objects.filter(
        pk__in=by_list.keys()
    )
    return [(newsletter, by_list.get(newsletter.pk)) for newsletter in lists.distinct().order_by("name")]


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _order_export(order) -> dict:
    return {
        "number": order.number,
        "placed": _iso(order.date_placed),
        "status": order.status,
        "currency": order.currency,
        "total_incl_tax": str(order.total_incl_tax),
        "lines": [
            {"title": line.title, "quantity": line.quantity, "price_incl_tax": str(line.line_price_incl_tax)}
            for line in order.lines.all()
        ],
        "shipping_address": order.shipping_address.active_address_fields()
        if order.shipping_address
        else None,
    }


def user_data_export(user: User) -> dict:
    """Everything we hold about ``user``, as the JSON download on the dashboard."""
    data = {
        "profile": {
            "email": user.email,
            "email_verified": user.email_verified,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "fediverse_handle": user.fediverse_handle,
            "date_joined": _iso(user.date_joined),
            "last_login": _iso(user.last_login),
        },
        "orders": [_order_export(order) for order in orders_for_user(user).prefetch_related("lines")],
        "subscriptions": [
            {
                "newsletter": sub.newsletter.name,
                "status": sub.status,
                "requested": _iso(sub.requested_at),
                "confirmed": _iso(sub.confirmed_at),
                "unsubscribed": _iso(sub.unsubscribed_at),
            }
            for sub in subscriptions_for_user(user)
        ],
        "connected_apps": [
            {"name": app.name, "scopes": app.scopes, "last_used": _iso(app.last_used)}
            for app in connected_apps_for_user(user)
        ],
    }
    for key, export in data_exporters().items():
        data[key] = export(user)
    data.setdefault("bookings", [])
    return data


def issue_progress(issue: NewsletterIssue) -> dict:
    """Counts for the progress bar. `claimed`: being sent now, or unconfirmed (a worker died during the
    SMTP exchange, so it is not sent again); rows skipped because the subscriber left count as done."""
    graph = NewsletterDeliveryGraph
    counts = issue.deliveries.aggregate(
        sent=Count("pk", filter=Q(state=graph.sent.name)),
        failed=Count("pk", filter=Q(state=graph.failed.name)),
        claimed=Count("pk", filter=Q(state__in=[graph.sending.name, graph.unconfirmed.name])),
        done=Count("pk", filter=Q(state__in=[name for name, node in graph.states.items() if node.terminal])),
        rows=Count("pk"),
    )
    done, total = counts.pop("done"), max(issue.recipient_count, counts.pop("rows"))
    percent = 100 if issue.status == NewsletterIssue.Status.SENT else (done * 100 // total if total else 0)
    return {"status": issue.status, "total": total, "percent": percent, **counts}
