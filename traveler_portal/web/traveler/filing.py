"""Guided filing for travelers: trip → job → documents → review → attest and submit.

The trip step creates the draft; every later step saves it (``petitions.update_draft``),
so a draft is resumable from the dashboard at any time. Every step validates on the
server and re-shows itself with each field's message (422). Each form carries the draft's
version: a save from an outdated page (another tab) is refused with the current values
shown (409), never written over the later edit.
"""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from ...domain import (
    access,
    documents,
    filing,
    history,
    identity,
    petitions,
    profiles,
    reference,
)
from ...domain.errors import Conflict, DomainError, ValidationFailed
from ...forms.base import apply_errors, options
from ...forms.filing import AttestForm, SlotUploadForm, TripForm, job_form
from ...models import Role, Status
from ..support.permissions import roles_required
from ..support.templating import COUNTRY_NAMES
from .blueprint import bp

ENDPOINTS = {"trip": "traveler.trip", "job": "traveler.job", "documents": "traveler.documents_step",
             "review": "traveler.review", "attest": "traveler.attest"}


def _draft(receipt_number: str):
    """The caller's draft; a petition already submitted goes to its own page."""
    petition = access.get_petition(current_user, receipt_number)
    if petition.status != Status.DRAFT:
        flash(_("This petition was already submitted; it can no longer be changed."), "error")
        abort(redirect(url_for("traveler.petition", receipt_number=petition.receipt_number)))
    return petition


def _page(template: str, step: str, petition=None, status: int = 200, **context):
    return render_template(f"traveler/filing/{template}.html", step=step, petition=petition,
                           steps=ENDPOINTS, **context), status


def _unsaved(form, skip=("csrf_token", "version")) -> list:
    """What the user typed in a refused (stale) save, to show next to the current values."""
    return [(f.label.text, f.data) for f in form if f.name not in skip and f.data not in
            (None, "", False) and f.type not in ("HiddenField", "CSRFTokenField")]


def _trip_data(petition) -> dict:
    return {"category": petition.category.code, "port_of_entry": petition.port.code,
            "travel_date": petition.travel_date, "requested_start": petition.requested_start,
            "requested_end": petition.requested_end, "version": petition.version}


def _trip_form(country: str, petition=None, fresh: bool = False) -> TripForm:
    form = TripForm(formdata=None, data=_trip_data(petition)) if fresh else TripForm()
    form.set_country(country)
    form.category.choices = options([("", _("Choose a category")), *form.category.choices])
    form.port_of_entry.choices = options([("", _("Choose a port of entry")),
                                  *form.port_of_entry.choices])
    form.destination_country.data = country  # fixed by the first choice, not by the post
    return form


def _like(petition, country: str, form) -> dict:
    """A new petition "like" a past one (``?like=<receipt>``, see domain/history.py): its
    category and port shown in the form, its job title and employer kept for the draft."""
    if petition is not None or not request.args.get("like"):
        return {}
    like = history.prefill_from(current_user, request.args["like"])
    if like["country"] != country:
        return {}
    if request.method == "GET":
        form.category.data, form.port_of_entry.data = like["category"], like["port_of_entry"]
    return like


def _trip(petition=None):
    country = petition.destination_country.value if petition else \
        request.args.get("country", "").upper()
    if country not in reference.COUNTRIES:
        chosen = bool(request.args.get("chosen"))
        return _page("country", "trip", countries=COUNTRY_NAMES, missing=chosen,
                     status=422 if chosen else 200)
    form = _trip_form(country, petition, fresh=petition is not None and request.method == "GET")
    like = _like(petition, country, form)
    context = {"form": form, "country": country, "categories": reference.categories(country),
               "like": like.get("receipt_number")}
    if form.validate_on_submit():
        category = reference.category(country, form.category.data)
        port = reference.port(country, form.port_of_entry.data)
        try:
            if petition is None:
                petition = petitions.create_draft(current_user, petitions.DraftInput(
                    destination_country=country, category=category, port=port,
                    travel_date=form.travel_date.data, job_title=like.get("job_title", ""),
                    employer_name=like.get("employer_name", ""),
                    traveler=current_user, organization_id=current_user.organization_id,
                    requested_start=form.requested_start.data,
                    requested_end=form.requested_end.data))
            else:
                petitions.update_draft(current_user, petition.receipt_number, {
                    "category": category, "port": port, "travel_date": form.travel_date.data,
                    "requested_start": form.requested_start.data,
                    "requested_end": form.requested_end.data}, form.version.data)
        except petitions.StaleDraft:
            petition = access.get_petition(current_user, petition.receipt_number)
            return _page("trip", "trip", petition, 409, stale=True, unsaved=_unsaved(form),
                         **{**context, "form": _trip_form(country, petition, fresh=True)})
        except ValidationFailed as exc:
            apply_errors(form, exc, fallback="category")
        else:
            flash(_("Draft %(number)s saved.", number=petition.receipt_number), "success")
            return redirect(url_for(".job", receipt_number=petition.receipt_number))
    return _page("trip", "trip", petition, 422 if form.errors else 200, **context)


@bp.route("/filing/new", methods=["GET", "POST"])
@roles_required(Role.TRAVELER)
def start_filing():
    """Step 1 for a new petition: the destination country, then the trip."""
    return _trip()


@bp.get("/filing/<receipt_number>")
@roles_required(Role.TRAVELER)
def resume_filing(receipt_number):
    """Continue a draft at its first unfinished step."""
    petition = _draft(receipt_number)
    step = filing.first_unfinished_step(petition, petitions.missing_documents(petition))
    return redirect(url_for(ENDPOINTS[step], receipt_number=petition.receipt_number))


