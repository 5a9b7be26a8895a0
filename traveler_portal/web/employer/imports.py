"""Bulk import of employees from a CSV file: upload, live progress (a JSON endpoint polled
by static/imports.js; without JavaScript a refresh link), and the report of rejected rows."""
import csv
import io

from flask import Response, flash, jsonify, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.file import FileField, FileRequired

from ...domain import employee_imports, organizations
from ...domain.errors import ValidationFailed
from ...forms.base import BaseForm, apply_errors
from ...models import Role
from ..support.permissions import roles_required
from .blueprint import bp
from .dashboard import safe_cell


class ImportForm(BaseForm):
    file = FileField(_l("CSV file of employees"),
                     validators=[FileRequired(_l("Choose a CSV file to upload."))])


def _index(form, status=200):
    return render_template("employer/imports/index.html", form=form,
                           imports=employee_imports.recent(current_user),
                           can_manage=organizations.is_org_admin(current_user)), status


@bp.get("/imports/")
@roles_required(Role.EMPLOYER)
def imports():
    """The upload form and the organization's recent imports."""
    return _index(ImportForm())


@bp.post("/imports/")
@roles_required(Role.EMPLOYER)
def upload_import():
    """Store the file and queue its import (owners and admins)."""
    organizations.require_org_admin(current_user)
    form = ImportForm()
    if not form.validate_on_submit():
        return _index(form, 422)
    upload_file = form.file.data
    try:
        job, new = employee_imports.start(current_user, upload_file.filename,
                                          upload_file.read())
    except ValidationFailed as exc:
        apply_errors(form, exc, "file")
        return _index(form, 422)
    if not new:
        flash(_("This file was already imported: nothing new was created. Here is that "
                "import."), "success")
    return redirect(url_for(".show_import", import_id=job.id), 303)


@bp.get("/imports/<int:import_id>")
@roles_required(Role.EMPLOYER)
def show_import(import_id):
    """One import's progress and counts."""
    job = employee_imports.get(current_user, import_id)
    return render_template("employer/imports/show.html", job=job,
                           progress=employee_imports.progress(job))


@bp.get("/imports/<int:import_id>/progress")
@roles_required(Role.EMPLOYER)
def import_progress(import_id):
    """The import's progress as JSON (polled by the page)."""
    job = employee_imports.get(current_user, import_id)
    response = jsonify(employee_imports.progress(job))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/imports/<int:import_id>/rejected.csv")
@roles_required(Role.EMPLOYER)
def import_rejected(import_id):
    """The rejected rows with the reason for each, as CSV."""
    job = employee_imports.get(current_user, import_id)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([_("Row"), _("Email"), _("Reason")])
    for cells in employee_imports.rejection_rows(job):
        writer.writerow([safe_cell(c) for c in cells])
    return Response("\ufeff" + buffer.getvalue(), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="import-{job.id}-rejected-rows.csv"'})
