"""Signals accounts' services send once their transaction commits; receivers.py queues the work.

The services import no tasks: what runs on a worker is the receiver's business, connected in apps.py.
"""

from django.dispatch import Signal

# An account email to send off the request: template_prefix, to, context.
account_email_wanted = Signal()
# A newsletter issue frozen and ready to go out: issue_id.
newsletter_issue_queued = Signal()
