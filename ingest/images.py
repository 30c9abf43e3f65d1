"""Image headers read with Pillow without decoding any pixels.

Pillow's own decompression-bomb guard is a process-wide setting; we leave it
alone (no import-time side effects) and apply our own limit to the header size.
"""

from __future__ import annotations

import io
import struct
import warnings
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError

_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/tiff": "TIFF"}


class ImageHeaderError(Exception):
    """The header cannot be read or the file is cut short."""


class ImageTooLarge(Exception):
    """Pillow itself refused to open the header (over twice its MAX_IMAGE_PIXELS)."""


@dataclass(frozen=True)
class ImageHeader:
    width: int
    height: int
    frames: int  # counted up to the caller's cap
    largest_frame_pixels: int


def read_header(data: bytes, content_type: str, max_frames: int = 1000) -> ImageHeader:
    """Dimensions from the header; raises ImageHeaderError or ImageTooLarge."""
    fmt = _FORMATS.get(content_type)
    if fmt is None:
        raise ImageHeaderError(f"not a supported image type: {content_type}")
    try:
        with warnings.catch_warnings():
            # "Corrupt EXIF data" and Pillow's own bomb warning: we only read the size here
            # and the caller applies our configured pixel limit to it.
            warnings.simplefilter("ignore", UserWarning)
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[fmt]) as im:
                width, height = im.size
                largest = width * height
                frames = 1
                if fmt == "TIFF":
                    # Each page of a multi-page TIFF has its own size; seek only reads IFDs.
                    while frames < max_frames + 1:
                        try:
                            im.seek(frames)
                        except EOFError:
                            break
                        frames += 1
                        largest = max(largest, im.size[0] * im.size[1])
                    _check_tiff_strips(im, len(data))
                    im.seek(0)
    except Image.DecompressionBombError as exc:  # beyond twice Pillow's limit: it will not even open it
        raise ImageTooLarge(str(exc)) from exc
    except ImageHeaderError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError, struct.error) as exc:
        raise ImageHeaderError(str(exc) or type(exc).__name__) from exc
    except Exception as exc:  # Pillow's plugins raise assorted errors on hostile headers
        raise ImageHeaderError(f"{type(exc).__name__}: {exc}") from exc
    if width <= 0 or height <= 0:
        raise ImageHeaderError(f"invalid dimensions {width}x{height}")
    if fmt == "JPEG" and not _jpeg_complete(data):
        raise ImageHeaderError("JPEG data ends before the end-of-image marker (file cut short)")
    if fmt == "PNG" and b"IEND" not in data[-64:]:
        raise ImageHeaderError("PNG has no IEND chunk (file cut short)")
    return ImageHeader(width, height, frames, largest)


def _check_tiff_strips(im: Image.Image, size: int) -> None:
    tags = getattr(im, "tag_v2", None)
    if tags is None:
        return
    offsets = tags.get(273) or tags.get(324) or ()  # StripOffsets / TileOffsets
    counts = tags.get(279) or tags.get(325) or ()  # StripByteCounts / TileByteCounts
    if isinstance(offsets, int):
        offsets = (offsets,)
    if isinstance(counts, int):
        counts = (counts,)
    for offset, count in zip(offsets, counts, strict=False):
        if offset + count > size:
            raise ImageHeaderError("TIFF image data extends past the end of the file (file cut short)")


def _jpeg_complete(data: bytes) -> bool:
    # In entropy-coded data 0xFF is always followed by 0x00 or a restart marker,
    # so the last start-of-scan must be followed by an end-of-image marker.
    # (An EXIF thumbnail has its own markers, but they come before the main scan.)
    last_sos = data.rfind(b"\xff\xda")
    last_eoi = data.rfind(b"\xff\xd9")
    return last_sos != -1 and last_eoi > last_sos


def dimensions(data: bytes, content_type: str) -> tuple[int, int] | None:
    """Width and height, or None when the header is unreadable; never raises."""
    try:
        header = read_header(data, content_type, max_frames=1)
    except (ImageHeaderError, ImageTooLarge):
        return None
    return header.width, header.height
