"""Signals federation sends, so other apps (the hub) can react without federation importing them."""

from django.dispatch import Signal

# Sent after inbox processing of each verified activity, whatever federation made of it.
# kwargs: item (InboxItem; its state says whether federation processed or ignored it).
activity_received = Signal()
