"""Importing products needs the permissions Oscar's dashboard asks for to add and edit a product."""

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from oscar.core.loading import get_model

from commerce.models import ProductImport
from tests.factories.accounts import UserFactory

Product = get_model("catalogue", "Product")
pytestmark = pytest.mark.django_db

LIST_URL = "/shop/dashboard/catalogue/imports/"
FEED = b'{"products": [{"sku": "P-1", "title": "Leeks", "price": "0.01", "stock": 1}]}'
PRODUCT_EDITING = ("view_product", "add_product", "change_product")


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


def _user(*codenames: str, app_label: str = "catalogue", **fields):
    user = UserFactory(**fields)
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)
    )
    return user


def _pages_answer(client, user):
    client.force_login(user)
    detail = ProductImport.objects.create(original_name="x.json")
    detail_url = reverse("commerce:product-import-detail", args=[detail.pk])
    upload = client.post(LIST_URL, {"file": SimpleUploadedFile("feed.json", FEED), "producer": ""})
    return client.get(LIST_URL).status_code, upload.status_code, client.get(detail_url).status_code


@pytest.mark.parametrize(
    "user_kwargs",
    [
        {"is_staff": True},
        {"is_staff": True, "codenames": ("view_product",)},
        {"is_staff": True, "codenames": ("view_product", "change_product")},
        {"is_staff": False, "codenames": PRODUCT_EDITING},
        {"is_staff": True, "codenames": PRODUCT_EDITING, "is_active": False},
    ],
    ids=["staff-only", "staff-view", "staff-view-change", "not-staff", "inactive"],
)
def test_product_import_without_product_edit_permission_is_refused(
    client, django_capture_on_commit_callbacks, user_kwargs
):
    codenames = user_kwargs.pop("codenames", ())
    user = _user(*codenames, **user_kwargs)
    with django_capture_on_commit_callbacks(execute=True):
        statuses = _pages_answer(client, user)
    if user.is_active:
        assert statuses == (403, 403, 403)
    else:  # an inactive account is logged out by the session check: sent to the login page
        assert all(status in (302, 403) for status in statuses)
    assert not Product.objects.exists() and ProductImport.objects.count() == 1


def test_product_import_partner_dashboard_user_is_refused(client, django_capture_on_commit_callbacks):
    # Oscar limits a partner user to their own products; an import keyed by SKU could rewrite anyone's.
    user = _user("dashboard_access", app_label="partner")
    with django_capture_on_commit_callbacks(execute=True):
        assert _pages_answer(client, user) == (403, 403, 403)
    assert not Product.objects.exists()


@pytest.mark.parametrize(
    "user_kwargs",
    [{"is_staff": True, "codenames": PRODUCT_EDITING}, {"is_staff": True, "is_superuser": True}],
    ids=["product-editor", "superuser"],
)
def test_product_import_with_product_edit_permission_is_allowed(
    client, django_capture_on_commit_callbacks, user_kwargs
):
    codenames = user_kwargs.pop("codenames", ())
    with django_capture_on_commit_callbacks(execute=True):
        statuses = _pages_answer(client, _user(*codenames, **user_kwargs))
    assert statuses == (200, 302, 200)
    assert Product.objects.get().upc == "P-1"


def test_dashboard_menu_offers_import_only_to_product_editors(client):
    client.force_login(_user(is_staff=True))
    page = client.get(reverse("dashboard:index")).content.decode()
    assert "Import products" not in page and f'href="{LIST_URL}"' not in page

    client.force_login(_user(*PRODUCT_EDITING, is_staff=True))
    page = client.get(reverse("dashboard:index")).content.decode()
    assert "Import products" in page and f'href="{LIST_URL}"' in page
