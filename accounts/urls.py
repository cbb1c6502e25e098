"""URL routes owned by accounts (mounted from config/urls.py)."""

urlpatterns: list = []
