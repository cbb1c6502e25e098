"""Wagtail's admin app, with its moderation emails sent after commit (see cms.receivers)."""

from wagtail.admin.apps import WagtailAdminAppConfig


class WagtailAdminConfig(WagtailAdminAppConfig):
    def ready(self) -> None:
        super().ready()  # connects Wagtail's own email receivers, which the swap replaces
        from cms.receivers import workflow_mail_after_commit

        workflow_mail_after_commit()
