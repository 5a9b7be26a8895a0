"""Consistency across ports: the supervisor's view of the arrivals at their country's
ports (domain/port_stats.py), as charts with their numbers in tables, and CSV."""
from datetime import date

from flask import Response, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from ...domain import port_stats, reference
from ...models import Role
from ..support import charts
from ..support.permissions import roles_required
from .blueprint import bp


def _port_code():
    codes = {p.code for p in reference.ports(current_user.country.value)}
    code = (request.args.get("port") or "").upper()
    return code if code in codes else None


@bp.get("/ports")
@roles_required(Role.SUPERVISOR)
def ports():
    """Arrivals per port: outcomes, inspection minutes with and without pre-adjudication,
    and one port's outcomes per category beside the country's (?port=)."""
    country, port_code = current_user.country, _port_code()
    rows = port_stats.arrivals(country)
    tallies = port_stats.per_port(rows)
    categories = port_stats.per_category(rows, port_code) if port_code else []
    minutes_chart = charts.bar_chart(
        "chart-minutes", _("Median inspection minutes per port"),
        [p.code for p, _t in tallies],
        [(_("Pre-adjudicated"), [t.median_with or 0 for _p, t in tallies]),
         (_("No pre-adjudication"), [t.median_without or 0 for _p, t in tallies])])
    category_chart = charts.bar_chart(
        "chart-categories", _("Admitted (%) per category: this port and the country"),
        [code for code, _p, _c in categories],
        [(_("This port"), [p.share("admitted") for _c, p, _x in categories]),
         (_("Country"), [c.share("admitted") for _x, _p, c in categories])], 100) \
        if categories else None
    return render_template("supervisor/ports.html", tallies=tallies, categories=categories,
                           port_code=port_code, days=port_stats.WINDOW_DAYS,
                           ports=reference.ports(country.value), minutes_chart=minutes_chart,
                           category_chart=category_chart)


@bp.get("/ports.csv")
@roles_required(Role.SUPERVISOR)
def ports_csv():
    """The arrivals behind the view (?port= for one port), one row each."""
    country, port_code = current_user.country, _port_code()
    body = port_stats.to_csv(port_stats.arrivals(country, port_code=port_code))
    name = f"arrivals-{country.value}-{port_code or 'all'}-{date.today().isoformat()}.csv"
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": f"attachment; filename={name}",
        "Cache-Control": "private, no-store"})
