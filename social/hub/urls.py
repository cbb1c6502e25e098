"""Public URLs of the hub: our notes' ActivityStreams documents (mounted from config/urls.py)."""

from django.urls import path

from . import views

urlpatterns = [
    path("ap/hub/notes/<id:note_id>", views.note_object, name="hub-note"),
]
