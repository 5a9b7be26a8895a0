"""Uploads hold no active content (issue 14, item 4): a corpus made here — PDFs with
JavaScript, an automatic or launch action, an embedded file, a PDF/HTML polyglot, a PNG
declaring 60000×60000 pixels, one file too many — is refused with a clear message through
the API and the guided filing's form, and nothing is kept; images are stored re-encoded
without their metadata; documents are served as downloads named by their real type."""
import hashlib
import struct
import zlib
from io import BytesIO
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject

from tests import factories
from tests.unit.conftest import assert_error
from tests.unit.test_filing import start, upload
from tests.unit.test_web_auth import sign_in
from traveler_portal.models import Document


def _pdf(change) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(612, 792)
    change(writer)
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def _open_action(kind: str):
    def change(writer):
        action = {"/JavaScript": {"/S": NameObject("/JavaScript"),
                                  "/JS": TextStringObject("app.alert(1)")},
                  "/Launch": {"/S": NameObject("/Launch"),
                              "/F": TextStringObject("calc.exe")}}[kind]
        writer._root_object[NameObject("/OpenAction")] = writer._add_object(
            DictionaryObject({NameObject(k): v for k, v in action.items()}))
    return change


def _document_js(writer):
    # Document-level JavaScript: the catalog's /Names tree runs it when the file opens.
    action = writer._add_object(DictionaryObject({
        NameObject("/S"): NameObject("/JavaScript"),
        NameObject("/JS"): TextStringObject("app.alert('hello');")}))
    tree = DictionaryObject({NameObject("/Names"): ArrayObject([TextStringObject("x"),
                                                                action])})
    writer._root_object[NameObject("/Names")] = DictionaryObject(
        {NameObject("/JavaScript"): tree})


def _page_aa(writer):
    # An "additional action" run when the first page opens, hex-escaped in the file
    # (/J#61vaScript): the raw bytes do not show the name, the parser does.
    action = DictionaryObject({NameObject("/S"): NameObject("/JavaScript"),
                               NameObject("/JS"): TextStringObject("this.print()")})
    writer.pages[0][NameObject("/AA")] = DictionaryObject({NameObject("/O"): action})


def _png_header(width: int, height: int) -> bytes:
    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
            + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b""))


CORPUS = {
    "javascript": (_pdf(_document_js), "JavaScript"),
    "open action": (_pdf(_open_action("/JavaScript")), "JavaScript"),
    "launch": (_pdf(_open_action("/Launch")), "launch action"),
    "page action": (_pdf(_page_aa), "automatic action"),
    "embedded file": (_pdf(lambda w: w.add_attachment("run.bat", b"calc.exe")),
                      "embedded file"),
    "polyglot": (factories.PDF_BYTES + b"\n<html><body><script>alert(document.cookie)"
                 b"</script></body></html>\n", "web page (HTML) code"),
    "pixel bomb": (_png_header(60000, 60000), "too large"),
    "pixel bomb under pillow's own limit": (_png_header(8000, 6000), "too large"),
    "damaged pdf": (b"%PDF-1.7\n1 0 obj<</Type/Catalog>>endobj\n%%EOF\n",
                    "could not be read"),
}


def _kept(app, seed):
    return seed.count(Document), sorted(p.name for p in Path(app.config["UPLOAD_DIR"]).iterdir())


@pytest.mark.parametrize("case", sorted(CORPUS))
def test_the_api_refuses_active_content_and_keeps_nothing(app, api, seed, case):
    data, words = CORPUS[case]
    traveler = api("traveler")
    receipt = seed.draft(traveler.email)
    before = _kept(app, seed)
    error = assert_error(traveler.upload(receipt, "passport", data, "statement.pdf"), 415,
                         "unsupported_media_type")
    assert words in error["message"] and words in error["fields"]["file"], error
    assert _kept(app, seed) == before


