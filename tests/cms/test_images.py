"""Image renditions: focal points steer crops; srcset lists every width."""

import io

import pytest
from django.template import Context, Template
from PIL import Image as PILImage

from cms.images import image_from_bytes

pytestmark = pytest.mark.django_db


def split_picture() -> bytes:
    """400x100: red on the left quarter, blue on the rest."""
    picture = PILImage.new("RGB", (400, 100), (0, 0, 255))
    picture.paste((255, 0, 0), (0, 0, 100, 100))
    out = io.BytesIO()
    picture.save(out, "PNG")
    return out.getvalue()


def centre_colour(rendition) -> tuple[int, int, int]:
    with rendition.file.open("rb") as handle:
        picture = PILImage.open(handle).convert("RGB")
        return picture.getpixel((picture.width // 2, picture.height // 2))


def test_fill_rendition_crops_around_focal_point():
    image = image_from_bytes(split_picture(), "split.png", "split")
    assert centre_colour(image.get_rendition("fill-100x100")) == (0, 0, 255)  # default: centre crop
    image.focal_point_x, image.focal_point_y, image.focal_point_width, image.focal_point_height = (
        50,
        50,
        40,
        40,
    )
    image.save()
    red = centre_colour(image.get_rendition("fill-100x100"))
    assert red[0] > 200 and red[2] < 50


def test_same_bytes_give_same_image():
    data = split_picture()
    assert image_from_bytes(data, "a.png", "a").pk == image_from_bytes(data, "b.png", "b").pk


def test_srcset_image_tag_lists_widths():
    image = image_from_bytes(split_picture(), "split.png", "split")
    html = Template(
        '{% load wagtailimages_tags %}{% srcset_image image width-{100,200} sizes="100vw" alt="x" %}'
    ).render(Context({"image": image}))
    assert "width-100" in html and " 100w" in html and " 200w" in html and 'sizes="100vw"' in html
