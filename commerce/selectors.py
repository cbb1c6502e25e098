"""Read-side queries for the market pages and the shop: product cards, producers and their pages."""

from django.db.models import Q, QuerySet
from oscar.core.loading import get_model

Product = get_model("catalogue", "Product")
Partner = get_model("partner", "Partner")


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
    """The live producer pages of whoever stocks this product (or its variants)."""
    from commerce.models import ProducerPage

    partner_ids = {record.partner_id for record in product.stockrecords.all()}
    for child in product.children.all() if product.is_parent else ():
        partner_ids.update(record.partner_id for record in child.stockrecords.all())
    return list(ProducerPage.objects.live().filter(partner_id__in=partner_ids))


def market_page():
    from commerce.models import MarketPage

    return MarketPage.objects.live().first()
