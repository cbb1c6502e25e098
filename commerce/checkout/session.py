"""Oscar's checkout session, where collecting at the market stall needs no shipping address.

The shopper chooses how to get the order first; only delivery asks for an address. Oscar's own
`is_shipping_required()` stays true (the goods are physical and stock is tracked), so the rule is
keyed on the chosen method rather than on the basket.
"""

from oscar.apps.checkout import session

from commerce.shipping.repository import CollectionPoint


class CheckoutSessionMixin(session.CheckoutSessionMixin):
    def is_collecting(self, basket) -> bool:
        return self.checkout_session.shipping_method_code(basket) == CollectionPoint.code

    def check_shipping_data_is_captured(self, request):
        # The method first: it decides whether an address is needed at all.
        if request.basket.is_shipping_required():
            self.check_a_valid_shipping_method_is_captured()
        super().check_shipping_data_is_captured(request)

    def check_a_valid_shipping_address_is_captured(self):
        if self.is_collecting(self.request.basket):
            return
        super().check_a_valid_shipping_address_is_captured()

    def get_shipping_address(self, basket):
        # An address typed in before switching to collection must not end up on the order.
        if self.is_collecting(basket):
            return None
        return super().get_shipping_address(basket)
