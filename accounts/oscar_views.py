"""Oscar's dashboard "send a password reset email", mailed after the request commits."""

from django.apps import apps
from django.http import HttpResponseRedirect
from oscar.apps.dashboard.users.views import PasswordResetView as OscarPasswordResetView

from .forms import PasswordResetAfterCommitForm
from .views import PasswordResetView


class OscarDashboardPasswordResetView(OscarPasswordResetView):
    """Oscar's dashboard "send a password reset email", mailed after the request's transaction
    commits (Oscar's form mails from inside it) and the same email as the member's own reset page."""

    form_class = PasswordResetAfterCommitForm

    def form_valid(self, form):
        form.save(
            request=self.request,
            use_https=self.request.is_secure(),
            subject_template_name=PasswordResetView.subject_template_name,
            email_template_name=PasswordResetView.email_template_name,
            html_email_template_name=PasswordResetView.html_email_template_name,
        )
        return HttpResponseRedirect(self.get_success_url())


def oscar_dashboard_password_reset():
    """The view, behind the permissions Oscar's dashboard asks for it."""
    from oscar.views.decorators import permissions_required

    config = apps.get_app_config("users_dashboard")
    permissions = config.get_permissions("user-password-reset")
    decorator = permissions_required(permissions, login_url=config.login_url)
    return decorator(OscarDashboardPasswordResetView.as_view())
