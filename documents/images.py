"""Pictures people sent, made safe to put in a document: the size is read from the file's
header before anything is decoded (a 12,500 x 12,500 PNG of 469 KB would take seconds and a
gigabyte), and what goes into a PDF is a small JPEG, not the original."""

from __future__ import annotations

import io
import warnings
from pathlib import Path

MAX_PIXELS = 40_000_000   # about a 48-megapixel camera photo; more is not a photo of a street
BOX = 1200                # the longest side of a picture in a document


def thumbnail(path: str | Path, box: int = BOX, max_pixels: int = MAX_PIXELS) -> bytes | None:
    """A JPEG of at most box x box pixels, or None when the file is not a picture we can read
    or is larger than max_pixels."""
    from PIL import Image

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                width, height = image.size           # from the header: nothing decoded yet
                if width * height > max_pixels:
                    return None
                image.draft("RGB", (box, box))       # JPEG: decode at a reduced size
                image.thumbnail((box, box))
                out = io.BytesIO()
                image.convert("RGB").save(out, "JPEG", quality=80)
                return out.getvalue()
    except Exception:  # not an image Pillow reads, a bomb, a truncated file
        return None
