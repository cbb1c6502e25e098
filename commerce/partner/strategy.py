"""Pricing strategy: stock records hold prices before VAT; the shop shows them with VAT, as UK shops do."""

from decimal import Decimal

from oscar.apps.partner import availability, strategy

from commerce.line_rules import line_options, line_refusal

STANDARD_VAT_RATE = Decimal("0.20")
# Most food is zero-rated in the UK; product classes listed here get no VAT added. Event tickets
# (events app, class "ticket") are priced as the organiser sets them, so nothing is added either.
ZERO_RATED_CLASS_SLUGS = frozenset({"food", "produce", "bakery", "ticket"})


class LineRulesChecked(availability.Base):
    """A line's availability: the product's own (stock), then every line rule (a ticket's quota).

    Oscar's basket quantity form and checkout ask this, so raising a ticket line's quantity is held
    to the same rules as adding it.
    """

    def __init__(self, product_availability: availability.Base, line):
        self.product_availability = product_availability
        self.line = line
        self.code = product_availability.code
        self.message = product_availability.message
        self.dispatch_date = product_availability.dispatch_date

    @property
    def num_available(self):
        return getattr(self.product_availability, "num_available", None)

    def is_purchase_permitted(self, quantity):
        permitted, reason = self.product_availability.is_purchase_permitted(quantity)
        if not permitted:
            return permitted, reason
        line = self.line
        refusal = line_refusal(line.product, line_options(line), quantity, basket_id=line.basket_id)
        if refusal is not None:
            return False, refusal.message
        return True, ""


class MarketPricing(
    strategy.UseFirstStockRecord, strategy.StockRequired, strategy.FixedRateTax, strategy.Structured
):
    rate = STANDARD_VAT_RATE

    def get_rate(self, product, stockrecord):
        product_class = product.get_product_class()
        if product_class and product_class.slug in ZERO_RATED_CLASS_SLUGS:
            return Decimal("0")
        return self.rate

    def parent_pricing_policy(self, product, children_stock):
        # Oscar prices a parent as whichever variant comes first; the market says "From" the cheapest.
        priced = sorted(
            (
                (child, record)
                for child, record in children_stock
                if record is not None and record.price is not None
            ),
            key=lambda pair: pair[1].price,
        )
        return super().parent_pricing_policy(product, priced)

    def fetch_for_line(self, line, stockrecord=None):
        info = super().fetch_for_line(line, stockrecord)
        return info._replace(availability=LineRulesChecked(info.availability, line))


class Selector:
    def strategy(self, request=None, user=None, **kwargs):
        return MarketPricing(request)
