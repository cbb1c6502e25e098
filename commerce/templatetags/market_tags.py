"""Template tags linking the shop to the market pages."""

from django import template

from commerce.selectors import market_page, producer_pages_for_product

register = template.Library()


@register.simple_tag
def producer_pages(product) -> list:
    return producer_pages_for_product(product)


@register.simple_tag
def the_market_page():
    return market_page()
