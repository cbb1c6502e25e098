"""Oscar's search app, forked to load a page of catalogue results in bulk (see facets.py)."""
