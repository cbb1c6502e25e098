"""Admin screens for staff only: Wagtail's own `access_admin` check lets editors in too."""

from functools import wraps

from django.core.exceptions import PermissionDenied


def staff_only(view):
    """403 for anyone signed in to the admin who is not staff (the flow log, the runner's rows)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_staff:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped
