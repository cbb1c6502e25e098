"""URL routes owned by events (mounted from config/urls.py)."""

urlpatterns: list = []
