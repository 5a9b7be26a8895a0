"""Notices: the PDF letter for each decision and request for evidence.

Generated once, inside the decision's transaction, with fpdf2 and a Unicode TrueType font
(Lato, shipped by the pinned ``font-lato`` package; DejaVu from the system, then fpdf2's
latin-1 core font, as fallbacks), stored under ``UPLOAD_DIR/notices/`` and served unchanged
afterwards: the bytes on disk are the notice, ``Notice.sha256`` proves it.
"""
import hashlib
import io
import logging
import os
import uuid
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from babel.dates import format_date
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from ..extensions import db
from ..models import Decision, Notice, Outcome, Petition
from . import access, audit, profiles, reference, uow, verification
from .errors import NotFound

# fontTools logs every font subset at INFO: noise in the web and worker logs.
logging.getLogger("fontTools.subset").setLevel(logging.WARNING)

FONT = "NoticeSans"
SYSTEM_FONTS = ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
                "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")
KINDS = {Outcome.EVIDENCE_REQUESTED: "evidence_request"}
HIDDEN_REVIEW_STATES = ("pending", "returned")  # four eyes: not a decision until confirmed


def _font_files() -> tuple[str, str] | None:
    """(regular, bold) TrueType files covering French and more, if any can be found."""
    try:
        import font_lato  # noqa: PLC0415 - optional: the PDF falls back to core fonts
        files = font_lato.font_files
        if Path(files["Lato"]).is_file() and Path(files["LatoBold"]).is_file():
            return files["Lato"], files["LatoBold"]
    except (ImportError, KeyError):
        pass
    if all(Path(p).is_file() for p in SYSTEM_FONTS):
        return SYSTEM_FONTS
    return None


def notice_dir() -> Path:
    path = Path(current_app.config["UPLOAD_DIR"]) / "notices"
    path.mkdir(parents=True, exist_ok=True)
    return path


def path_of(notice: Notice) -> Path:
    return notice_dir() / notice.stored_name


def language_of(petition: Petition) -> str:
    return profiles.language_of(petition.traveler)


class _Letter:
    """A small writer over fpdf2: headings, label/value lines and paragraphs."""

    def __init__(self, lang: str, title: str, when: datetime):
        # fpdf2 (~30 MB with fontTools) is loaded by the first notice a process writes
        # (a Celery worker, or a decision made in the request), not by every web process.
        from fpdf import FPDF  # noqa: PLC0415 - heavy, used only when writing a notice
        self.pdf = FPDF(format="Letter")
        self.pdf.set_margins(20, 18, 20)
        self.pdf.set_auto_page_break(True, margin=18)
        self.pdf.set_creation_date(when.astimezone(UTC) if when.tzinfo
                                   else when.replace(tzinfo=UTC))
        self.pdf.set_title(title)
        self.pdf.set_lang("fr-CA" if lang == "fr" else "en")
        self.pdf.set_creator("Cross-border business traveler pre-adjudication portal")
        files = _font_files()
        self.unicode = files is not None
        if files:
            self.pdf.add_font(FONT, "", files[0])
            self.pdf.add_font(FONT, "B", files[1])
            self.family = FONT
        else:  # fpdf2's core font: latin-1 only (accented French still renders)
            self.family = "Helvetica"
        self.pdf.add_page()

    def _text(self, text) -> str:
        text = str(text or "")
        return text if self.unicode else text.encode("latin-1", "replace").decode("latin-1")

    def title(self, text, other_language_line: str = ""):
        self.pdf.set_font(self.family, "B", 17)
        self.pdf.multi_cell(0, 9, self._text(text), align="L", new_x="LMARGIN",
                            new_y="NEXT")
        if other_language_line:  # the Canadian norm: the other official language's heading
            self.pdf.set_font(self.family, "", 11)
            self.pdf.multi_cell(0, 6, self._text(other_language_line), align="L",
                                new_x="LMARGIN", new_y="NEXT")
        self.pdf.set_draw_color(90, 90, 90)
        self.pdf.line(self.pdf.l_margin, self.pdf.get_y() + 1,
                      self.pdf.w - self.pdf.r_margin, self.pdf.get_y() + 1)
        self.pdf.ln(4)

    def heading(self, text):
        self.pdf.ln(3)
        self.pdf.set_font(self.family, "B", 12.5)
        self.pdf.multi_cell(0, 7, self._text(text), align="L", new_x="LMARGIN",
                            new_y="NEXT")

    def field(self, label, value):
        self.pdf.set_font(self.family, "B", 10.5)
        self.pdf.cell(52, 6, self._text(label))
        self.pdf.set_font(self.family, "", 10.5)
        self.pdf.multi_cell(0, 6, self._text(value), align="L", new_x="LMARGIN",
                            new_y="NEXT")

    def paragraph(self, text, bold=False, indent=0):
        self.pdf.set_x(self.pdf.l_margin + indent)
        self.pdf.set_font(self.family, "B" if bold else "", 10.5)
        self.pdf.multi_cell(0, 5.6, self._text(text), align="L", new_x="LMARGIN",
                            new_y="NEXT")

    def output(self) -> bytes:
        return bytes(self.pdf.output())


