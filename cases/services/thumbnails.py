"""Thumbnails of attached images and of a PDF's first page, made by a worker and stored beside the file.

Pillow reads the images, pypdfium2 renders the PDF's first page. A file that cannot be read (damaged, not
really what it says, a decompression bomb) simply gets no thumbnail: the page shows its type instead.
"""

import io
import logging

from django.core.files.base import ContentFile
from PIL import Image, ImageOps

from ..models import Attachment
from ..upload_checks import PREVIEWABLE_TYPES

logger = logging.getLogger(__name__)

# The longest side of a thumbnail, in pixels (twice the grid's tile, for sharp phone screens).
THUMBNAIL_SIDE = 320
# Refuse to decode images larger than this (about 50 megapixels): a small file can declare a huge canvas.
MAX_SOURCE_PIXELS = 50_000_000


def attachment_thumbnail_make(*, attachment_id: int) -> bool:
    """Make and store the thumbnail of one attachment; True when it has one afterwards. Running it twice is
    the same as once."""
    attachment = Attachment.objects.filter(pk=attachment_id).first()
    if attachment is None:
        return False
    if attachment.thumbnail:
        return True
    try:
        with attachment.file.open("rb") as source:
            image = _first_page(source) if attachment.content_type == "application/pdf" else _image(source)
            content = _jpeg(image)
    except Exception as exc:  # noqa: BLE001 — any reader's failure means "no preview", never a failed worker
        logger.info("No thumbnail for attachment %s (%s): %s", attachment_id, attachment.content_type, exc)
        return False
    # Beside the file: attachments/2026/11/<uuid> → attachments/2026/11/<uuid>.thumb.jpg
    name = attachment.file.storage.save(f"{attachment.file.name}.thumb.jpg", ContentFile(content))
    if not Attachment.objects.filter(pk=attachment.pk, thumbnail="").update(thumbnail=name):
        attachment.file.storage.delete(name)  # another run stored one first
    return True


def attachment_thumbnails_missing_make(*, limit: int = 1000) -> tuple[int, int]:
    """Thumbnails of the files that still have none (kept before thumbnails existed, or queued while the broker
    was down), oldest first: (how many were tried, how many have one now). A damaged file is tried again."""
    ids = list(Attachment.objects.filter(thumbnail="", content_type__in=PREVIEWABLE_TYPES)
               .order_by("pk").values_list("pk", flat=True)[:limit])
    return len(ids), sum(attachment_thumbnail_make(attachment_id=pk) for pk in ids)


def _image(source) -> Image.Image:
    image = Image.open(source)  # reads the header only
    if image.width * image.height > MAX_SOURCE_PIXELS:
        raise ValueError(f"{image.width}x{image.height} is too large to decode")
    image.draft("RGB", (THUMBNAIL_SIDE, THUMBNAIL_SIDE))  # JPEG decodes at a reduced size: less memory
    image = ImageOps.exif_transpose(image)  # a phone photo stands the way it was taken
    image.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE))
    return image


def _first_page(source) -> Image.Image:
    import pypdfium2  # imported here: only the worker that makes thumbnails loads PDFium

    document = pypdfium2.PdfDocument(source.read())
    try:
        page = document[0]
        width, height = page.get_size()
        scale = THUMBNAIL_SIDE / max(width, height, 1)
        return page.render(scale=scale).to_pil()
    finally:
        document.close()


def _jpeg(image: Image.Image) -> bytes:
    if image.mode in ("RGBA", "LA", "P"):
        image = image.convert("RGBA")
        flat = Image.new("RGB", image.size, "white")  # transparency on white, as on the page
        flat.paste(image, mask=image.getchannel("A"))
        image = flat
    elif image.mode != "RGB":
        image = image.convert("RGB")
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80, optimize=True)
    return out.getvalue()
