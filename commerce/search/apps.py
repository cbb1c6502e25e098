"""Oscar's search app, forked to override classes beside this module (it keeps Oscar's label)."""

from django.conf import settings
from django.urls import path
from django.utils.module_loading import import_string
from oscar.apps.search import apps


class SearchConfig(apps.SearchConfig):
    name = "commerce.search"

    def ready(self):
        # Oscar's ready() loads its Haystack FacetedSearchView; the catalogue views are in views.py.
        pass

    def get_urls(self):
        # /shop/search/ is the site search's page (named by a setting: commerce imports none of the
        # apps that read it), still in Oscar's `search` namespace for the templates that link to it.
        return self.post_process_urls([path("", import_string(settings.SHOP_SEARCH_VIEW), name="search")])