@pytest.mark.parametrize("case", ["javascript", "embedded file", "polyglot", "pixel bomb"])
def test_the_filing_form_shows_why_the_file_was_refused(app, client, seed, case):
    data, words = CORPUS[case]
    assert sign_in(client, seed.user("traveler")).status_code == 302
    receipt = start(client)
    before = _kept(app, seed)
    response = upload(client, receipt, "passport", data, "passport.pdf")
    assert response.status_code == 422
    assert words in response.get_data(as_text=True)
    assert _kept(app, seed) == before


def test_a_petition_holds_a_bounded_number_of_files(app, api, seed):
    traveler = api("traveler")
    receipt = seed.draft(traveler.email)
    most = app.config["MAX_DOCUMENTS_PER_PETITION"]
    for n in range(most):
        assert traveler.upload(receipt, "other", factories.PDF_BYTES,
                               f"page{n}.pdf").status_code == 201
    error = assert_error(traveler.upload(receipt, "other"), 422, "validation_failed")
    assert f"at most {most}" in error["fields"]["file"]
    assert seed.petition(receipt)["documents"] == most


def test_a_petition_holds_a_bounded_number_of_bytes(app, api, seed, monkeypatch):
    traveler = api("traveler")
    receipt = seed.draft(traveler.email)
    monkeypatch.setitem(app.config, "MAX_PETITION_BYTES", len(factories.PDF_BYTES) * 2)
    assert traveler.upload(receipt).status_code == 201
    assert traveler.upload(receipt).status_code == 201
    error = assert_error(traveler.upload(receipt), 413, "payload_too_large")
    assert "in all" in error["fields"]["file"]


def test_images_are_stored_re_encoded_without_their_metadata(app, api, seed):
    exif = Image.Exif()
    exif[0x010F] = "Secret Camera Co"  # Make
    exif[0x8825] = {2: (45.0, 30.0, 0.0)}  # GPS latitude
    photo = BytesIO()
    Image.new("RGB", (40, 30), (10, 120, 200)).save(photo, "JPEG", exif=exif.tobytes(),
                                                     comment=b"taken at home")
    data = photo.getvalue() + b"<trailing bytes after the image>"
    assert b"Secret Camera Co" in data
    traveler = api("traveler")
    receipt = seed.draft(traveler.email)
    body = traveler.upload(receipt, "passport", data, "photo.jpeg").get_json()
    stored = next(p for p in Path(app.config["UPLOAD_DIR"]).iterdir()  # (notices/ is a folder)
                  if p.is_file() and hashlib.sha256(p.read_bytes()).hexdigest() ==
                  body["sha256"]).read_bytes()
    assert b"Secret Camera Co" not in stored and b"taken at home" not in stored
    assert b"trailing bytes" not in stored
    with Image.open(BytesIO(stored)) as image:
        assert image.size == (40, 30) and not image.getexif()
    assert body["filename"] == "photo.jpg"


def test_documents_download_as_attachments_named_by_their_real_type(app, client, api, seed):
    traveler = api("traveler")
    receipt = seed.draft(traveler.email)
    doc = traveler.upload(receipt, "passport", factories.PDF_BYTES, "statement.html")
    assert doc.status_code == 201 and doc.get_json()["filename"] == "statement.pdf"
    assert sign_in(client, traveler.email).status_code == 302
    response = client.get(f"/my/petitions/{receipt}/documents/{doc.get_json()['id']}")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment") and 'filename=statement.pdf' in disposition
    assert ".html" not in disposition
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_the_filing_form_says_when_the_petition_holds_enough_files(app, client, seed,
                                                                   monkeypatch):
    monkeypatch.setitem(app.config, "MAX_DOCUMENTS_PER_PETITION", 2)
    assert sign_in(client, seed.user("traveler")).status_code == 302
    receipt = start(client)
    for kind in ("passport", "employer_letter"):
        assert upload(client, receipt, kind).status_code == 302
    refused = upload(client, receipt, "other")
    assert refused.status_code == 422
    assert "a petition holds at most 2" in refused.get_data(as_text=True)
    assert seed.petition(receipt)["documents"] == 2
