"""Demo content for social: a welcome staff notification; the flows come from cms's seeded posts."""

from social.models import Flow, StaffNotification


def seed() -> str:
    # Publishing the demo blog posts (cms.demo) already ran their publish flows through the receivers.
    StaffNotification.objects.get_or_create(
        key="demo:welcome",
        defaults={
            "subject": "Welcome: urgent posts notify you here",
            "body": "Publishing a post in an urgent category emails the staff and adds a notification here. "
            "Every publish is logged under Flows.",
            "url": "/admin/flows/",
        },
    )
    return f"{Flow.objects.count()} flows in the log, {StaffNotification.objects.count()} staff notifications"
