"""Read-side queries for the market pages and the shop: product cards, producers and their pages."""

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, prefetch_related_objects
from oscar.core.loading import get_model

Product = get_model("catalogue", "Product")
Partner = get_model("partner", "Partner")
StockRecord = get_model("partner", "StockRecord")


def products_for_cards(*conditions: Q, **filters) -> QuerySet:
    """Public, browsable products (parents and standalones) with what a product card shows, prefetched."""
    return (
        Product.objects.browsable()
        .filter(*conditions, **filters)
        .distinct()
        .select_related("product_class", "parent")
        .prefetch_related("images", "stockrecords", "children__stockrecords", "categories")
        .order_by("title")
    )


def products_by_producer(partner: Partner | int) -> QuerySet:
    """A producer's products, whether the stock records hang on the product or on its variants."""
    return products_for_cards(Q(stockrecords__partner=partner) | Q(children__stockrecords__partner=partner))


def producer_page_for(partner: Partner | None):
    from commerce.models import ProducerPage

    if partner is None:
        return None
    return ProducerPage.objects.live().filter(partner=partner).first()


def producer_pages_for_product(product) -> list:
    """The live producer pages of whoever stocks this product (or its variants), in one query."""
    from commerce.models import ProducerPage

    stocked_by = StockRecord.objects.filter(Q(product=product) | Q(product__parent=product))
    partner_ids = stocked_by.values("partner_id")
    return list(ProducerPage.objects.live().filter(partner_id__in=partner_ids))


def product_variants_prefetch(product) -> None:
    """Load a parent's public variants and their stock records onto it (two queries), in place.

    Oscar's pricing strategy and add-to-basket form read `get_public_children()`, which uses this
    prefetch when it is there and otherwise queries again, and then once per variant for its stock.
    """
    if product.is_parent and not hasattr(product, "_prefetched_public_children"):
        variants = Product.objects.public().prefetch_related("stockrecords")
        prefetch_related_objects(
            [product], Prefetch("children", queryset=variants, to_attr="_prefetched_public_children")
        )


def market_page():
    from commerce.models import MarketPage

    return MarketPage.objects.live().first()


def products_for_catalogue() -> QuerySet:
    """The catalogue's browsable products with what Oscar's product card reads, prefetched: a parent's
    price and stock come from its public variants' stock records (Oscar's Structured strategy reads
    `get_public_children()`), so a page of cards costs the same queries whatever it shows."""
    option = get_model("catalogue", "Option")
    return (
        Product.objects.browsable()
        .select_related("product_class")
        # What Oscar's `has_options` reads instead of a query per card (its base_queryset's annotations,
        # without the prefetches of every child and option that a card never reads).
        .annotate(
            has_product_class_options=Exists(option.objects.filter(productclass=OuterRef("product_class"))),
            has_product_options=Exists(option.objects.filter(product=OuterRef("pk"))),
        )
        .prefetch_related("stockrecords", "images")
        .prefetch_public_children(Product.objects.public().prefetch_related("stockrecords"))
    )
