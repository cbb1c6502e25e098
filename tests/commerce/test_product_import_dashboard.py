"""Staff import products from Oscar's dashboard: the upload runs as a task and its report is shown."""

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from oscar.core.loading import get_model

from commerce import product_imports
from commerce.models import ProductImport
from durable import runner
from tests.factories.accounts import UserFactory

Product = get_model("catalogue", "Product")
StockRecord = get_model("partner", "StockRecord")
pytestmark = pytest.mark.django_db

FIXTURE_CSV = (product_imports.Path(__file__).parent / "fixtures" / "products.csv").read_bytes()
LIST_URL = "/shop/dashboard/catalogue/imports/"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


@pytest.fixture
def staff_client(client):
    # Importing needs what editing products in Oscar's dashboard needs (see commerce.permissions).
    user = UserFactory(is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="catalogue",
            codename__in=["view_product", "add_product", "change_product"],
        )
    )
    client.force_login(user)
    return client


def _upload(client, name, data, producer="Valley Growers"):
    return client.post(LIST_URL, {"file": SimpleUploadedFile(name, data), "producer": producer})


def test_product_import_upload_runs_task_after_commit_and_reports(
    staff_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = _upload(staff_client, "products.csv", FIXTURE_CSV)
    product_import = ProductImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("commerce:product-import-detail", args=[product_import.pk])
    # Nothing runs before the row is committed: the task would not find it otherwise.
    assert (product_import.state, len(callbacks)) == ("pending", 1)
    assert not Product.objects.filter(upc__startswith="IMP-").exists()
    pending = staff_client.get(response["Location"])
    assert b'http-equiv="refresh"' in pending.content and b"0 of 4 rows" in pending.content

    callbacks[0]()  # the commit happens: the (eager) task runs the importer
    product_import.refresh_from_db()
    assert product_import.state == "done"
    assert (product_import.rows_total, product_import.rows_done) == (4, 4)
    assert (product_import.created_count, product_import.updated_count) == (2, 0)
    assert product_import.rejected == [[3, "missing sku"], [4, "price 'cheap' is not a number"]]
    assert StockRecord.objects.get(partner_sku="IMP-JAM-1").partner.name == "Hillside Farm"
    assert product_import.file.read() == FIXTURE_CSV

    page = staff_client.get(response["Location"]).content.decode()
    assert "Finished" in page and 'http-equiv="refresh"' not in page
    assert "<td>3</td><td>missing sku</td>" in page
    assert "<td>4</td><td>price &#x27;cheap&#x27; is not a number</td>" in page


def test_product_import_again_updates_by_sku_and_uses_default_producer(
    staff_client, django_capture_on_commit_callbacks
):
    feed = b'{"products": [{"sku": "F-1", "title": "Leeks", "price": "1.20", "stock": 30}]}'
    with django_capture_on_commit_callbacks(execute=True):
        _upload(staff_client, "feed.json", feed)
        _upload(staff_client, "feed.json", feed.replace(b"30", b"4"))
    first, second = ProductImport.objects.order_by("pk")
    assert (first.created_count, second.created_count, second.updated_count) == (1, 0, 1)
    record = StockRecord.objects.get(partner_sku="F-1")
    assert (record.partner.name, record.num_in_stock) == ("Valley Growers", 4)
    listing = staff_client.get(LIST_URL).content.decode()
    for product_import in (first, second):
        detail_url = reverse("commerce:product-import-detail", args=[product_import.pk])
        assert f'<a href="{detail_url}">feed.json</a>' in listing


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("feed.json", b'{"products": [{"sku": "X-1", "title": "Broken"', "the file could not be read"),
        ("photo.csv", b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe", "the file is not UTF-8 text"),
        ("blank.csv", b" \n\n", "the file is empty"),
        ("notes.csv", b"name,colour\nLeeks,green\n", "no row has a sku"),
        ("huge.csv", b"sku,title\n" + b"x" * product_imports.MAX_UPLOAD_BYTES, "the file is larger than 5"),
    ],
)
def test_product_import_malformed_file_shows_error_and_writes_nothing(
    staff_client, django_capture_on_commit_callbacks, media_root, name, data, reason
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = _upload(staff_client, name, data)
    assert response.status_code == 200
    errors = response.context["form"].errors["file"]
    assert errors[0].startswith("Nothing was imported: " + reason)
    assert "Nothing was imported" in response.content.decode()
    assert not ProductImport.objects.exists() and not callbacks
    assert not Product.objects.exists()
    assert not media_root.exists() or not any(p.is_file() for p in media_root.rglob("*"))


def test_product_import_stored_file_gone_bad_fails_without_writing(django_capture_on_commit_callbacks):
    product_import = ProductImport.objects.create(original_name="feed.json", rows_total=1)
    product_import.file.save("feed.json", SimpleUploadedFile("feed.json", b"[{"), save=True)
    runner.advance(ProductImport, product_import.pk)
    product_import.refresh_from_db()
    assert product_import.state == "failed"
    assert product_import.error.startswith("the file could not be read")
    assert not Product.objects.exists()
    # A finished import is not run again (a redelivered task changes nothing).
    assert runner.advance(ProductImport, product_import.pk) == "failed"
    assert ProductImport.objects.get(pk=product_import.pk).state_changed_at == product_import.state_changed_at


def test_product_import_pages_are_staff_only(client):
    detail = ProductImport.objects.create(original_name="x.csv")
    detail_url = reverse("commerce:product-import-detail", args=[detail.pk])
    for url in (LIST_URL, detail_url):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("dashboard:login"))
    client.force_login(UserFactory())
    assert client.get(LIST_URL).status_code == 403
    assert client.post(LIST_URL, {"file": SimpleUploadedFile("a.csv", FIXTURE_CSV)}).status_code == 403
    assert client.get(detail_url).status_code == 403
    assert not Product.objects.exists()


def test_dashboard_catalogue_menu_links_to_product_import(staff_client):
    page = staff_client.get(reverse("dashboard:index")).content.decode()
    assert f'href="{LIST_URL}"' in page and "Import products" in page
