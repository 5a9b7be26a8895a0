"""Uploads hold no active content (issue 14, item 4).

A document is read by officers on agency machines, so nothing in it may run: a PDF is
parsed (pypdf) and refused if any object in it carries JavaScript, an automatic or launch
action, an embedded file, rich media or an XFA form; a file that is also HTML (a PDF/HTML
polyglot, which a browser would render as a page) is refused whatever its type; an image
is decoded by Pillow only if its declared size is under ``UPLOAD_MAX_PIXELS`` (a small
file declaring 60000×60000 pixels would take gigabytes to decode) and stored re-encoded,
so no metadata (EXIF location, comments) or trailing bytes survive.

``clean(data, mime)`` returns the bytes to store or raises ``UnsupportedMediaType`` with
a message saying what to do instead.
"""
import io
import logging
import re
import warnings

from flask import current_app
from flask_babel import gettext as _

from .errors import UnsupportedMediaType

log = logging.getLogger(__name__)

# Markup a browser would render if the bytes were ever served as HTML.
HTML_MARKERS = re.compile(
    rb"<\s*(?:!doctype\s+html|html|head|body|script|iframe|svg|object|embed|meta|"
    rb"frameset)[\s>/]", re.IGNORECASE)
# Names of active content, searched in the raw bytes too (objects pypdf cannot reach
# from the trailer in a damaged file may still be found by a lenient viewer). Only long
# names: "/JS" would turn up by chance in a few megabytes of compressed streams.
ACTIVE_NAMES = re.compile(rb"/(?:JavaScript|Launch|EmbeddedFiles?|RichMedia)"
                          rb"(?![A-Za-z0-9#])")
# Dictionary keys that mean active content wherever they appear.
ACTIVE_KEYS = {"/JS", "/JavaScript", "/AA", "/EmbeddedFiles", "/EmbeddedFile", "/EF",
               "/RichMedia", "/XFA"}
ACTIVE_ACTIONS = {"/JavaScript", "/Launch", "/ImportData", "/RichMediaExecute",
                  "/SubmitForm", "/Rendition"}
ACTIVE_SUBTYPES = {"/FileAttachment", "/RichMedia", "/Screen", "/Movie", "/Sound"}
# A document with more objects than this is refused rather than walked for ever.
MAX_PDF_OBJECTS = 200_000
IMAGE_FORMATS = {"image/png": "PNG", "image/jpeg": "JPEG"}


def _refuse(message: str, advice: str):
    # The field's message says both what is wrong and what to do: the guided filing shows
    # only the field's message beside the file input.
    return UnsupportedMediaType(message, {"file": f"{message} {advice}"})


def clean(data: bytes, mime: str) -> bytes:
    """The bytes to store for an upload sniffed as ``mime``; raises if it is unsafe."""
    if HTML_MARKERS.search(data):
        raise _refuse(_("The file also contains web page (HTML) code, which is not "
                        "accepted."),
                      _("Upload a plain PDF, PNG or JPEG (print or export the document "
                        "to a new PDF)."))
    if mime == "application/pdf":
        _check_pdf(data)
        return data
    return _reencode_image(data, IMAGE_FORMATS[mime])


def _check_pdf(data: bytes) -> None:
    reason = _active_content(data)
    if reason:
        log.info("upload refused: PDF with %s", reason)
        raise _refuse(_("This PDF contains %(what)s: PDFs with scripts, automatic actions "
                        "or attached files are not accepted.", what=reason),
                      _("Print or export the document to a new PDF and upload that."))


def _active_content(data: bytes) -> str | None:
    """What active content the PDF holds (a short English term, for the message and the
    log), or None. A PDF that cannot be parsed or is encrypted cannot be checked."""
    found = ACTIVE_NAMES.search(data)
    if found:
        return _describe(found.group(0).decode("ascii"))
    # pypdf (~19 MB) is loaded by the first upload, not by every web process at start.
    from pypdf import PdfReader  # noqa: PLC0415 - heavy, used only when judging a PDF
    from pypdf.errors import PdfReadError  # noqa: PLC0415 - with PdfReader
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise _refuse(_("Password-protected PDFs are not accepted."),
                          _("Remove the password from the PDF and upload it again."))
        return _walk(reader.trailer)
    except (PdfReadError, ValueError, TypeError, KeyError, AttributeError, RecursionError,
            OSError, AssertionError):
        log.info("upload refused: PDF could not be parsed", exc_info=True)
        raise _refuse(_("This PDF could not be read."),
                      _("The file is damaged or not a real PDF: save or print it to a new "
                        "PDF and upload that.")) from None


