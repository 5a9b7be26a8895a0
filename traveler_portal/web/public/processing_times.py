"""The published processing times, for anyone: read from the table the beat task fills
(domain/processing_times.py), never computed per request."""
from flask import render_template, request

from ...domain import processing_times
from ..support.permissions import public
from .blueprint import bp

COUNTRIES = ("US", "CA")


@bp.get("/processing-times", endpoint="processing_times")
@public
def processing_times_page():
    """Median and 80th-percentile days to a decision per queue and category, per country
    (?country= shows one)."""
    wanted = (request.args.get("country") or "").upper()
    shown = (wanted,) if wanted in COUNTRIES else COUNTRIES
    tables = {country: processing_times.published(country) for country in shown}
    computed = max((c for _rows, c in tables.values() if c), default=None)
    return render_template("public/processing_times.html", tables=tables, computed=computed)
