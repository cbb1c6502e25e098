"""Commerce views: SumUp's return and webhook; the dashboard's refunds, payments to look at, imports;
Oscar's stock alert form."""

import logging
import uuid
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import permission_required, user_passes_test
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST
from oscar.apps.checkout.utils import CheckoutSessionData
from oscar.apps.customer.alerts.views import ProductAlertCreateView as OscarProductAlertCreateView
from oscar.core.loading import get_model
from sumup._events import EventPayloadError, EventSignatureError

from commerce import payments, refunds, services, tasks
from commerce.forms import ProductImportForm
from commerce.models import PaymentAttempt, PaymentRefund, ProductImport, WebhookReceipt
from commerce.permissions import product_import_allowed
from commerce.sumup_client import sumup_client

logger = logging.getLogger(__name__)
Basket = get_model("basket", "Basket")
Order = get_model("order", "Order")


def _product_import_check(user) -> bool:
    """Importing needs what editing any product in the dashboard needs. Oscar's dashboard rule for the
    rest: a visitor is sent to the dashboard login, a signed-in user without the permission gets a 403."""
    if product_import_allowed(user):
        return True
    if user.is_authenticated:
        raise PermissionDenied
    return False


product_import_required = user_passes_test(_product_import_check, login_url=reverse_lazy("dashboard:login"))

BASKET_KEPT = "Your basket is as you left it."
UNPAID_MESSAGES = {
    "declined": f"Your payment was declined, so no order was placed. {BASKET_KEPT}",
    "expired": f"The payment session expired, so no order was placed. {BASKET_KEPT}",
    "cancelled": f"You left the payment page without paying. {BASKET_KEPT}",
    "start_failed": f"We could not reach the payment provider. No payment was taken. {BASKET_KEPT}",
}
# Seconds before the "still confirming" page asks again (SumUp slow or down for a moment).
CONFIRMING_REFRESH_SECONDS = 5


# The SumUp return URLs this browser session was sent to (set by the checkout's payment step).
SESSION_ATTEMPTS = "sumup_attempts"


def attempt_remember(request, attempt: PaymentAttempt) -> None:
    request.session[SESSION_ATTEMPTS] = [
        *request.session.get(SESSION_ATTEMPTS, [])[-9:],
        str(attempt.public_id),
    ]


def _is_requester(request, attempt: PaymentAttempt) -> bool:
    """Whether the attempt is this shopper's: the user who started it, or the browser session that did.
    Anyone else holding the URL could otherwise cancel the payment or read the order's address."""
    if attempt.user_id is not None and attempt.user_id == request.user.pk:
        return True
    return str(attempt.public_id) in request.session.get(SESSION_ATTEMPTS, [])


# SumUp is called from these views, never inside the request's transaction (ATOMIC_REQUESTS).
@transaction.non_atomic_requests
@require_GET
def sumup_return(request, public_id):
    attempt = get_object_or_404(PaymentAttempt, public_id=public_id)
    if not _is_requester(request, attempt):
        if attempt.user_id is not None and not request.user.is_authenticated:
            # Signed out (or the session expired) while paying: sign in again and come back here.
            return redirect_to_login(request.get_full_path())
        # A guest whose browser lost its session, or anyone else holding the URL: nothing is acted on
        # or shown, but the shopper learns the payment is not lost (SumUp's webhook and the sweep
        # settle it without them, and email them the order or the refund).
        return render(request, "commerce/payment_elsewhere.html", status=404)
    # Places the order if SumUp says PAID; otherwise closes the checkout and gives the basket back.
    try:
        attempt = services.payment_attempt_settle(attempt.pk, returned=True)
    except Exception:  # SumUp down while asked about a closed checkout: SumUp's webhook tells us later
        logger.exception("Payment attempt %s: SumUp not asked again on the shopper's return", attempt.pk)
        attempt.refresh_from_db()
    if attempt.state == "placed":
        CheckoutSessionData(request).flush()
        request.session["checkout_order_id"] = attempt.order_id
        return redirect("checkout:thank-you")
    if attempt.state in PaymentAttempt.HOLDING_STATES:
        # SumUp did not answer in time: the runner keeps asking; the shopper's page asks again.
        response = render(
            request,
            "commerce/payment_confirming.html",
            {"refresh_seconds": CONFIRMING_REFRESH_SECONDS, "return_url": request.get_full_path()},
            status=202,
        )
        response["Refresh"] = str(CONFIRMING_REFRESH_SECONDS)
        return response
    if attempt.state in UNPAID_MESSAGES:
        _restore_basket(request, attempt)
        messages.error(request, UNPAID_MESSAGES[attempt.state])
    elif attempt.state in ("refunding", "refunded"):
        _restore_basket(request, attempt)
        messages.error(
            request,
            "Your payment went through, but we could not place the order, so it is being refunded "
            f"in full. {attempt.note} {BASKET_KEPT}",
        )
    else:
        messages.warning(request, "Your payment could not be matched to your basket. " + attempt.note)
    return redirect("basket:summary")


def _restore_basket(request, attempt: PaymentAttempt) -> None:
    """Make the thawed basket the shopper's basket again, keeping anything added meanwhile."""
    basket = Basket.objects.get(pk=attempt.basket_id)
    if basket.status != Basket.OPEN:
        return
    current = request.basket
    if current.id and current.id != basket.id:
        basket.merge(current, add_quantities=True)
    request.basket = basket  # Oscar's basket middleware re-issues the cookie for anonymous shoppers


