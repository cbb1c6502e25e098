"""URL routes owned by social (mounted from config/urls.py)."""

urlpatterns: list = []