def _walk(root) -> str | None:
    """Every object reachable from the trailer, without recursion (no depth limit to
    hit), each indirect object once."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject  # noqa: PLC0415 - see _active_content
    stack, seen, count = [root], set(), 0
    while stack:
        obj = stack.pop()
        if isinstance(obj, IndirectObject):
            key = (obj.idnum, obj.generation)
            if key in seen:
                continue
            seen.add(key)
            obj = obj.get_object()
        count += 1
        if count > MAX_PDF_OBJECTS:
            return _("too many objects to check")
        if isinstance(obj, DictionaryObject):
            reason = _judge(obj)
            if reason:
                return reason
            stack.extend(obj.values())
        elif isinstance(obj, ArrayObject):
            stack.extend(obj)
    return None


def _judge(obj) -> str | None:
    """What active content one PDF dictionary holds, or None."""
    from pypdf.generic import DictionaryObject, NameObject  # noqa: PLC0415 - see _active_content
    for key in obj:
        if key in ACTIVE_KEYS:
            return _describe(key)
    action = obj.get("/S")
    if isinstance(action, NameObject) and action in ACTIVE_ACTIONS:
        return _describe(action)
    subtype = obj.get("/Subtype")
    if isinstance(subtype, NameObject) and subtype in ACTIVE_SUBTYPES:
        return _describe(subtype)
    opening = obj.get("/OpenAction")
    if opening is not None:
        opening = opening.get_object()
        # A destination (page and zoom) is harmless; an action run at opening is not.
        if isinstance(opening, DictionaryObject) and opening.get("/S") != "/GoTo":
            return _describe("OpenAction")
    return None


def _describe(name: str) -> str:
    name = name.lstrip("/")
    if name in ("JS", "JavaScript"):
        return _("JavaScript")
    if name == "Launch":
        return _("a launch action")
    if name in ("EmbeddedFile", "EmbeddedFiles", "EF", "FileAttachment"):
        return _("an embedded file")
    if name in ("AA", "OpenAction"):
        return _("an automatic action")
    return _("active content (%(name)s)", name=name)


def _reencode_image(data: bytes, fmt: str) -> bytes:
    limit = current_app.config["UPLOAD_MAX_PIXELS"]
    megapixels = max(1, limit // 1_000_000)
    too_large = _refuse(_("The image is too large: it has more than %(mp)d megapixels.",
                          mp=megapixels),
                        _("Scan or photograph it at a lower resolution."))
    unreadable = _refuse(_("This image could not be read."),
                         _("The image is damaged or not a real PNG or JPEG: save it again "
                           "and upload that."))
    # Pillow is loaded by the first image uploaded, not by every web process at start.
    from PIL import Image, ImageOps, UnidentifiedImageError  # noqa: PLC0415 - only for images
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))  # reads the header only
            width, height = image.size
            if width * height > limit:
                raise too_large
            if image.format != fmt:
                raise unreadable
            image.load()
            image = ImageOps.exif_transpose(image)  # keep the orientation EXIF gave it
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise too_large from None  # Pillow's own, higher, limit met at opening
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        raise unreadable from None
    # A new image from the pixels alone: no EXIF, comments, text chunks or trailing data.
    image.info = {}
    if fmt == "JPEG" and image.mode not in ("RGB", "L", "CMYK"):
        image = image.convert("RGB")
    out = io.BytesIO()
    options = {"quality": 90, "optimize": True} if fmt == "JPEG" else {"optimize": True}
    image.save(out, format=fmt, **options)
    return out.getvalue()
