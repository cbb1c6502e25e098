"""URL routes owned by commerce (mounted from config/urls.py)."""

urlpatterns: list = []
