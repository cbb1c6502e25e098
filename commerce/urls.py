"""URL routes owned by commerce (mounted at /shop/ before Oscar's own URLs)."""

from django.urls import path, re_path

from commerce import views
from commerce.comms_views import communication_update

app_name = "commerce"

urlpatterns = [
    path("sumup/return/<uuid:public_id>/", views.sumup_return, name="sumup-return"),
    path("sumup/webhook/", views.sumup_webhook, name="sumup-webhook"),
    path("dashboard/orders/<str:number>/refund/", views.order_refund, name="order-refund"),
    path("dashboard/payments/attention/", views.payment_attention_list, name="payment-attention"),
    path("dashboard/catalogue/imports/", views.product_import_list, name="product-import-list"),
    # Oscar's own address, so its product pages' alert form posts here.
    path("accounts/alerts/create/<id:pk>/", views.ProductAlertCreateView.as_view(), name="alert-create"),
    path("dashboard/catalogue/imports/<id:pk>/", views.product_import_detail, name="product-import-detail"),
    # Oscar's own address (its slug pattern too), so its email templates page is ours.
    re_path(r"^dashboard/comms/(?P<slug>[\w-]+)/$", communication_update(), name="comms-update"),
]
