"""Signal receivers: a federated page or source event calls one service; staff notifications are emailed."""

from social import registry, services, tasks


def on_page_published(sender, instance, **kwargs) -> None:
    # Wagtail also sends page_published when a revision is merely *scheduled*; only a live page counts.
    if kwargs.get("alias") or not instance.live or not registry.is_federated(instance):
        return
    # Wagtail names the published revision: the flow stores its id and builds the payload from it later.
    revision = kwargs.get("revision")
    revision_id = revision.pk if revision is not None else instance.live_revision_id
    services.page_event_handle(instance, "published", revision_id=revision_id)


def on_page_unpublished(sender, instance, **kwargs) -> None:
    if not registry.is_federated(instance):
        return
    services.page_event_handle(instance, "unpublished")


def on_page_deleted(sender, instance, **kwargs) -> None:
    # pre_delete: the page and its relations still exist, so its payload can still be read.
    if not registry.is_federated(instance) or not instance.live:
        return
    services.page_event_handle(instance, "deleted")


def on_source_reported(
    sender, object_key: str, kind: str, is_private: bool, payload: dict | None = None, **kwargs
) -> None:
    # Sent after the source's change committed (commerce.federation): the flow starts in its own
    # transaction, as for an event.
    services.source_event_handle(object_key, kind, is_private=is_private, payload=payload)


def on_behavior_wanted(sender, behavior: str, object_key: str, event: str, payload: dict, **kwargs) -> None:
    # Sent inside the app's own transaction (commerce, with the payment's row locked): the flow is
    # written with it, and runs once it commits.
    services.flow_start_once(behavior=behavior, event=event, object_key=object_key, payload=payload)


def on_staff_notification_created(sender, notification_id: int, **kwargs) -> None:
    # Sent on commit by the engine: the notification row exists for the task to read.
    tasks.notification_email_task.delay(notification_id)
