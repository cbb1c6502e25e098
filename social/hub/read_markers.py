"""Read markers: what each editor has seen of the timeline and the notifications (only ever forward)."""

from django.db.models import Max
from django.utils import timezone

from .models import ReadMarker


def notifications_mark_read(user, up_to_id: int) -> None:
    """This editor has seen the notifications up to this id (others' read state is untouched)."""
    _marker_advance(user, "notifications_last_read_id", up_to_id)


def timeline_mark_read(user, up_to_id: int) -> None:
    """This editor has seen the timeline up to this id."""
    _marker_advance(user, "timeline_last_read_id", up_to_id)


def _marker_advance(user, field: str, up_to_id: int) -> None:
    # Only forward: an older page seen later must not make newer items unread again. One conditional
    # UPDATE, so two tabs of the same editor cannot move the marker back either.
    if not up_to_id:
        return
    ReadMarker.objects.get_or_create(user=user)
    ReadMarker.objects.filter(user=user, **{f"{field}__lt": up_to_id}).update(
        **{field: up_to_id, "updated": timezone.now()}
    )


def notifications_read_by_anyone() -> int:
    """The highest notification id any editor has seen: above it, nobody has read a notification."""
    return ReadMarker.objects.aggregate(top=Max("notifications_last_read_id"))["top"] or 0
