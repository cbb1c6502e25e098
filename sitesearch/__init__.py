"""The one site search: blog posts, pages, products, producers and events on one results page."""
