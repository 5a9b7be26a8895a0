"""Load the TOML files in ``data/`` into the database; running it again updates in place
(matched by natural keys) and never duplicates.

Every text a reader sees is written in both official languages, ``name = { en = "...",
fr = "..." }``, and stored per language (``name`` and ``name_fr``; items of a JSON list get
``label`` and ``label_fr``). Codes are never translated."""
import tomllib
from datetime import date
from pathlib import Path

import sqlalchemy as sa

from ..domain import uow
from ..extensions import db
from ..models import (
    AdjudicationQueue,
    Category,
    Port,
    ReasonCode,
    RequiredDocument,
    RoutingRule,
)

DATA_DIR = Path(__file__).parent / "data"


def read(name: str) -> dict:
    """One data file as it is written (documentation that needs no database reads it)."""
    return _read(name)


def _read(name: str) -> dict:
    with open(DATA_DIR / name, "rb") as fh:
        return tomllib.load(fh)


def _texts(value) -> tuple[str, str]:
    """(English, French) of a TOML text: ``{en, fr}``, or a bare string (English only)."""
    if isinstance(value, dict):
        return value["en"], value.get("fr", "")
    return value or "", ""


def _both(field: str, value) -> dict:
    """Model attributes for a bilingual text: ``{field}_en`` and ``{field}_fr``."""
    en, fr = _texts(value)
    return {f"{field}_en": en, f"{field}_fr": fr}


def _items(items: list, keys: tuple[str, ...]) -> list[dict]:
    """A JSON list's items with each bilingual key split into ``key`` and ``key_fr``."""
    out = []
    for item in items:
        flat = dict(item)
        for key in keys:
            if key in item:
                flat[key], flat[f"{key}_fr"] = _texts(item[key])
        out.append(flat)
    return out


def _upsert(model, keys: dict, values: dict):
    row = db.session.scalars(sa.select(model).filter_by(**keys)).first()
    if row is None:
        row = model(**keys)
        db.session.add(row)
    for name, value in values.items():
        setattr(row, name, value)
    return row


def _load_categories() -> int:
    items = _read("categories.toml")["category"]
    for item in items:
        category = _upsert(Category, {"country": item["country"], "code": item["code"]}, {
            **_both("name", item["name"]), **_both("decided_by", item.get("decided_by", "")),
            "channel": item.get("channel", "port"),
            "max_validity_days": item.get("max_validity_days"),
            "extra_fields_data": _items(item.get("fields", []), ("label", "hint")),
            "active": True, "default_validity_days": item.get("default_validity_days"),
            "checklist_data": _items(item.get("checklist", []), ("label",))})
        db.session.flush()
        wanted = {doc["kind"] for doc in item["documents"]}
        for existing in list(category.required_documents):
            if existing.kind not in wanted:
                category.required_documents.remove(existing)
        for position, doc in enumerate(item["documents"]):
            _upsert(RequiredDocument, {"category_id": category.id, "kind": doc["kind"]}, {
                **_both("name", doc["name"]), **_both("description", doc.get("description", "")),
                "required": doc.get("required", True), "position": position})
    return len(items)


def _load_ports() -> int:
    items = _read("ports.toml")["port"]
    for item in items:
        _upsert(Port, {"country": item["country"], "code": item["code"]},
                {**_both("name", item["name"]), "kind": item.get("kind", "land"),
                 "time_zone": item.get("time_zone", ""), "active": True})
    return len(items)


def _load_queues() -> tuple[int, int]:
    data = _read("queues.toml")
    agencies = data.get("agency", {})
    for item in data["queue"]:
        agency = agencies[item["agency"]]  # every queue names a declared agency
        _upsert(AdjudicationQueue, {"code": item["code"]}, {
            **_both("name", item["name"]), "country": item["country"],
            "sla_business_days": item.get("sla_business_days", 5),
            "is_triage": item.get("is_triage", False), "agency": item["agency"],
            "agency_name": agency["name"]["en"], "agency_name_fr": agency["name"]["fr"]})
    db.session.flush()
    queue_ids = dict(db.session.execute(sa.select(AdjudicationQueue.code,
                                                  AdjudicationQueue.id)).all())
    for item in data.get("rule", []):
        _upsert(RoutingRule, {"name": item["name"]}, {
            "country": item["country"], "port_code": item.get("port"),
            "category_code": item.get("category"), "queue_id": queue_ids[item["queue"]],
            "position": item.get("position", 100),
            "effective_from": _date(item.get("effective_from")),
            "effective_to": _date(item.get("effective_to"))})
    return len(data["queue"]), len(data.get("rule", []))


def _date(value) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value)


def _load_reasons() -> int:
    items = _read("reason_codes.toml")["reason"]
    for item in items:
        _upsert(ReasonCode, {"code": item["code"]}, {
            **_both("title", item["title"]), **_both("explanation", item["explanation"]),
            "citation_us": item.get("citation_us", ""),
            "citation_ca": item.get("citation_ca", ""), "active": True})
    return len(items)


def load_all() -> dict:
    """Load every file in one transaction: all of it lands, or none of it."""
    counts = {"categories": _load_categories(), "ports": _load_ports()}
    counts["queues"], counts["routing_rules"] = _load_queues()
    counts["reason_codes"] = _load_reasons()
    uow.commit()
    return counts
