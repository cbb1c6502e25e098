#!/usr/bin/env python
"""Draw static/img/favicon.ico (16, 32 and 48 px) from the same design as static/img/favicon.svg:
the brand-coloured disc with a white "R". Run it again after changing the SVG's colour or letter.

    .venv/bin/python scripts/favicon.py
"""

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

BRAND, LETTER, SIZE = "#b0305a", "R", 256  # drawn large, then scaled down for each icon size
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
OUT = Path(__file__).resolve().parent.parent / "static" / "img" / "favicon.ico"


def main() -> None:
    image = Image.new("RGBA", (SIZE, SIZE), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    margin = SIZE // 16  # the SVG's r=14 in a 32 box
    draw.ellipse((margin, margin, SIZE - margin, SIZE - margin), fill=BRAND)
    font = ImageFont.truetype(FONT, SIZE // 2)
    draw.text((SIZE / 2, SIZE / 2), LETTER, font=font, fill="white", anchor="mm")
    image.save(OUT, format="ICO", sizes=[(16, 16), (32, 32), (48, 48)])
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
