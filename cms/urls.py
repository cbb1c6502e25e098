"""URL routes owned by cms (mounted from config/urls.py)."""

urlpatterns: list = []