@csrf_exempt
@transaction.non_atomic_requests
@require_POST
def sumup_webhook(request):
    with sumup_client() as client:
        try:
            event = client.parse_event_notification(
                request.body, request.headers.get("X-SumUp-Webhook-Signature"), settings.SUMUP_WEBHOOK_SECRET
            )
        except (EventSignatureError, EventPayloadError) as exc:
            logger.warning("Rejected SumUp webhook: %s", exc)
            return HttpResponseBadRequest("invalid signature or payload")
    if event.object.type != "checkout":
        return HttpResponse(status=204)
    if WebhookReceipt.objects.filter(event_id=event.id).exists():
        return HttpResponse(status=204)  # a replay: already acted on
    attempt = PaymentAttempt.objects.filter(sumup_checkout_id=event.object.id).first()
    try:
        # Not a checkout we know: SumUp is asked whose it is (one of ours whose answer we lost, or not).
        attempt = attempt or payments.attempt_for_unknown_checkout(event.object.id)
    except Exception as exc:
        logger.warning("SumUp webhook %s: could not ask SumUp about checkout: %s", event.id, exc)
        return HttpResponse("SumUp did not answer; send it again", status=503)
    if attempt is not None:
        # Wakes the attempt and settles it through the runner (an order, or a refund owed and
        # flagged); if SumUp cannot answer now, the runner's retries keep asking, so the news is
        # not lost with this delivery. A concurrent duplicate delivery settles nothing twice.
        try:
            services.payment_attempt_settle(attempt.pk)
        except Exception as exc:  # SumUp not answering about a closed checkout: SumUp sends it again
            logger.warning("SumUp webhook %s for a closed checkout not settled: %s", event.id, exc)
            return HttpResponse("SumUp did not answer; send it again", status=503)
    # Only now: a delivery that failed before this point (our database down) is sent again by SumUp.
    WebhookReceipt.objects.get_or_create(
        event_id=event.id, defaults={"event_type": event.type, "object_id": event.object.id}
    )
    return HttpResponse(status=204)


@transaction.non_atomic_requests
@require_POST
@permission_required("order.change_order", raise_exception=True)
def order_refund(request, number):
    order = get_object_or_404(Order, number=number)
    try:
        amount = Decimal(request.POST.get("amount", ""))
        # A key per submission: resubmitting the form is a deliberate second refund.
        key = f"dashboard-{order.number}-{uuid.uuid4().hex}"
        refund = refunds.order_refund(order, amount, key=key)
        if refund.state != "sent":
            raise refunds.RefundNotSent(refund.last_error or refund.get_state_display())
    except refunds.RefundNotSent as exc:
        # Staff are told now and decide; the sweep must not send it behind their back later.
        refund = PaymentRefund.objects.filter(key=key).first()
        if refund is not None:
            refunds.refund_give_up(refund.pk, str(exc), tell_staff=False)
        logger.warning("Refund of order %s not sent: %s", number, exc)
        messages.error(request, f"SumUp did not make the refund: {exc}")
    except (InvalidOperation, ValueError) as exc:
        messages.error(request, f"Refund not made: {exc}")
    except Exception as exc:  # SumUp refused or is unreachable: the refund is recorded as not sent
        logger.exception("Refund of order %s failed", number)
        messages.error(request, f"SumUp refused the refund: {exc}")
    else:
        messages.success(request, f"Refunded {amount} {order.currency} through SumUp.")
    return redirect("dashboard:order-detail", number=number)


@product_import_required
def product_import_list(request):
    """Upload a product file (runs as a task once stored) and list the recent imports."""
    form = ProductImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        product_import = form.save(request.user)
        if product_import is not None:
            messages.info(request, f"Importing {product_import.original_name}.")
            return redirect("commerce:product-import-detail", pk=product_import.pk)
    imports = ProductImport.objects.select_related("uploaded_by")[:20]
    return render(request, "commerce/dashboard/product_import_list.html", {"form": form, "imports": imports})


@product_import_required
@require_GET
def product_import_detail(request, pk):
    """An import's state, progress and report; the page refreshes itself until the import finishes."""
    product_import = get_object_or_404(ProductImport, pk=pk)
    return render(
        request, "commerce/dashboard/product_import_detail.html", {"product_import": product_import}
    )


@permission_required("order.change_order", raise_exception=True)
def payment_attention_list(request):
    """Payments staff must look at: paid without an order (refunded, or the refund failed), with why.
    Marking one resolved takes it off the list once staff have dealt with it."""
    if request.method == "POST":
        PaymentAttempt.objects.filter(pk=request.POST.get("attempt"), needs_attention=True).update(
            needs_attention=False
        )
        messages.success(request, "Marked as resolved.")
        return redirect("commerce:payment-attention")
    attempts = (
        PaymentAttempt.objects.filter(needs_attention=True).select_related("user").prefetch_related("refunds")
    )
    return render(request, "commerce/dashboard/payment_attention_list.html", {"attempts": attempts})


class ProductAlertCreateView(OscarProductAlertCreateView):
    """Oscar's "tell me when it is back" form (at Oscar's address), its confirmation email to an
    address sent once the alert has committed, not inside the request's transaction."""

    def form_valid(self, form):
        self.object = form.save()
        if self.object.is_anonymous:
            alert_id = self.object.pk
            transaction.on_commit(lambda: tasks.product_alert_confirmation.delay(alert_id))
        return HttpResponseRedirect(self.get_success_url())
