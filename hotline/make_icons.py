"""Draws the web app icons of the workbench once (static/icons/*.png, committed):
the character 办 in white on the workbench's blue. The maskable icon fills the
whole square and keeps the glyph inside the central safe zone (a circle of 80 %).

    python -m hotline.make_icons [FONT]   (Pillow and a CJK font, e.g. Debian's fonts-noto-cjk)"""

import sys
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

BLUE = (31, 95, 174)  # --bs-primary of static/css/app.css, the manifest's theme colour
FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"
OUT = Path(__file__).resolve().parent.parent / "static" / "icons"


def icon(size: int, *, maskable: bool, font_path: str) -> Image.Image:
    scale = 4  # drawn large and scaled down: smooth edges
    big = size * scale
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    if maskable:
        draw.rectangle((0, 0, big, big), fill=BLUE)
        glyph = 0.46
    else:
        draw.rounded_rectangle((0, 0, big - 1, big - 1), radius=big // 5, fill=BLUE)
        glyph = 0.62
    font = ImageFont.truetype(font_path, int(big * glyph))
    draw.text((big / 2, big / 2), "办", font=font, fill="white", anchor="mm")
    return image.resize((size, size), Image.Resampling.LANCZOS)


def main(font_path: str) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for size in (192, 512):
        icon(size, maskable=False, font_path=font_path).save(OUT / f"icon-{size}.png", optimize=True)
    icon(512, maskable=True, font_path=font_path).save(OUT / "icon-maskable-512.png", optimize=True)
    # iOS ignores the manifest's icons and rounds the corners itself: opaque, full square.
    icon(180, maskable=True, font_path=font_path).convert("RGB").save(OUT / "apple-touch-icon.png", optimize=True)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else FONT)