def _day(value, lang) -> str:
    return format_date(value, format="long", locale="fr_CA" if lang == "fr" else "en_US") \
        if value else "–"


def _kind_name(petition: Petition, kind: str | None) -> str:
    for required in petition.category.required_documents:
        if required.kind == kind:
            return required.name
    return (kind or "").replace("_", " ").capitalize()


OUTCOME_WORDS = {Outcome.APPROVED: lambda: _("Approved"), Outcome.DENIED: lambda: _("Denied"),
                 Outcome.EVIDENCE_REQUESTED: lambda: _("Evidence requested")}


def _approval(letter: _Letter, decision: Decision, lang: str) -> None:
    letter.heading(_("Validity"))
    letter.field(_("Valid from"), _day(decision.valid_from, lang))
    letter.field(_("Valid until"), _day(decision.valid_until, lang))
    conditions = {k: v for k, v in (decision.conditions or {}).items() if v}
    if conditions:
        letter.heading(_("Conditions"))
        labels = {"employer": _("Employer"), "occupation": _("Occupation"),
                  "location": _("Location")}
        for key, value in conditions.items():
            letter.field(labels.get(key, key.replace("_", " ").capitalize()), value)


def _denial(letter: _Letter, decision: Decision, petition: Petition, lang: str) -> None:
    letter.heading(_("Why the petition was denied"))
    reasons = reference.reason_map(decision.reason_codes)
    for code in decision.reason_codes or []:
        reason = reasons.get(code)
        letter.paragraph(f"{reason.title if reason else code} ({code})", bold=True)
        if reason is None:
            continue
        letter.paragraph(reason.explanation, indent=4)  # in the notice's language
        citation = reason.citation_us if petition.destination_country.value == "US" \
            else reason.citation_ca
        if citation and citation.strip() not in ("", "—", "-"):
            letter.paragraph(_("Legal basis: %(citation)s", citation=citation), indent=4)
        letter.pdf.ln(1.5)


def _evidence(letter: _Letter, decision: Decision, petition: Petition, lang: str) -> None:
    letter.heading(_("What the officer needs"))
    if decision.items:
        for n, item in enumerate(decision.items, 1):
            letter.paragraph(f"{n}. {item.requirement}", bold=True)
            if item.reason:
                letter.paragraph(_("Why: %(reason)s", reason=item.reason), indent=5)
            if item.document_kind:
                letter.paragraph(_("Document: %(name)s",
                                   name=_kind_name(petition, item.document_kind)), indent=5)
    else:
        for n, requirement in enumerate(decision.evidence_items, 1):
            letter.paragraph(f"{n}. {requirement}", bold=True)
    letter.pdf.ln(1.5)
    letter.field(_("Respond by"), _day(decision.respond_by, lang))
    letter.paragraph(_("Answer every item at once, in the portal, before the end of that "
                       "day. Without an answer the officer decides on the evidence on file."))


