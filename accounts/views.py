"""Account pages: log in and out, sign up and confirm, password reset, dashboard, data rights."""

import json

from django.contrib import messages
from django.contrib.auth import get_user_model, login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import INTERNAL_RESET_SESSION_TOKEN
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_POST
from django.views.generic import FormView, TemplateView

from . import deletion, selectors, services
from .dashboard import dashboard_sections
from .forms import (
    AccountDeleteForm,
    EmailChangeForm,
    LoginForm,
    PasswordResetAfterCommitForm,
    ProfileForm,
    SignupForm,
)

LOGIN_BACKEND = "oscar.apps.customer.auth_backends.EmailBackend"


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    # Throttling is django-axes' (settings AXES_*): its backend refuses a locked-out email or
    # address before the password is checked and its middleware answers with the lockout page.
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    """POST only (Django's default): a link or an image tag cannot log a member out."""

    next_page = "/"


class SignupView(FormView):
    template_name = "accounts/signup.html"
    form_class = SignupForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            return redirect("accounts:dashboard")
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        services.user_signup(
            email=form.cleaned_data["email"],
            password=form.cleaned_data["password"],
            first_name=form.cleaned_data["first_name"],
            last_name=form.cleaned_data["last_name"],
        )
        # The same answer whether or not the address already had an account.
        self.request.session["signup_email"] = form.cleaned_data["email"]
        return redirect("accounts:signup_done")


def signup_done(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/signup_done.html", {"email": request.session.get("signup_email", "")})


def confirm_email(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    user = services.user_confirm_email(uidb64, token)
    if user is None:
        return render(request, "accounts/confirm_invalid.html", status=400)
    if not request.user.is_authenticated or request.user.pk == user.pk:
        login(request, user, backend=LOGIN_BACKEND)
    messages.success(request, "Thank you, your email address is confirmed.")
    return redirect("accounts:dashboard")


@require_POST
@login_required
def confirm_email_resend(request: HttpRequest) -> HttpResponse:
    if not request.user.email_verified:
        services.user_send_confirmation(request.user)
    messages.info(request, f"We sent a new confirmation link to {request.user.email}.")
    return redirect("accounts:dashboard")


@login_required
def email_change(request: HttpRequest) -> HttpResponse:
    form = EmailChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        new_email = form.cleaned_data["new_email"]
        try:
            services.user_email_change_request(request.user, new_email)
        except services.EmailChangeTooSoon:
            form.add_error(
                None, "You asked for a change a few minutes ago: follow the link we sent, or try again later."
            )
            return render(request, "accounts/email_change.html", {"form": form}, status=429)
        # The same answer whether or not the address already has an account.
        messages.info(
            request,
            f"We sent a link to {new_email}. Your address changes when you follow it; "
            f"until then you log in with {request.user.email}.",
        )
        return redirect("accounts:dashboard")
    return render(request, "accounts/email_change.html", {"form": form}, status=400 if form.errors else 200)


def email_change_confirm(request: HttpRequest, signed: str) -> HttpResponse:
    user = services.user_email_change_confirm(signed)
    if user is None:
        return render(request, "accounts/confirm_invalid.html", status=400)
    messages.success(request, f"Your email address is now {user.email}.")
    return redirect("accounts:dashboard")


class PasswordResetView(auth_views.PasswordResetView):
    """Django's view already answers the same for unknown addresses; we add our templates."""

    form_class = PasswordResetAfterCommitForm
    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/email/password_reset.txt"
    html_email_template_name = "accounts/email/password_reset.html"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")
    post_reset_login = True
    post_reset_login_backend = LOGIN_BACKEND

    def form_valid(self, form):
        # The link was checked when the request began; a second submission of it (another tab, a
        # double click) may have been checked at the same moment. Lock the account and check again:
        # the first to save changes the password hash, which spends the link for the other.
        account = get_user_model().objects.select_for_update().get(pk=self.user.pk)
        token = self.request.session.get(INTERNAL_RESET_SESSION_TOKEN)
        if not self.token_generator.check_token(account, token):
            self.validlink = False  # the answer Django gives a spent link
            return self.render_to_response(self.get_context_data())
        form.user = self.user = account
        # Following the emailed link proves the address as well.
        form.user.email_verified = True
        return super().form_valid(form)


@method_decorator(login_required, name="dispatch")
class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:dashboard")

    def form_valid(self, form):
        messages.success(self.request, "Your password is changed.")
        return super().form_valid(form)


@method_decorator(login_required, name="dispatch")
class DashboardView(TemplateView):
    template_name = "accounts/dashboard.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        sections = [
            {
                "section": section,
                "html": render_to_string(section.template, {"user": user, **section.context(user)}),
            }
            for section in dashboard_sections()
        ]
        return super().get_context_data(
            profile_form=kwargs.pop("profile_form", None) or ProfileForm(instance=user),
            orders=selectors.orders_for_user(user)[:10],
            newsletters=selectors.newsletters_offered_to(user),
            connected_apps=selectors.connected_apps_for_user(user),
            sections=sections,
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        form = ProfileForm(request.POST, instance=request.user)
        if form.is_valid():
            form.save()
            messages.success(request, "Your profile is saved.")
            return redirect("accounts:dashboard")
        return self.render_to_response(self.get_context_data(profile_form=form), status=400)


@require_POST
@login_required
def connected_app_revoke(request: HttpRequest, application_id: int) -> HttpResponse:
    services.connected_app_revoke(request.user, application_id)
    messages.success(request, "That app can no longer use your account.")
    return redirect(reverse("accounts:dashboard") + "#apps")


@login_required
def data_export(request: HttpRequest) -> HttpResponse:
    data = selectors.user_data_export(request.user)
    data["exported_at"] = timezone.now().isoformat()
    response = HttpResponse(json.dumps(data, indent=2, default=str), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="my-data-{timezone.now():%Y%m%d}.json"'
    return response


@login_required
def account_delete(request: HttpRequest) -> HttpResponse:
    form = AccountDeleteForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        deletion.user_delete(request.user)
        logout(request)
        messages.success(request, "Your account is deleted. Thank you for having been with us.")
        return redirect("/")
    return render(request, "accounts/delete.html", {"form": form}, status=400 if form.errors else 200)
