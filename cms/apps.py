"""App config for cms: connects the receivers that keep cached header fragments fresh."""

from django.apps import AppConfig, apps
from django.conf import settings


class CmsConfig(AppConfig):
    name = "cms"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in, user_logged_out
        from django.db.models.signals import post_delete, post_save
        from taggit.models import Tag
        from wagtail.images import get_image_model
        from wagtail.models import PageViewRestriction, Site
        from wagtail.signals import page_published, page_unpublished, post_page_move

        from . import embeds, receivers
        from .models import Author, BlogCategory, NavigationSettings

        embeds.embed_wanted.connect(receivers.on_embed_wanted, dispatch_uid="cms.embed_fetch")
        post_save.connect(receivers.on_navigation_saved, sender=NavigationSettings)
        page_published.connect(receivers.on_navigation_changed)
        page_unpublished.connect(receivers.on_navigation_changed)
        post_page_move.connect(receivers.on_navigation_changed)
        post_delete.connect(receivers.on_page_deleted)
        # Bylines, category names, tags, images and site names show on cached anonymous pages, and a
        # new privacy setting must take a page away from anonymous readers at once.
        for model in (Author, BlogCategory, Tag, get_image_model(), Site, PageViewRestriction):
            post_save.connect(receivers.on_content_changed, sender=model)
            post_delete.connect(receivers.on_content_changed, sender=model)

        # Oscar's basket models are looked up by label so a fork of the basket app is honoured.
        line_model = apps.get_model("basket", "Line")
        basket_model = apps.get_model("basket", "Basket")
        post_save.connect(receivers.on_basket_line_changed, sender=line_model)
        post_delete.connect(receivers.on_basket_line_changed, sender=line_model)
        post_save.connect(receivers.on_basket_changed, sender=basket_model)
        post_delete.connect(receivers.on_basket_changed, sender=basket_model)

        user_logged_in.connect(receivers.on_user_session_changed)
        user_logged_out.connect(receivers.on_user_session_changed)
        post_save.connect(receivers.on_user_saved, sender=settings.AUTH_USER_MODEL)
