"""Administration of routing: rules (create, edit, retire) and queues (target, officers),
each change shown with its warnings first, and a dry run of where a sample petition goes."""
import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import (
    DateField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from ...domain import routing_admin
from ...domain.errors import ValidationFailed
from ...extensions import db
from ...forms.base import BaseForm, apply_errors, options
from ...models import AdjudicationQueue, Category, Country, Port, Role, RoutingRule
from ...models.users import utcnow
from ..support.permissions import roles_required
from .blueprint import bp

ANY = [("", _l("Any"))]


def _countries():
    return options([(c.value, c.value) for c in Country])


class RuleForm(BaseForm):
    name = StringField(_l("Rule name"), validators=[DataRequired(_l("Give the rule a name.")),
                                                     Length(max=100)])
    country = SelectField(_l("Destination country"), choices=_countries)
    queue_code = SelectField(_l("Queue"), validators=[DataRequired(_l("Choose a queue."))])
    category_code = SelectField(_l("Category"), validate_choice=False)
    port_code = SelectField(_l("Port"), validate_choice=False)
    authority = SelectField(_l("Authority"), validate_choice=False)
    position = IntegerField(_l("Position (lower wins among equally specific rules)"), default=100,
                            validators=[NumberRange(0, 100000)])
    effective_from = DateField(_l("Effective from"), validators=[Optional()])
    effective_to = DateField(_l("Effective until"), validators=[Optional()])
    confirmed = HiddenField()

    def set_choices(self):
        queues = db.session.scalars(sa.select(AdjudicationQueue).order_by(
            AdjudicationQueue.country, AdjudicationQueue.code)).all()
        # The defaults agree: the destination shown first (the form's, else the first
        # country) has its own queues first, so the preselected queue is one of its own.
        country = self.country.data or next(iter(Country)).value
        queues.sort(key=lambda q: (str(getattr(q.country, "value", q.country)) != country,
                                   str(q.country), q.code))
        self.queue_code.choices = options([
            (q.code, f"{getattr(q.country, 'value', q.country)}: {q.code} – {q.name}")
            for q in queues])
        categories = db.session.execute(sa.select(Category.country, Category.code)
                                        .order_by(Category.country, Category.code)).all()
        self.category_code.choices = options(ANY + [(c, f"{c} ({k})") for k, c in categories])
        self.port_code.choices = options(ANY + [(p, f"{p} ({k})") for k, p in db.session.execute(
            sa.select(Port.country, Port.code).order_by(Port.country, Port.code)).all()])
        self.authority.choices = options(ANY + [(a, a) for a in routing_admin.authorities()])

    def to_input(self) -> routing_admin.RuleInput:
        return routing_admin.RuleInput(
            name=self.name.data, country=self.country.data, queue_code=self.queue_code.data,
            category_code=self.category_code.data or "", port_code=self.port_code.data or "",
            authority=self.authority.data or "", position=self.position.data,
            effective_from=self.effective_from.data, effective_to=self.effective_to.data)


class QueueForm(BaseForm):
    code = StringField(_l("Code"), validators=[DataRequired(_l("Give the queue a code.")),
                                               Length(max=64)])
    name = StringField(_l("Name in English"),
                       validators=[DataRequired(_l("Give the queue a name.")), Length(max=200)])
    name_fr = StringField(_l("Name in French"), validators=[Length(max=200)])
    country = SelectField(_l("Country"), choices=_countries)
    sla_business_days = IntegerField(_l("Service target (business days)"), default=5,
                                     validators=[NumberRange(1, routing_admin.MAX_SLA_DAYS)])
    officer_ids = SelectMultipleField(_l("Officers who work this queue"), coerce=int,
                                      validate_choice=False)


class DryRunForm(BaseForm):
    class Meta:
        csrf = False  # a read-only GET form

    country = SelectField(_l("Destination country"), choices=_countries)
    category_code = SelectField(_l("Category"), validate_choice=False)
    port_code = SelectField(_l("Port"), validate_choice=False)
    on = DateField(_l("Routing date"), validators=[Optional()])


def _rule_page(form, rule=None, found=(), status=200):
    return render_template("admin/rule_form.html", form=form, rule=rule, warnings=found), status


def _save_rule(form, rule=None):
    form.set_choices()
    if not form.validate_on_submit():
        return _rule_page(form, rule, status=422 if request.method == "POST" else 200)
    try:
        saved, found = routing_admin.save_rule(current_user, form.to_input(),
                                               rule.id if rule else None,
                                               confirmed=form.confirmed.data == "yes")
    except ValidationFailed as exc:
        apply_errors(form, exc, fallback="name")
        return _rule_page(form, rule, status=422)
    if saved is None:  # warnings first: the admin saves again to confirm
        form.confirmed.data = "yes"
        return _rule_page(form, rule, found)
    flash(_("The rule %(name)s was saved. It applies to petitions routed from now on.",
            name=saved.name), "success")
    return redirect(url_for("admin.home") + "#rules")


@bp.route("/rules/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def new_rule():
    """Create a routing rule (warnings shown before it is saved)."""
    return _save_rule(RuleForm())


@bp.route("/rules/<int:rule_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def edit_rule(rule_id):
    """Edit a routing rule (warnings shown before it is saved)."""
    rule = routing_admin.get_rule(rule_id)
    form = RuleForm(obj=rule) if request.method == "GET" else RuleForm()
    if request.method == "GET":
        form.country.data, form.queue_code.data = str(rule.country), rule.queue.code
        form.category_code.data, form.port_code.data = rule.category_code or "", \
            rule.port_code or ""
        form.authority.data = rule.authority or ""
    return _save_rule(form, rule)


@bp.post("/rules/<int:rule_id>/retire")
@roles_required(Role.ADMIN)
def retire_rule(rule_id):
    """End a rule yesterday; new routings stop using it (warnings first)."""
    form = BaseForm()
    if not form.validate_on_submit():
        abort(400)
    rule, found = routing_admin.retire_rule(current_user, rule_id,
                                            confirmed=request.form.get("confirmed") == "yes")
    if rule is None:
        return render_template("admin/retire.html", rule=routing_admin.get_rule(rule_id),
                               warnings=found)
    flash(_("The rule %(name)s was retired.", name=rule.name), "success")
    return redirect(url_for("admin.home") + "#rules")


@bp.route("/queues/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def new_queue():
    """Create an adjudication queue."""
    return _save_queue(QueueForm(), None)


@bp.route("/queues/<int:queue_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def edit_queue(queue_id):
    """Edit a queue: name, service target and the officers who work it."""
    queue = db.session.get(AdjudicationQueue, queue_id) or abort(404)
    form = QueueForm(obj=queue) if request.method == "GET" else QueueForm()
    if request.method == "GET":
        form.country.data, form.officer_ids.data = str(queue.country), \
            [u.id for u in queue.officers]
        # Each language's own name, not the one the admin happens to read in.
        form.name.data, form.name_fr.data = queue.name_en, queue.name_fr
    return _save_queue(form, queue)


def _save_queue(form, queue):
    country = str(queue.country) if queue else (form.country.data or "US")
    officers = routing_admin.officer_choices(country)
    form.officer_ids.choices = options([(u.id, f"{u.name} ({u.email})") for u in officers])
    if queue is not None:  # code and country stay as they were
        form.code.data, form.country.data = queue.code, str(queue.country)
    if form.validate_on_submit():
        try:
            saved = routing_admin.save_queue(current_user, routing_admin.QueueInput(
                code=form.code.data, name=form.name.data, name_fr=form.name_fr.data,
                country=form.country.data,
                sla_business_days=form.sla_business_days.data,
                officer_ids=form.officer_ids.data or []), queue.id if queue else None)
        except ValidationFailed as exc:
            apply_errors(form, exc, fallback="name")
        else:
            flash(_("The queue %(code)s was saved.", code=saved.code), "success")
            return redirect(url_for("admin.home") + "#queues")
    status = 422 if request.method == "POST" else 200
    return render_template("admin/queue_form.html", form=form, queue=queue,
                           officers=officers), status


@bp.get("/dry-run")
@roles_required(Role.ADMIN)
def dry_run():
    """Which queue a sample petition would go to, and why; nothing is saved."""
    form = DryRunForm(request.args)
    rule_form = RuleForm(formdata=None)
    rule_form.set_choices()
    form.category_code.choices = options(rule_form.category_code.choices[1:])
    form.port_code.choices = options(rule_form.port_code.choices[1:])
    result = None
    if request.args and form.validate():
        try:
            result = routing_admin.dry_run(form.country.data, form.category_code.data,
                                           form.port_code.data, form.on.data or utcnow().date())
        except ValidationFailed as exc:
            apply_errors(form, exc, fallback="category_code")
        except LookupError as exc:  # no triage queue for the country
            flash(str(exc), "error")
    return render_template("admin/dry_run.html", form=form, result=result,
                           RoutingRule=RoutingRule)
