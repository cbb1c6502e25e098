"""Image helpers for cms: store bytes as a Wagtail image once (deduplicated by content hash)."""

import hashlib
import io

from django.core.files.images import ImageFile
from PIL import Image as PILImage
from PIL import ImageDraw
from wagtail.images import get_image_model
from wagtail.models import Collection


def collection_root_ensure() -> Collection:
    """Wagtail's migrations make the root collection; a flushed test database has lost it."""
    return Collection.get_first_root_node() or Collection.add_root(name="Root")


def image_from_bytes(data: bytes, filename: str, title: str):
    """The Wagtail image holding exactly these bytes, created if no image has them yet."""
    image_model = get_image_model()
    file_hash = hashlib.sha1(data, usedforsecurity=False).hexdigest()
    existing = image_model.objects.filter(file_hash=file_hash).first()
    if existing:
        return existing
    PILImage.open(io.BytesIO(data)).verify()  # refuse anything that is not a readable image
    image = image_model(title=title[:255], collection=collection_root_ensure())
    image.file = ImageFile(io.BytesIO(data), name=filename)
    image.file_hash = file_hash
    image.save()
    return image


def generated_picture(seed: int, label: str, size: tuple[int, int] = (1600, 900)) -> bytes:
    """A JPEG with a colour gradient, a few shapes and a label; the same seed gives the same bytes."""
    width, height = size
    hue = (seed * 47) % 360
    top = _hsv(hue, 0.55, 0.95)
    bottom = _hsv((hue + 40) % 360, 0.75, 0.55)
    picture = PILImage.new("RGB", size)
    draw = ImageDraw.Draw(picture)
    for y in range(height):
        mix = y / height
        draw.line(
            [(0, y), (width, y)], fill=tuple(int(a + (b - a) * mix) for a, b in zip(top, bottom, strict=True))
        )
    for n in range(4):
        radius = height // (3 + n)
        cx, cy = (seed * 131 + n * 397) % width, (seed * 71 + n * 211) % height
        draw.ellipse([cx - radius, cy - radius, cx + radius, cy + radius], outline=(255, 255, 255), width=6)
    draw.rectangle([40, height - 140, width - 40, height - 40], fill=(255, 255, 255))
    draw.text((70, height - 110), label[:60], fill=(29, 29, 31), font_size=48)
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=82)
    return out.getvalue()


def _hsv(hue: int, saturation: float, value: float) -> tuple[int, int, int]:
    import colorsys

    r, g, b = colorsys.hsv_to_rgb(hue / 360, saturation, value)
    return int(r * 255), int(g * 255), int(b * 255)
