"""URL routes owned by social (mounted from config/urls.py)."""

from django.urls import include, path

from social import views

urlpatterns: list = [
    path("flows/", views.flow_list, name="social-flow-list"),
    path("flows/<id:flow_id>/", views.flow_detail, name="social-flow-detail"),
    path("flows/<id:flow_id>/graph.svg", views.flow_graph_svg, name="social-flow-graph"),
    path("", include("social.federation.urls")),
]
