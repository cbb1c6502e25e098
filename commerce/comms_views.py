"""Oscar's dashboard email template page: its "send a preview email" goes outside the request transaction."""

from django.apps import apps
from django.db import transaction
from django.utils.decorators import method_decorator
from oscar.apps.dashboard.communications.views import UpdateView as OscarCommunicationUpdateView


# Oscar hands the preview to SMTP from inside the request's transaction (ATOMIC_REQUESTS), where the
# mail server's wait holds the transaction open. The page writes at most its one template row, which
# autocommit saves as atomically as the request's transaction did.
@method_decorator(transaction.non_atomic_requests, name="dispatch")
class CommunicationUpdateView(OscarCommunicationUpdateView):
    pass


def communication_update():
    """The view, behind the permissions Oscar's dashboard asks for it."""
    from oscar.views.decorators import permissions_required

    config = apps.get_app_config("communications_dashboard")
    decorator = permissions_required(config.get_permissions("comms-update"), login_url=config.login_url)
    return decorator(CommunicationUpdateView.as_view())
