"""django-scheduler's own URLs (mounted at /events/ after ours), each behind a check of its numbers.

Its patterns take any run of digits (`\\d+`) and its views hand them to the database and to
datetime(): a 23-digit id, a month 13 or `?year=99999999999` there is a 500. The same patterns,
names and views are served here, but an address whose numbers cannot be an id or a date is a 404 and
a calendar page asked for a date no calendar can show is a 400.
"""

import datetime as dt
import functools

from django.http import Http404, HttpResponseBadRequest
from django.urls import re_path
from django.utils import timezone
from schedule import urls as scheduler_urls

from home.converters import IdConverter, TimestampConverter

DATE_PARTS = ("year", "month", "day", "hour", "minute", "second")
# The calendar pages' ?year=…: as far as the month grid reaches (events.display), and no further.
_YEARS_REACHABLE = 100


def _date_from_parts(parts: dict) -> dt.datetime:
    """The UTC datetime the parts name; ValueError (or OverflowError) if they name none we can use."""
    start = dt.datetime(*(int(parts[part]) for part in DATE_PARTS), tzinfo=dt.UTC)
    TimestampConverter().to_python(str(int(start.timestamp())))
    return start


def scheduler_address_check(kwargs: dict) -> None:
    """404 unless every id in the address fits a 64-bit integer and its date parts make a datetime."""
    try:
        for name, value in kwargs.items():
            if name.endswith("_id"):
                IdConverter().to_python(str(value))
        if "year" in kwargs:
            _date_from_parts(kwargs)
    except (ValueError, OverflowError):
        raise Http404("No such event or date") from None


def _query_date_ok(query) -> bool:
    """django-scheduler's calendar pages read year, month, … from the query string (coerce_date_dict:
    each part up to the first missing one) and call int() and datetime() on them unguarded."""
    if "year" not in query:
        return True
    parts = {"year": 1, "month": 1, "day": 1, "hour": 0, "minute": 0, "second": 0}
    for part in DATE_PARTS:
        if part not in query:
            break
        value = query[part]
        if not value.isdigit() or len(value) > 4:
            return False
        parts[part] = int(value)
    if abs(parts["year"] - timezone.localdate().year) > _YEARS_REACHABLE:
        return False
    try:
        _date_from_parts(parts)
    except (ValueError, OverflowError):
        return False
    return True


def scheduler_checked(view):
    @functools.wraps(view)
    def checked(request, *args, **kwargs):
        scheduler_address_check(kwargs)
        if not _query_date_ok(request.GET):
            return HttpResponseBadRequest("year, month, day, hour, minute and second must make a date")
        return view(request, *args, **kwargs)

    return checked


urlpatterns = [
    re_path(
        str(pattern.pattern.regex.pattern),
        scheduler_checked(pattern.callback),
        pattern.default_args,
        name=pattern.name,
    )
    for pattern in scheduler_urls.urlpatterns
]
