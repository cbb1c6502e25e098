"""App config for cms: fetches embeds after commit; its pages' reactions are live in the page cache.

What makes a cached page stale (a publish, a byline, a category, an image) is decided by the app that
owns the site root and its cache: home/apps.py.
"""

from django.apps import AppConfig


class CmsConfig(AppConfig):
    name = "cms"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from edge.page_cache import live_template_register

        from . import embeds, receivers

        embeds.embed_wanted.connect(receivers.on_embed_wanted, dispatch_uid="cms.embed_fetch")
        # A post's fediverse reactions change without a publish (cms/blog_post_page.html).
        live_template_register("social/post_reactions.html")
