"""Checkout views: Oscar's, except that collection skips the address and "Place order" goes to SumUp."""

from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views import generic
from oscar.apps.checkout import views
from oscar.apps.payment.exceptions import PaymentError, RedirectRequired

from commerce import services
from commerce.shipping.repository import CollectionPoint
from commerce.views import attempt_remember


class ShippingAddressView(views.ShippingAddressView):
    """The first step offers collection at the market stall, which needs no address, beside delivery."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["collection_method"] = CollectionPoint()
        return context

    def get_success_url(self):
        # An address typed in while collection was chosen: let the shopper choose the method again.
        basket = self.request.basket
        if self.checkout_session.is_shipping_method_set(basket) and not self.is_collecting(basket):
            return reverse("checkout:payment-method")
        return reverse("checkout:shipping-method")


class ShippingMethodView(views.ShippingMethodView):
    """Collection or delivery, chosen with or without an address; only delivery goes on to ask for one."""

    def get(self, request, *args, **kwargs):
        if not request.basket.is_shipping_required():
            return super().get(request, *args, **kwargs)
        self._methods = self.get_available_shipping_methods()
        if len(self._methods) == 1:
            self.checkout_session.use_shipping_method(self._methods[0].code)
            return self.get_success_response()
        return generic.FormView.get(self, request, *args, **kwargs)

    def get_success_url(self):
        basket = self.request.basket
        needs_address = basket.is_shipping_required() and not self.is_collecting(basket)
        if needs_address and not self.checkout_session.is_shipping_address_set():
            return reverse("checkout:shipping-address")
        return str(self.success_url)


# Placing the order calls SumUp, which must not happen inside the request's transaction.
@method_decorator(transaction.non_atomic_requests, name="dispatch")
class PaymentDetailsView(views.PaymentDetailsView):
    def get(self, request, *args, **kwargs):
        # SumUp collects the card details; there is nothing to fill in here, so go straight to the preview.
        if not self.preview:
            return redirect("checkout:preview")
        return super().get(request, *args, **kwargs)

    def build_submission(self, **kwargs):
        self.submission = super().build_submission(**kwargs)
        return self.submission

    def handle_payment(self, order_number, total, **kwargs):
        submission = self.submission
        try:
            attempt = services.payment_attempt_start(
                basket=submission["basket"],
                user=self.request.user,
                guest_email=self.checkout_session.get_guest_email() or "",
                order_number=order_number,
                shipping_method=submission["shipping_method"],
                shipping_address=submission["shipping_address"],
                total=total.incl_tax,
                currency=total.currency,
                absolute_url=self.request.build_absolute_uri,
            )
        except services.CheckoutRefused as exc:
            self.restore_frozen_basket()
            messages.error(self.request, str(exc))
            raise RedirectRequired(reverse("basket:summary")) from exc
        except services.PaymentStartFailed as exc:
            raise PaymentError(str(exc)) from exc
        attempt_remember(self.request, attempt)  # only this session (or user) may act on its return
        if attempt.state != "pending":  # a second "Place order" for a payment already made at SumUp
            raise RedirectRequired(reverse("commerce:sumup-return", args=[attempt.public_id]))
        raise RedirectRequired(attempt.hosted_checkout_url)
