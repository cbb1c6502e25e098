"""The market on the fediverse, as commerce sees it: what a product federates as, when it is available,
who makes it. Commerce never imports social: it reports on a signal of its own, which social connects
to (settings.SOCIAL_SOURCE_SIGNALS), and social reads payloads and producers through its registries
(SOCIAL_FEDERATED_SOURCES, SOCIAL_ACTOR_SOURCES).

A product is available while it is public and in stock (any of its own or its variants' stock records
holds units, whatever checkouts have reserved: a reservation is not a sale, and one given back must not
make a product vanish and come back). Each change to a product or its stock is reported once its
transaction commits, once per transaction however many rows were saved; social decides from what the
fediverse knows: a Create when it becomes available, a Delete when it is withdrawn, sold out or deleted,
an Update when an available product is edited, and nothing for stock that stays on one side of zero.
"""

import mimetypes
import threading
from urllib.parse import urlsplit

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import Q
from django.dispatch import Signal
from django.utils import timezone
from django.utils.html import escape, strip_tags
from django.utils.text import Truncator
from oscar.core.loading import get_model
from oscar.templatetags.currency_filters import currency

from commerce.selectors import producer_pages_for_product

Product = get_model("catalogue", "Product")
StockRecord = get_model("partner", "StockRecord")

MARKET_ACTOR = "market"
IMAGES_MAX = 4  # Mastodon shows four attachments at most
SUMMARY_CHARS = 280

# Sent after commit with object_key, kind ("saved", "stocked" or "deleted"), is_private (not available)
# and, for a deleted product, the payload of its Tombstone.
product_reported = Signal()

# What a report says, weakest first: a transaction that saved the product and its stock says "saved".
_KIND_RANK = {"stocked": 0, "saved": 1, "deleted": 2}
_pending = threading.local()  # product id → (the queued callback, its kind, its tombstone payload)


def product_object_key(product_id: int) -> str:
    return f"product:{product_id}"


def product_report(product_id: int, kind: str, tombstone: dict | None = None) -> None:
    """Once the caller's transaction commits, tell social what the product then is (see the module doc).

    Only the last report of a transaction runs, with the strongest kind any of its reports had.
    """
    reports = _pending.__dict__.setdefault("reports", {})
    previous = reports.get(product_id)
    if previous is not None and _still_queued(previous[0]):
        if _KIND_RANK[previous[1]] > _KIND_RANK[kind]:
            kind, tombstone = previous[1], previous[2]
        tombstone = tombstone or previous[2]

    def report() -> None:
        if reports.get(product_id, (None,))[0] is not report:
            return  # a later report of the same transaction runs instead
        del reports[product_id]
        _report(product_id, kind, tombstone)

    reports[product_id] = (report, kind, tombstone)
    transaction.on_commit(report)


def _still_queued(callback) -> bool:
    # A report left behind by a rolled-back transaction is no longer queued: it must not count.
    return any(queued[1] is callback for queued in connections[DEFAULT_DB_ALIAS].run_on_commit)


def _report(product_id: int, kind: str, tombstone: dict | None) -> None:
    product = Product.objects.select_related("product_class").filter(pk=product_id).first()
    key = product_object_key(product_id)
    if kind == "deleted" or product is None:
        payload = tombstone or {"actor": MARKET_ACTOR, "title": "", "url": "", "is_private": True}
        product_reported.send(Product, object_key=key, kind="deleted", is_private=True, payload=payload)
        return
    available = product_is_available(product)
    product_reported.send(Product, object_key=key, kind=kind, is_private=not available)


def product_is_available(product) -> bool:
    """Public, browsable (not a variant), and in stock (see the module doc)."""
    if not product.is_public or product.is_child:
        return False
    records = StockRecord.objects.filter(
        Q(product=product) | Q(product__parent=product, product__is_public=True)
    )
    product_class = product.get_product_class()
    if product_class is not None and not product_class.track_stock:
        return records.exists()
    return records.filter(num_in_stock__gt=0).exists()


# --- receivers (connected in CommerceConfig.ready) -----------------------------------------------------


def on_product_saved(sender, instance, **kwargs) -> None:
    if kwargs.get("raw"):
        return
    product_report(instance.parent_id or instance.pk, "saved")


def on_product_deleted(sender, instance, **kwargs) -> None:
    # pre_delete: the product is still there to say what its Tombstone identifies.
    if instance.parent_id:
        product_report(instance.parent_id, "stocked")
        return
    product_report(instance.pk, "deleted", product_tombstone_payload(instance))


def product_tombstone_payload(product) -> dict:
    """What a Delete of a product about to be deleted needs: who sends it (the Delete must come from the
    actor that sent the Create) and what it was."""
    return {"actor": MARKET_ACTOR, "title": product.title, "url": _product_url(product), "is_private": True}


