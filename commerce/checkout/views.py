"""Checkout views: Oscar's, except that "Place order" sends the shopper to SumUp's hosted checkout."""

from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from oscar.apps.checkout import views
from oscar.apps.payment.exceptions import PaymentError, RedirectRequired

from commerce import services
from commerce.views import attempt_remember


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
        raise RedirectRequired(attempt.hosted_checkout_url)
