"""Oscar's search app, forked to override classes beside this module (it keeps Oscar's label)."""

import oscar.apps.search.apps as apps


class SearchConfig(apps.SearchConfig):
    name = "commerce.search"
