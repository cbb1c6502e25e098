"""App config for home: Site rows that follow SITE_URL, URL converters, the market's fragments, the
chrome, and what makes the cached pages stale (in the app: edge/page_cache.py; at the front door)."""

from django.apps import AppConfig, apps
from django.db.models.signals import post_delete, post_migrate, post_save


class HomeConfig(AppConfig):
    name = "home"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import receivers
        from .converters import converters_register
        from .fragments import fragments_register
        from .receivers import on_post_migrate, on_products_changed

        converters_register()  # before any URLconf (ours, Wagtail hooks') is built

        post_migrate.connect(on_post_migrate, sender=self)

        fragments_register()
        self._page_cache_receivers_connect(receivers)
        self._chrome_receivers_connect(receivers)
        # Each source's rows, looked up by label so Oscar forks are honoured.
        sources = {
            on_products_changed: [
                ("catalogue", "Product"),
                ("catalogue", "ProductImage"),
                ("catalogue", "ProductCategory"),
                ("partner", "StockRecord"),
                ("partner", "Partner"),
            ],
        }
        for receiver, labels in sources.items():
            for app_label, model_name in labels:
                model = apps.get_model(app_label, model_name)
                uid = f"home.fragments.{app_label}.{model_name}"
                post_save.connect(receiver, sender=model, dispatch_uid=uid)
                post_delete.connect(receiver, sender=model, dispatch_uid=uid)

    def _page_cache_receivers_connect(self, receivers) -> None:
        """Every cached page is dropped when anything it may show changes: a published, moved or
        deleted page changes listings and menus; bylines, category names, tags, images and site
        names show on pages; a new privacy setting must take a page from anonymous readers at once.
        (The calendar's and the market's changes reach it through cms.fragments.)"""
        from taggit.models import Tag
        from wagtail.images import get_image_model
        from wagtail.models import PageViewRestriction, Site
        from wagtail.signals import page_published, page_unpublished, post_page_move

        from cms.fragments import fragment_source_bumped
        from cms.models import Author, BlogCategory

        fragment_source_bumped.connect(
            receivers.on_fragment_source_bumped, dispatch_uid="home-door-fragments"
        )
        page_published.connect(receivers.on_content_changed)
        page_unpublished.connect(receivers.on_content_changed)
        post_page_move.connect(receivers.on_content_changed)
        for model in (Author, BlogCategory, Tag, get_image_model(), Site, PageViewRestriction):
            post_save.connect(receivers.on_content_changed, sender=model)
            post_delete.connect(receivers.on_content_changed, sender=model)

    def _chrome_receivers_connect(self, receivers) -> None:
        """The header's cached fragments follow their sources: sites, menus, baskets, the signed-in user."""
        from django.conf import settings
        from django.contrib.auth.signals import user_logged_in, user_logged_out
        from wagtail.models import Site
        from wagtail.signals import page_published, page_unpublished, post_page_move

        from cms.models import NavigationSettings

        post_save.connect(receivers.on_sites_changed, sender=Site)
        post_delete.connect(receivers.on_sites_changed, sender=Site)
        post_save.connect(receivers.on_navigation_saved, sender=NavigationSettings)
        page_published.connect(receivers.on_navigation_changed)
        page_unpublished.connect(receivers.on_navigation_changed)
        post_page_move.connect(receivers.on_navigation_changed)
        post_delete.connect(receivers.on_page_deleted)
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