def _identity(letter: _Letter, petition: Petition) -> None:
    """The traveler as in the passport, and the passport's last four characters: enough
    for the officer at the port to match the notice to the passport in hand."""
    profile = profiles.get(petition.traveler)
    if profile is None:  # filed before identities were required
        letter.field(_("Traveler"), petition.traveler.name or petition.traveler.email)
        return
    letter.field(_("Traveler"), f"{profile.given_names} {profile.family_name}")
    if profile.passport_number:
        letter.field(_("Passport"), _("ending in %(last4)s",
                                      last4=profile.passport_number[-4:]))


def _verification(letter: _Letter, decision: Decision) -> None:
    """The verification code, and a QR code of the public page that checks it."""
    code = verification.code_for(decision)
    url = verification.url_for_code(code)
    letter.heading(_("Verify this notice"))
    png = io.BytesIO()
    import segno  # noqa: PLC0415 - loaded with fpdf2, only when writing a notice
    segno.make(url, error="m").save(png, kind="png", scale=4, border=2)
    png.seek(0)
    pdf, top, size = letter.pdf, letter.pdf.get_y() + 1, 34
    if top + size > pdf.h - pdf.b_margin:
        pdf.add_page()
        top = pdf.get_y()
    pdf.image(png, x=pdf.l_margin, y=top, w=size, h=size, alt_text=url)
    pdf.set_xy(pdf.l_margin + size + 5, top + 2)
    pdf.set_font(letter.family, "B", 10.5)
    pdf.multi_cell(0, 6, letter._text(_("Verification code: %(code)s", code=code)),
                   align="L", new_x="LEFT", new_y="NEXT")
    pdf.set_font(letter.family, "", 10)
    pdf.multi_cell(0, 5.4, letter._text(_(
        "Anyone can check that this notice is genuine and still valid: scan the QR code or "
        "open %(url)s", url=url)), align="L", new_x="LEFT", new_y="NEXT")
    pdf.set_xy(pdf.l_margin, max(pdf.get_y(), top + size) + 2)


def render(decision: Decision, petition: Petition, lang: str = "en") -> bytes:
    """The notice's PDF bytes, in the traveler's language ``lang`` throughout, under a
    heading line in the other official language (the reference data, dates and reasons
    follow ``lang`` too)."""
    asking = decision.outcome == Outcome.EVIDENCE_REQUESTED
    with force_locale("en" if lang == "fr" else "fr"):
        other_title = str(_("Request for evidence") if asking else _("Notice of decision"))
    with force_locale(lang):
        title = _("Request for evidence") if asking else _("Notice of decision")
        letter = _Letter(lang, f"{title} {petition.receipt_number}", decision.decided_at)
        letter.title(title, f"{other_title} – {petition.receipt_number}")
        country = petition.destination_country.value
        agency = reference.agency_name(petition, lang)
        if agency:
            letter.paragraph(agency, bold=True)
            letter.pdf.ln(2)
        letter.field(_("Receipt number"), petition.receipt_number)
        _identity(letter, petition)
        letter.field(_("Category"), f"{petition.category.code} – {petition.category.name}")
        letter.field(_("Destination country"),
                     _("United States") if country == "US" else _("Canada"))
        letter.field(_("Port of entry"), f"{petition.port.name} ({petition.port.code})")
        letter.field(_("Date"), _day(decision.decided_at.date(), lang))
        letter.field(_("Decision"), OUTCOME_WORDS[decision.outcome]())
        if decision.outcome == Outcome.APPROVED:
            _approval(letter, decision, lang)
        elif decision.outcome == Outcome.DENIED:
            _denial(letter, decision, petition, lang)
        else:
            _evidence(letter, decision, petition, lang)
        if decision.message:
            letter.heading(_("Message from the officer"))
            letter.paragraph(decision.message)
        if not asking:
            _verification(letter, decision)
        letter.pdf.ln(4)
        letter.paragraph(_("Keep this notice with your travel documents. Its receipt number "
                           "identifies your petition in every exchange with us."))
        return letter.output()


