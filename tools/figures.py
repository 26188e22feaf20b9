"""Compare two renderings of a figure by their pixels, as the tests do for the notebooks' plots.

nbval compares text outputs only: a blank or wrong ``image/png`` passes it. ``compare`` decodes
both PNGs to grey levels, blurs them by a couple of pixels (so that font hinting and
antialiasing, which differ between FreeType and matplotlib builds, do not count) and measures
the share of pixels that still differ clearly. An empty, shifted, cropped or rescaled plot
changes far more than that. The thresholds were set on those cases (``tests/test_figures.py``):
a 3-pixel shift of any of the lesson's figures changes 3 % or more of its pixels, a blank 6 %,
drawing a plot without antialiasing 0.3 %.
"""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageFilter

#: Blur radius in pixels: removes antialiasing and hinting noise, keeps shapes and positions.
BLUR_RADIUS = 2
#: A pixel "differs" when its blurred grey level moves by more than this (0-1 scale).
PIXEL_TOLERANCE = 0.2
#: Figures match while fewer than this share of their pixels differ.
MAX_CHANGED_SHARE = 0.01
#: Sizes may differ by this share (a legend one character longer), not more (a rescaled plot).
MAX_SIZE_CHANGE = 0.02


@dataclass(frozen=True)
class FigureDifference:
    """How two renderings of a figure differ; ``matches`` says whether that is within tolerance."""

    expected_size: tuple[int, int]
    actual_size: tuple[int, int]
    changed_share: float

    @property
    def size_changed(self) -> bool:
        return any(
            abs(a - e) > MAX_SIZE_CHANGE * e
            for a, e in zip(self.actual_size, self.expected_size, strict=True)
        )

    @property
    def matches(self) -> bool:
        return not self.size_changed and self.changed_share < MAX_CHANGED_SHARE

    def __str__(self) -> str:
        if self.size_changed:
            return f"size {self.actual_size} instead of {self.expected_size} (width, height)"
        return (
            f"{100 * self.changed_share:.2f} % of the pixels differ "
            f"(allowed: under {100 * MAX_CHANGED_SHARE:.2f} %)"
        )


def grey_levels(png: bytes | str) -> Image.Image:
    """A PNG (bytes, or base64 text as notebooks store it) as grey levels on white."""
    data = base64.b64decode(png) if isinstance(png, str) else png
    image = Image.open(io.BytesIO(data)).convert("RGBA")
    background = Image.new("RGBA", image.size, "white")
    return Image.alpha_composite(background, image).convert("L")


def compare(expected: bytes | str, actual: bytes | str) -> FigureDifference:
    """How ``actual`` differs from ``expected`` (PNG bytes or base64 text)."""
    first, second = grey_levels(expected), grey_levels(actual)
    difference = FigureDifference(first.size, second.size, 1.0)
    if difference.size_changed:
        return difference
    second = second.resize(first.size, Image.Resampling.BILINEAR)
    blurred = [
        np.asarray(image.filter(ImageFilter.BoxBlur(BLUR_RADIUS)), dtype=np.float32) / 255
        for image in (first, second)
    ]
    changed = float(np.mean(np.abs(blurred[0] - blurred[1]) > PIXEL_TOLERANCE))
    return FigureDifference(first.size, second.size, changed)
