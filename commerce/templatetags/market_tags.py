"""Template tags linking the shop to the market pages."""

from django import template

from commerce.selectors import market_page, producer_pages_for_product, product_variants_prefetch
from commerce.variants import product_line_title

register = template.Library()


@register.simple_tag
def producer_pages(product) -> list:
    return producer_pages_for_product(product)


@register.simple_tag
def the_market_page():
    return market_page()


@register.simple_tag
def prefetch_variants(product) -> str:
    """Prefetch a parent's variants before Oscar's product page reads them (its view is not ours)."""
    product_variants_prefetch(product)
    return ""


@register.filter
def line_title(product) -> str:
    """`{{ product|line_title }}`: a variant named with its product ("Wildflower honey — 340 g jar")."""
    return product_line_title(product)