@bp.route("/filing/<receipt_number>/trip", methods=["GET", "POST"])
@roles_required(Role.TRAVELER)
def trip(receipt_number):
    """Step 1: category, port of entry and dates."""
    return _trip(_draft(receipt_number))


@bp.route("/filing/<receipt_number>/job", methods=["GET", "POST"])
@roles_required(Role.TRAVELER)
def job(receipt_number):
    """Step 2: the job, and the category's own questions."""
    petition = _draft(receipt_number)
    category = petition.category

    def saved_form():
        data = {name: getattr(petition, name) for name in filing.JOB_FIELDS}
        if not data["employer_name"] and petition.organization:
            data["employer_name"] = petition.organization.name  # prefilled, still editable
        return job_form(category, formdata=None, data={**data, "version": petition.version},
                        details=petition.details or {})
    form = saved_form() if request.method == "GET" else job_form(category)
    if form.validate_on_submit():
        changes = form.job_values(filing.JOB_FIELDS)
        try:
            petitions.update_draft(current_user, receipt_number,
                                   {**changes, "details": form.details()}, form.version.data)
        except petitions.StaleDraft:
            petition = access.get_petition(current_user, receipt_number)
            return _page("job", "job", petition, 409, form=saved_form(), stale=True,
                         unsaved=_unsaved(form))
        except ValidationFailed as exc:
            apply_errors(form, exc, fallback="job_title")
        else:
            flash(_("Job details saved."), "success")
            return redirect(url_for(".documents_step", receipt_number=receipt_number))
    return _page("job", "job", petition, 422 if form.errors else 200, form=form)


def _slots(petition, failed=None):
    """Each document the category asks for, with its upload form and the files on file."""
    slots = []
    kinds = [(r.kind, r.name, r.description, r.required)
             for r in petition.category.required_documents]
    kinds.append(("other", _("Other document"),
                  _("Anything else that supports the petition (optional)."), False))
    for kind, name, description, required in kinds:
        form = failed if failed is not None and failed._prefix == f"{kind}-" else \
            SlotUploadForm(formdata=None, prefix=kind)
        form.file.label.text = _("File for: %(name)s", name=name)
        slots.append({"kind": kind, "name": name, "description": description,
                      "required": required, "form": form,
                      "on_file": [d for d in petition.documents if d.kind == kind]})
    return slots


@bp.route("/filing/<receipt_number>/documents", methods=["GET", "POST"])
@roles_required(Role.TRAVELER)
def documents_step(receipt_number):
    """Step 3: one upload per document slot, each explained in plain words."""
    petition = _draft(receipt_number)
    if request.method == "GET":
        return _page("documents", "documents", petition, slots=_slots(petition),
                     missing=petitions.missing_documents(petition))
    kind = request.args.get("kind", "")
    if kind != "other" and kind not in {r.kind for r in petition.category.required_documents}:
        abort(404)
    form = SlotUploadForm(prefix=kind)
    if form.validate_on_submit():
        upload = form.file.data
        try:
            doc = documents.add(current_user, petition, kind, upload.stream, upload.filename)
        except Conflict as exc:
            flash(exc.message, "error")
            return redirect(url_for("traveler.petition", receipt_number=receipt_number))
        except DomainError as exc:  # empty, too large, not a PDF/PNG/JPEG: nothing stored
            form.file.errors = [*form.file.errors, exc.fields.get("file", exc.message)]
        else:
            flash(_("%(file)s was uploaded.", file=doc.filename), "success")
            return redirect(url_for(".documents_step", receipt_number=receipt_number)
                            + f"#slot-{kind}")
    petition = access.get_petition(current_user, receipt_number)
    return _page("documents", "documents", petition, 422, slots=_slots(petition, form),
                 missing=petitions.missing_documents(petition), failed=form)


def _review_context(petition) -> dict:
    profile = profiles.get(petition.traveler)
    return {"profile": profile,
            "passport": profiles.masked(profile.passport_number) if profile else "",
            "expires_early": profiles.passport_expires_early(petition),
            "identity_missing": identity.missing(petition.traveler, petition),
            "problems": filing.step_problems(petition),
            "missing": petitions.missing_documents(petition),
            "countries": dict(profiles.countries(str(get_locale() or "en")))}


@bp.get("/filing/<receipt_number>/review")
@roles_required(Role.TRAVELER)
def review(receipt_number):
    """Step 4: everything on one page, with a link to change each part."""
    petition = _draft(receipt_number)
    return _page("review", "review", petition, **_review_context(petition))


@bp.route("/filing/<receipt_number>/submit", methods=["GET", "POST"])
@roles_required(Role.TRAVELER)
def attest(receipt_number):
    """Step 5: the attestation, then submission (missing documents still block it)."""
    petition = _draft(receipt_number)
    form = AttestForm() if request.method == "POST" else \
        AttestForm(formdata=None, data={"version": petition.version})
    context = _review_context(petition)
    if form.validate_on_submit():
        try:
            petitions.attest_and_submit(current_user, receipt_number, form.version.data)
        except petitions.StaleDraft:
            flash(_("This draft was changed in another tab or window after you opened this "
                    "page, so it was not submitted. Check the current details, then attest "
                    "again."), "error")
            return redirect(url_for(".review", receipt_number=receipt_number), 303)
        except ValidationFailed:
            petition = access.get_petition(current_user, receipt_number)
            return _page("attest", "attest", petition, 422, form=form, refused=True,
                         **_review_context(petition))
        flash(_("Petition %(number)s was submitted. It goes to an officer's queue in a "
                "moment.", number=receipt_number), "success")
        return redirect(url_for("traveler.petition", receipt_number=receipt_number))
    return _page("attest", "attest", petition, 422 if form.errors else 200, form=form,
                 **context)