def on_stock_record_saved(sender, instance, **kwargs) -> None:
    update_fields = kwargs.get("update_fields")
    if kwargs.get("raw") or (update_fields and set(update_fields) <= {"num_allocated"}):
        return  # a checkout's reservation is not a sale (module doc)
    product = Product.objects.filter(pk=instance.product_id).values("pk", "parent_id").first()
    if product is not None:
        product_report(product["parent_id"] or product["pk"], "stocked")


def on_stock_record_deleted(sender, instance, **kwargs) -> None:
    product = Product.objects.filter(pk=instance.product_id).values("pk", "parent_id").first()
    if product is not None:
        product_report(product["parent_id"] or product["pk"], "stocked")


# --- what social reads (settings.SOCIAL_FEDERATED_SOURCES, SOCIAL_ACTOR_SOURCES) -----------------------


def _absolute(url: str) -> str:
    return url if url.startswith(("http://", "https://")) else settings.SITE_URL + url


def _page_url(page) -> str:
    # SITE_URL plus the page's path: stable even if a Site row's hostname drifts.
    return settings.SITE_URL + urlsplit(page.get_url() or "/").path


def _product_url(product) -> str:
    return _absolute(product.get_absolute_url())


def _price(product) -> str:
    """ "£7.50", or "from £3.00" for a product whose variants cost different amounts; "" when unpriced."""
    records = StockRecord.objects.filter(
        Q(product=product) | Q(product__parent=product, product__is_public=True), price__isnull=False
    )
    prices = sorted({(record.price, record.price_currency) for record in records})
    if not prices:
        return ""
    price, code = prices[0]
    shown = currency(price, code)
    return f"from {shown}" if len(prices) > 1 else shown


def _images(product) -> list[dict]:
    images = []
    for image in product.images.all()[:IMAGES_MAX]:
        if not image.original:
            continue
        url = _absolute(image.original.url)
        images.append(
            {
                "url": url,
                "media_type": mimetypes.guess_type(url)[0] or "image/jpeg",
                "alt": image.caption or product.title,
            }
        )
    return images


def producer_profile(page) -> dict:
    """A producer page as the profile of its actor (@<page slug>)."""
    icon_url = ""
    if page.image is not None:
        try:
            icon_url = _absolute(page.image.get_rendition("fill-400x400").url)
        except Exception:  # a missing image file must not stop federation
            icon_url = ""
    summary = f"<p>{escape(page.intro)}</p>" if page.intro else ""
    if page.location:
        summary += f"<p>{escape(page.location)}</p>"
    return {"name": page.title, "summary": summary, "icon_url": icon_url, "profile_url": _page_url(page)}


def producer_actor_profile(slug: str) -> dict | None:
    """The profile of the producer whose live page has this slug; None when there is none."""
    from commerce.models import ProducerPage

    page = ProducerPage.objects.live().filter(slug=slug).select_related("image").first()
    return producer_profile(page) if page is not None else None


def product_source_payload(product_id: int) -> dict | None:
    """The payload of a product (settings.SOCIAL_FEDERATED_SOURCES), None once it is gone: a Note from
    @market attributed to its producers, with its price, pictures and page (social's note_build)."""
    product = Product.objects.select_related("product_class").filter(pk=product_id).first()
    if product is None:
        return None
    producers = producer_pages_for_product(product)
    price = _price(product)
    described = Truncator(strip_tags(product.description or "").strip()).chars(SUMMARY_CHARS)
    summary = described or ", ".join(filter(None, [product.title, price]))
    return {
        "object_type": "Note",
        "actor": MARKET_ACTOR,
        "product_id": product.pk,
        "title": product.title,
        "summary": summary,
        "price": price,
        "url": _product_url(product),
        "images": _images(product),
        "authors": [
            {"slug": page.slug, "name": page.title, "profile": producer_profile(page)} for page in producers
        ],
        "published": timezone.now().isoformat(),
        "is_private": not product_is_available(product),
    }


def market_page_object_key(page) -> str:
    """One object per week the market page is published in: each week's first publish is a Create (a new
    Note in followers' timelines), a re-publish in the same week an Update of that week's Note."""
    published = page.last_published_at or timezone.now()
    year, week, _ = timezone.localtime(published).isocalendar()
    return f"page:{page.pk}-{year}w{week:02d}"


def market_page_payload(page) -> dict:
    """The week's market page as a Note from @market: its title, intro and the pictures of the products
    it shows (what social's note_build reads, as for a product)."""
    from commerce.blocks import ProductsBlock

    chosen = [
        product
        for block in page.body
        if isinstance(block.block, ProductsBlock)
        for product in block.value["products"]
        if product is not None
    ]
    images = [image for product in chosen for image in _images(product)][:IMAGES_MAX]
    summary = Truncator(strip_tags(page.intro or "").strip()).chars(SUMMARY_CHARS)
    return {
        "object_type": "Note",
        "actor": MARKET_ACTOR,
        "page_id": page.pk,
        "title": page.title,
        "summary": summary or f"This week at the market: {page.title}",
        "url": _page_url(page),
        "images": images,
        "published": (page.last_published_at or timezone.now()).isoformat(),
        "is_private": page.get_view_restrictions().exists(),
    }
