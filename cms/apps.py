"""App config for cms: connects the receivers that keep cached pages fresh and fetch embeds after commit."""

from django.apps import AppConfig


class CmsConfig(AppConfig):
    name = "cms"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save
        from taggit.models import Tag
        from wagtail.images import get_image_model
        from wagtail.models import PageViewRestriction, Site
        from wagtail.signals import page_published, page_unpublished, post_page_move

        from . import embeds, receivers
        from .models import Author, BlogCategory

        embeds.embed_wanted.connect(receivers.on_embed_wanted, dispatch_uid="cms.embed_fetch")
        # A published, moved or deleted page changes listings (its menus are home's: home/apps.py).
        page_published.connect(receivers.on_content_changed)
        page_unpublished.connect(receivers.on_content_changed)
        post_page_move.connect(receivers.on_content_changed)
        post_delete.connect(receivers.on_page_deleted)
        # Bylines, category names, tags, images and site names show on cached anonymous pages, and a
        # new privacy setting must take a page away from anonymous readers at once.
        for model in (Author, BlogCategory, Tag, get_image_model(), Site, PageViewRestriction):
            post_save.connect(receivers.on_content_changed, sender=model)
            post_delete.connect(receivers.on_content_changed, sender=model)
