"""Administration: the configuration at a glance (queues, routing rules, accounts per
role). Rules and queues are changed in ``admin_rules.py``."""
import sqlalchemy as sa
from flask import render_template
from sqlalchemy.orm import selectinload

from ...extensions import db
from ...models import AdjudicationQueue, Role, RoutingRule, User
from ..support.permissions import roles_required
from .blueprint import bp


@bp.get("/")
@roles_required(Role.ADMIN)
def home():
    """Queues, routing rules and how many accounts each role has."""
    queues = db.session.scalars(sa.select(AdjudicationQueue).options(
        selectinload(AdjudicationQueue.officers)).order_by(
        AdjudicationQueue.country, AdjudicationQueue.is_triage.desc(),
        AdjudicationQueue.name)).all()
    rules = db.session.scalars(sa.select(RoutingRule).options(selectinload(RoutingRule.queue))
                               .order_by(RoutingRule.country, RoutingRule.position,
                                         RoutingRule.name)).all()
    counts = dict(db.session.execute(sa.select(User.role, sa.func.count())
                                     .group_by(User.role)).all())
    return render_template("admin/home.html", queues=queues, rules=rules,
                           counts=[(role, counts.get(role, 0)) for role in Role])
