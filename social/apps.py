"""App config for social: connects the page-event receivers (per federated model) and the staff email."""

from django.apps import AppConfig


class SocialConfig(AppConfig):
    name = "social"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import pre_delete
        from wagtail.signals import page_published, page_unpublished

        from social import receivers, registry
        from social.signals import staff_notification_created

        staff_notification_created.connect(
            receivers.on_staff_notification_created, dispatch_uid="social.staff_notification_email"
        )
        page_published.connect(receivers.on_page_published, dispatch_uid="social.page_published")
        page_unpublished.connect(receivers.on_page_unpublished, dispatch_uid="social.page_unpublished")
        # Deletion has no Wagtail signal; pre_delete is connected per federated model (not to every
        # model, which would turn off Django's fast deletes everywhere).
        for model in registry.federated_models():
            pre_delete.connect(
                receivers.on_page_deleted,
                sender=model,
                dispatch_uid=f"social.page_deleted.{model._meta.label}",
            )
        # Apps that may not import social (commerce) report their sources' changes on a signal of
        # their own, named in settings: social connects to it here.
        for signal in registry.source_signals():
            signal.connect(receivers.on_source_reported, dispatch_uid=f"social.source_reported.{id(signal)}")
        # Their multi-step business processes (a payment's settlement) run as behaviors in the flow log.
        for signal in registry.behavior_signals():
            signal.connect(receivers.on_behavior_wanted, dispatch_uid=f"social.behavior_wanted.{id(signal)}")
