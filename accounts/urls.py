"""URL routes owned by accounts (mounted at /account/ from config/urls.py)."""

from django.contrib.auth import views as auth_views
from django.urls import path

from . import newsletter_views, views

app_name = "accounts"

urlpatterns = [
    path("", views.DashboardView.as_view(), name="dashboard"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("signup/", views.SignupView.as_view(), name="signup"),
    path("signup/done/", views.signup_done, name="signup_done"),
    path("confirm/<uidb64>/<token>/", views.confirm_email, name="confirm_email"),
    path("confirm/resend/", views.confirm_email_resend, name="confirm_email_resend"),
    path("email/change/", views.email_change, name="email_change"),
    path("email/change/<str:signed>/", views.email_change_confirm, name="email_change_confirm"),
    path("password/reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password/reset/done/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(template_name="accounts/password_reset_complete.html"),
        name="password_reset_complete",
    ),
    path("password/change/", views.PasswordChangeView.as_view(), name="password_change"),
    path("apps/<id:application_id>/revoke/", views.connected_app_revoke, name="connected_app_revoke"),
    path("export/", views.data_export, name="data_export"),
    path("delete/", views.account_delete, name="delete"),
    path("newsletters/", newsletter_views.newsletter_signup, name="newsletter_signup"),
    path(
        "newsletters/<id:newsletter_id>/subscribe/",
        newsletter_views.newsletter_subscribe,
        name="newsletter_subscribe",
    ),
    path("newsletters/<id:newsletter_id>/leave/", newsletter_views.newsletter_leave, name="newsletter_leave"),
    path("newsletters/mail-events/", newsletter_views.mail_events, name="newsletter_mail_events"),
    path("newsletters/confirm/<str:signed>/", newsletter_views.newsletter_confirm, name="newsletter_confirm"),
    path(
        "newsletters/unsubscribe/<str:token>/",
        newsletter_views.newsletter_unsubscribe,
        name="newsletter_unsubscribe",
    ),
]
