"""The market's fragments for composed pages, registered with cms.fragments from HomeConfig.ready().

home owns the site root and may import the market; cms may not, so its blocks name these fragments
and cms.fragments keeps them cached per source ("products"). The calendar registers its own
(events/fragments.py): through its federation it reaches social, which home may not import.
Each render costs a fixed number of queries whatever the number of products.
"""

from collections.abc import Mapping
from types import SimpleNamespace

from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from oscar.core.loading import get_class

from cms.fragments import fragment_register
from commerce.selectors import products_for_cards


def _limit(params: Mapping[str, object], default: int = 6) -> int:
    try:
        return max(1, min(int(params.get("limit") or default), 24))
    except (TypeError, ValueError):
        return default


def _filter(params: Mapping[str, object]) -> str:
    return str(params.get("filter") or "").strip()


def _products(params: Mapping[str, object]):
    """Chosen by UPC ("a,b,c"), by producer code, by category slug, or else the newest available."""
    wanted = _filter(params)
    products = products_for_cards()
    if not wanted:
        return products.order_by("-date_created")
    if "," in wanted or products.filter(upc=wanted).exists():
        upcs = [upc.strip() for upc in wanted.split(",") if upc.strip()]
        by_upc = {product.upc: product for product in products.filter(upc__in=upcs)}
        return [by_upc[upc] for upc in upcs if upc in by_upc]  # the editor's order
    return products.filter(
        Q(stockrecords__partner__code=wanted)
        | Q(children__stockrecords__partner__code=wanted)
        | Q(categories__slug=wanted)
    )


def products_picked(params: Mapping[str, object]) -> str:
    found = list(_products(params)[: _limit(params, 6)])
    # Cached for every reader: priced by the default strategy, as an anonymous reader sees it.
    anonymous = SimpleNamespace(strategy=get_class("partner.strategy", "Selector")().strategy())
    return render_to_string(
        "home/fragments/products.html",
        {
            "heading": str(params.get("heading") or "The producers' picks"),
            "products": found,
            "request": anonymous,
            "more_url": "/shop/",
        },
    )


def newsletter_signup(params: Mapping[str, object]) -> str:
    return render_to_string(
        "home/fragments/newsletter.html",
        {
            "heading": str(params.get("heading") or "Our newsletter"),
            "signup_url": reverse("accounts:newsletter_signup"),
        },
    )


def fragments_register() -> None:
    fragment_register("products", label="Products", sources=["products"], render=products_picked)
    fragment_register("newsletter", label="Newsletter sign-up", sources=[], render=newsletter_signup)
