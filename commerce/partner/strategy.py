"""Pricing strategy: stock records hold prices before VAT; the shop shows them with VAT, as UK shops do."""

from decimal import Decimal

from oscar.apps.partner import strategy

STANDARD_VAT_RATE = Decimal("0.20")
# Most food is zero-rated in the UK; product classes listed here get no VAT added. Event tickets
# (events app, class "ticket") are priced as the organiser sets them, so nothing is added either.
ZERO_RATED_CLASS_SLUGS = frozenset({"food", "produce", "bakery", "ticket"})


class MarketPricing(
    strategy.UseFirstStockRecord, strategy.StockRequired, strategy.FixedRateTax, strategy.Structured
):
    rate = STANDARD_VAT_RATE

    def get_rate(self, product, stockrecord):
        product_class = product.get_product_class()
        if product_class and product_class.slug in ZERO_RATED_CLASS_SLUGS:
            return Decimal("0")
        return self.rate


class Selector:
    def strategy(self, request=None, user=None, **kwargs):
        return MarketPricing(request)
