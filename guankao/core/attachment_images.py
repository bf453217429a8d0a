"""Images of the attachment service: decoding within bounds, thumbnails, and copies
without metadata. Each is built from the pixels alone, so nothing the camera wrote (EXIF
GPS position, time, device; XMP; comments; data appended after the image) is carried over.
Problems are raised on the field "file", as the attachment service's are."""

import io

from django.utils.translation import gettext as _
from PIL import Image, ImageOps

from guankao.core.errors import ServiceError

PNG = "image/png"
JPEG = "image/jpeg"
GIF = "image/gif"
WEBP = "image/webp"
IMAGE_FORMATS = {PNG: "PNG", JPEG: "JPEG", GIF: "GIF", WEBP: "WEBP"}
THUMBNAIL_SIZE = 320
# Decoding needs width × height × 4 bytes of memory whatever the file size: a 5 MB
# PNG can declare 100,000 × 100,000 pixels. 50 megapixels covers phone cameras.
MAX_IMAGE_PIXELS = 50_000_000


def _reject(message) -> ServiceError:
    return ServiceError.field("file", message)


def _too_many_pixels() -> ServiceError:
    return _reject(
        _("is an image too large to process (at most %(n)d megapixels)")
        % {"n": MAX_IMAGE_PIXELS // 1_000_000}
    )


# Pillow's decoders raise many kinds of error on malformed input (OSError, SyntaxError,
# struct.error, IndexError...); to the uploader they all mean the same thing.
def _open_image(data: bytes, content_type: str, *, full: bool = False) -> Image.Image:
    damaged = _reject(_("is a damaged or unreadable image"))
    try:
        image = Image.open(io.BytesIO(data), formats=[IMAGE_FORMATS[content_type]])
    except Image.DecompressionBombError:
        raise _too_many_pixels() from None
    except Exception:
        raise damaged from None
    if image.width * image.height > MAX_IMAGE_PIXELS:
        raise _too_many_pixels()
    try:
        if content_type == JPEG and not full:
            # Decoding at a reduced scale still reads every block of the file.
            image.draft("RGB", (THUMBNAIL_SIZE * 2, THUMBNAIL_SIZE * 2))
        image.load()
    except Exception:
        raise damaged from None
    return image


def _upright(image: Image.Image) -> Image.Image:
    """Turned as the camera's EXIF orientation says; as it is if that tag is unreadable."""
    try:
        return ImageOps.exif_transpose(image)
    except Exception:
        return image


def make_thumbnail(data: bytes, content_type: str) -> tuple[bytes, str]:
    """A re-encoded image at most 320 px a side, and its extension: PNG if it has
    transparency, else JPEG. Built from the pixels alone, so no metadata is carried over."""
    image = _upright(_open_image(data, content_type))
    try:
        has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
        mode = "RGBA" if has_alpha else "RGB"
        image = image.convert(mode)
        image.thumbnail((THUMBNAIL_SIZE, THUMBNAIL_SIZE))
        clean = Image.new(mode, image.size)
        clean.paste(image)
        out = io.BytesIO()
        if has_alpha:
            clean.save(out, "PNG", optimize=True)
            return out.getvalue(), ".png"
        clean.save(out, "JPEG", quality=85)
        return out.getvalue(), ".jpg"
    except Exception:
        raise _reject(_("is a damaged or unreadable image")) from None


def strip_metadata(data: bytes, content_type: str) -> bytes:
    """The image re-encoded from its pixels alone, upright, in its own format: no EXIF
    (GPS position, camera, time), XMP, IPTC or comments, nothing appended after the image
    (phones append videos and second pictures with their own EXIF). The colour profile
    stays, so the colours do not shift. An animated image is refused rather than cut
    down to one frame; a JPEG's further pictures (MPF: a phone's gain map or depth map)
    are dropped, as they are part of the camera's data, not of the photo."""
    image = _open_image(data, content_type, full=True)
    if content_type != JPEG and getattr(image, "n_frames", 1) > 1:
        raise _reject(_("is an animated image; upload a still photo"))
    icc = image.info.get("icc_profile")
    image = _upright(image)
    try:
        has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
        mode = "RGBA" if has_alpha and content_type != JPEG else "RGB"
        pixels = image.convert(mode)
        clean = Image.new(mode, pixels.size)
        clean.paste(pixels)
        options = {"quality": 92} if content_type in (JPEG, WEBP) else {}
        if icc and content_type != GIF:
            options["icc_profile"] = icc
        out = io.BytesIO()
        clean.save(out, IMAGE_FORMATS[content_type], **options)
        return out.getvalue()
    except Exception:
        raise _reject(_("is a damaged or unreadable image")) from None
