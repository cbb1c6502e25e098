"""Media on S3-compatible object storage: the settings the environment produces, exercised against
a real S3 HTTP server (moto's) on 127.0.0.1 with a Wagtail image, its rendition and an Oscar
product image; the filesystem without a bucket."""

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import boto3
import pytest
from django.core.files.images import ImageFile
from django.core.files.storage import default_storage
from PIL import Image as PillowImage

from tests.conftest import free_port
from tests.factories.commerce import stocked_product

ROOT = Path(__file__).resolve().parents[2]
BUCKET = "coop-media"

_STORAGES = """
import json, django
django.setup()
from django.conf import settings
print(json.dumps(settings.STORAGES))
"""


def _storages_from_environment(**env: str) -> dict:
    from tests.home.test_settings import production_env

    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "AWS_", "DATABASE_URL"))}
    result = subprocess.run(
        [sys.executable, "-c", _STORAGES],
        cwd=ROOT,
        env={**clean, **production_env(DATABASE_URL="sqlite:////tmp/ops-unused.sqlite3"), **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def _client(endpoint: str):
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id="test",
        aws_secret_access_key="test",
        region_name="us-east-1",
    )


@pytest.fixture(scope="module")
def s3_server():
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    url = f"http://127.0.0.1:{port}"
    _client(url).create_bucket(Bucket=BUCKET)
    yield url
    server.stop()


@pytest.fixture
def s3_media(s3_server, settings):
    storages = _storages_from_environment(
        AWS_STORAGE_BUCKET_NAME=BUCKET,
        AWS_S3_ENDPOINT_URL=s3_server,
        AWS_S3_REGION_NAME="us-east-1",
        AWS_S3_ACCESS_KEY_ID="test",
        AWS_S3_SECRET_ACCESS_KEY="test",
    )
    assert storages["default"]["BACKEND"] == "storages.backends.s3.S3Storage"
    assert storages["staticfiles"]["BACKEND"].startswith("whitenoise.")  # production keeps its own
    settings.STORAGES = {**settings.STORAGES, "default": storages["default"]}
    return _client(s3_server)


def _png(colour: str = "green") -> ImageFile:
    buffer = io.BytesIO()
    PillowImage.new("RGB", (120, 80), colour).save(buffer, "PNG")
    return ImageFile(io.BytesIO(buffer.getvalue()), name=f"{colour}.png")


def _bucket_keys(s3) -> set[str]:
    return {item["Key"] for item in s3.list_objects_v2(Bucket=BUCKET).get("Contents", [])}


def test_media_storage_without_a_bucket_is_the_filesystem():
    storages = _storages_from_environment()
    assert storages["default"] == {"BACKEND": "django.core.files.storage.FileSystemStorage"}


@pytest.mark.django_db
def test_media_storage_wagtail_image_and_rendition_go_to_the_bucket(s3_media, s3_server):
    from wagtail.images.models import Image

    image = Image.objects.create(title="Orchard", file=_png("green"))
    assert type(default_storage._wrapped).__name__ == "S3Storage"
    assert image.file.name in _bucket_keys(s3_media)

    stored = s3_media.get_object(Bucket=BUCKET, Key=image.file.name)["Body"].read()
    with default_storage.open(image.file.name) as read_back:
        assert read_back.read() == stored
    assert PillowImage.open(io.BytesIO(stored)).size == (120, 80)

    rendition = image.get_rendition("fill-40x40")
    assert rendition.file.name in _bucket_keys(s3_media)
    with default_storage.open(rendition.file.name) as thumb:
        assert PillowImage.open(thumb).size == (40, 40)
    assert rendition.url.startswith(f"{s3_server}/{BUCKET}/") and "Signature" not in rendition.url


@pytest.mark.django_db
def test_media_storage_oscar_product_image_goes_to_the_bucket(s3_media):
    from oscar.apps.catalogue.models import ProductImage

    product = stocked_product(title="Apple juice")
    product_image = ProductImage.objects.create(product=product, original=_png("red"), display_order=0)
    assert product_image.original.name in _bucket_keys(s3_media)
    with default_storage.open(product_image.original.name) as read_back:
        assert PillowImage.open(read_back).getpixel((0, 0)) == (255, 0, 0)