def issue(decision: Decision, petition: Petition) -> Notice:
    """Write the decision's notice and add its row; the caller's transaction commits both.

    Called once per decision (``adjudication.decide``): a decision has at most one notice
    (``notices.decision_id`` is unique). If the transaction rolls back, the file is
    deleted with it (``_drop_files``).
    """
    lang = language_of(petition)
    if decision.id is None:
        db.session.flush()  # the verification code names the decision by its id
    data = render(decision, petition, lang)
    stored_name = f"{uuid.uuid4().hex}.pdf"
    target = notice_dir() / stored_name
    tmp = target.with_suffix(".part")
    tmp.write_bytes(data)
    os.replace(tmp, target)
    db.session.info.setdefault(_PENDING, []).append(target)
    notice = Notice(petition_id=petition.id, decision=decision, stored_name=stored_name,
                    kind=KINDS.get(decision.outcome, "decision"), size=len(data),
                    sha256=hashlib.sha256(data).hexdigest(), language=lang,
                    created_at=decision.decided_at)
    db.session.add(notice)
    return notice


_PENDING = "notice_files_pending"


@sa.event.listens_for(Session, "after_commit")
def _keep_files(session):
    session.info.pop(_PENDING, None)


@sa.event.listens_for(Session, "after_rollback")
def _drop_files(session):
    """A notice whose transaction rolled back leaves no file behind."""
    for path in session.info.pop(_PENDING, []):
        path.unlink(missing_ok=True)


def _visible(query):
    return query.join(Decision, Decision.id == Notice.decision_id).where(sa.or_(
        Decision.review_state.is_(None), Decision.review_state.not_in(HIDDEN_REVIEW_STATES)))


def for_petition(petition: Petition) -> list[Notice]:
    """The petition's notices, oldest first; a denial awaiting (or returned by) a
    supervisor has none yet, for anyone. A notice belongs to a decision: a petition whose
    decisions are loaded and none has none (no statement spent asking)."""
    loaded = sa.inspect(petition).dict.get("decisions")  # (None: not loaded)
    if isinstance(loaded, list) and not loaded:
        return []
    return db.session.scalars(_visible(sa.select(Notice)).where(
        Notice.petition_id == petition.id).order_by(Notice.id)).all()


def for_petitions(petitions) -> dict[int, list[Notice]]:
    """``for_petition`` for a page of petitions in one query, by petition id."""
    found = {p.id: [] for p in petitions}
    if found:
        for notice in db.session.scalars(_visible(sa.select(Notice)).where(
                Notice.petition_id.in_(list(found))).order_by(Notice.id)):
            found[notice.petition_id].append(notice)
    return found


@uow.atomic
def get(user, receipt_number: str, notice_id) -> tuple[Notice, Path]:
    """A notice of a petition ``user`` may see, and its file; NotFound otherwise."""
    petition = access.get_petition(user, receipt_number)
    try:
        notice_id = int(notice_id)
    except (TypeError, ValueError):
        raise NotFound(_("No such notice.")) from None
    notice = db.session.scalars(_visible(sa.select(Notice)).where(
        Notice.id == notice_id, Notice.petition_id == petition.id)).first()
    path = path_of(notice) if notice else None
    if path is None or not path.is_file():
        raise NotFound(_("No such notice."))
    audit.staff_read(user, "notice.view", "notice", notice.id, petition)
    return notice, path


def download_name(notice: Notice) -> str:
    return f"{notice.petition.receipt_number}-{notice.kind.replace('_', '-')}-{notice.id}.pdf"
