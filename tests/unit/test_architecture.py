"""Rules of the code base's shape (shared/DESIGN.md): every route states who may call it,
the web side never imports the workers, the OpenAPI document matches the served API, and
the migrations form one line that goes down and up again."""
import ast
import logging
import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import current_app
from flask_migrate import downgrade, upgrade

from traveler_portal.extensions import db
from traveler_portal.models import Category, Port, ReasonCode, Role, RoutingRule
from traveler_portal.reference import loader

PACKAGE = Path(__file__).resolve().parents[2] / "traveler_portal"
HTTP_METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}
# Reachable without signing in. Adding to this list is a deliberate decision.
PUBLIC_ENDPOINTS = {"public.index", "public.healthz", "public.readyz", "public.login",
                    "public.register",
                    "api.create_token", "api.openapi_json",
                    # The invitation link opened from the email, signed out (a signed token).
                    "public.accept_invitation",
                    # A forgotten password: the request form and the emailed link.
                    "public.forgot_password", "public.reset_password",
                    # The site icon browsers fetch on a first visit.
                    "public.favicon",
                    # The sign-in's second step: a pending sign-in, not yet signed in.
                    "public.sign_in_code", "public.sign_in_enrol",
                    # The emailed link that finishes a registration (an encrypted token).
                    "public.confirm_registration",
                    # A decision notice verified from its code alone (rate-limited).
                    "public.verify", "public.verify_form", "api.verify",
                    # Published processing times (figures only, no personal data).
                    "public.processing_times", "api.processing_times_json",
                    # The header's language switch (the active offer), signed in or not.
                    "public.language"}



def test_every_route_states_who_may_call_it(app):
    missing, public = [], set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        permission = getattr(app.view_functions[rule.endpoint], "permission", None)
        if permission is None:
            missing.append(f"{rule.rule} ({rule.endpoint})")
        elif permission == "public":
            public.add(rule.endpoint)
        else:
            assert permission and all(isinstance(r, Role) for r in permission), rule.endpoint
    assert missing == [], "routes without a permission decorator"
    assert public <= PUBLIC_ENDPOINTS, "unexpected public routes"


def _imported_modules(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(
                node.func, "id", None)) in ("import_module", "__import__") and node.args \
                and isinstance(node.args[0], ast.Constant):
            names.add(str(node.args[0].value))
    return names


def test_the_web_package_never_imports_the_workers():
    sources = sorted(PACKAGE.rglob("*.py"))
    assert len(sources) > 20
    offenders = {str(p.relative_to(PACKAGE)): sorted(m for m in _imported_modules(p)
                                                     if m.split(".")[0] == "workers")
                 for p in sources}
    assert {k: v for k, v in offenders.items() if v} == {}


def _served_operations(app) -> set[tuple[str, str]]:
    served = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/"):
            continue
        path = re.sub(r"<(?:[^<>:]+:)?([^<>]+)>", r"{\1}", rule.rule[len("/api/v1"):])
        served |= {(path, m.lower()) for m in rule.methods - {"HEAD", "OPTIONS"}}
    return served


def test_the_openapi_document_lists_exactly_the_served_api(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    document = response.get_json()
    assert document["openapi"].startswith("3.1")
    assert [s["url"] for s in document["servers"]] == ["/api/v1"]
    documented = {(path, method) for path, item in document["paths"].items()
                  for method in item if method in HTTP_METHODS}
    served = _served_operations(client.application)
    assert len(served) >= 15
    assert sorted(served - documented) == [], "served but not documented"
    assert sorted(documented - served) == [], "documented but not served"


def test_every_documented_path_parameter_is_declared(client):
    document = client.get("/api/v1/openapi.json").get_json()
    for path, item in document["paths"].items():
        in_path = set(re.findall(r"{([^}]+)}", path))
        for method, operation in item.items():
            declared = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
            assert declared == in_path, (path, method)


def _alembic_config():
    migrate = current_app.extensions["migrate"]
    return migrate.migrate.get_config(migrate.directory)


def test_the_migrations_have_a_single_head(app):
    with app.app_context():
        heads = ScriptDirectory.from_config(_alembic_config()).get_heads()
    assert len(heads) == 1, heads


def test_the_models_match_the_migrated_schema(app):
    with app.app_context(), db.engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), db.metadata)
    assert differences == []


def _reference_counts() -> dict:
    return {m.__tablename__: db.session.scalar(sa.select(sa.func.count()).select_from(m))
            for m in (Category, Port, RoutingRule, ReasonCode)}


@pytest.fixture
def keep_logging():
    """Alembic's env.py runs logging.fileConfig, which disables existing loggers."""
    before = {name: logger.disabled for name, logger in logging.root.manager.loggerDict.items()
              if isinstance(logger, logging.Logger)}
    level = logging.root.level
    yield
    for name, disabled in before.items():
        logging.getLogger(name).disabled = disabled
    logging.root.setLevel(level)


def test_downgrade_to_base_and_upgrade_again(app, keep_logging):
    with app.app_context():
        counts = _reference_counts()
        head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
        db.session.remove()
        try:
            downgrade(revision="base")
            left = set(sa.inspect(db.engine).get_table_names()) - {"alembic_version"}
            assert left == set(), "tables left after downgrading to base"
        finally:
            upgrade()
            loader.load_all()
        assert set(sa.inspect(db.engine).get_table_names()) >= set(db.metadata.tables)
        assert db.session.scalar(sa.text("SELECT version_num FROM alembic_version")) == head
        assert _reference_counts() == counts
        db.session.remove()  # on SQLite an open read transaction holds the write lock


def test_the_name_key_migration_fills_every_organization(app, keep_logging):
    """Organizations registered before 0007 get their key, and two names that differ
    only by case (possible before) both survive the new unique key."""
    with app.app_context():
        db.session.remove()
        try:
            downgrade(revision="0006")
            with db.engine.begin() as conn:
                for org_id, name in (("o-1", "Érable  Ltée"), ("o-2", "ÉRABLE LTÉE"),
                                     ("o-3", "Acme")):
                    conn.execute(sa.text(
                        "INSERT INTO organizations (id, name, invite_code, created_at, "
                        "business_number, address, contact_name, contact_email, "
                        "contact_phone, digest_enabled) VALUES (:id, :name, :code, "
                        "CURRENT_TIMESTAMP, '', '', '', '', '', true)"),
                        {"id": org_id, "name": name, "code": f"CODE{org_id}"})
            upgrade()
            with db.engine.connect() as conn:
                keys = dict(conn.execute(sa.text(
                    "SELECT id, name_key FROM organizations WHERE id LIKE 'o-%'")).all())
        finally:
            with db.engine.begin() as conn:
                conn.execute(sa.text("DELETE FROM organizations WHERE id LIKE 'o-%'"))
            upgrade()
            loader.load_all()  # columns added since 0006 hold their reference values again
        assert keys["o-3"] == "acme"
        assert sorted([keys["o-1"], keys["o-2"]]) == ["érable ltée", "érable ltée [o-2]"]
        db.session.remove()


# --- every vocabulary is a CHECK constraint, and the migrated ones equal the models' ----

VOCABULARY_COLUMNS = {("users", "org_role"), ("invitations", "org_role"),
                      ("decisions", "review_state"), ("categories", "channel"),
                      ("ports", "kind"), ("petitions", "status"), ("users", "role")}
_IN = re.compile(r"(\w+)\s+IN\s*\(([^)]*)\)", re.I)
_ANY = re.compile(r"\(\(?(\w+)\)?::text = ANY \(\(?ARRAY\[([^\]]*)\]")


def _values(text: str) -> frozenset:
    return frozenset(re.findall(r"'([^']*)'", text))


def model_vocabularies(metadata) -> dict:
    """(table, column) -> allowed values, as the models declare them (sa.Enum columns and
    explicit ``column IN (...)`` CHECK constraints)."""
    found = {}
    for table in metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, sa.Enum):
                found[(table.name, column.name)] = frozenset(column.type.enums)
        for constraint in table.constraints:
            if isinstance(constraint, sa.CheckConstraint):
                match = _IN.search(str(constraint.sqltext))
                # an sa.Enum's own constraint renders with bound values: taken above
                if match and (table.name, match.group(1)) not in found:
                    found[(table.name, match.group(1))] = _values(match.group(2))
    return found


def database_vocabularies(conn) -> dict:
    """(table, column) -> allowed values, read back from the migrated database."""
    found = {}
    if conn.dialect.name == "postgresql":
        rows = conn.execute(sa.text(
            "SELECT conrelid::regclass::text, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE contype = 'c' AND connamespace = 'public'::regnamespace")).all()
        for table, definition in rows:
            match = _ANY.search(definition) or _IN.search(definition)
            if match:
                found[(table, match.group(1))] = _values(match.group(2))
        return found
    for table, sql in conn.execute(sa.text(
            "SELECT name, sql FROM sqlite_master WHERE type = 'table'")).all():
        for match in re.finditer(r"CHECK\s*\(\s*" + _IN.pattern + r"\s*\)", sql or "", re.I):
            found[(table, match.group(1))] = _values(match.group(2))
    return found


def test_every_enumerated_column_is_checked_by_the_database_as_the_models_say(app):
    expected = model_vocabularies(db.metadata)
    assert set(expected) >= VOCABULARY_COLUMNS, "a vocabulary without a CHECK constraint"
    with app.app_context(), db.engine.connect() as conn:
        migrated = database_vocabularies(conn)
    assert {k: sorted(v) for k, v in migrated.items() if k in expected} == \
        {k: sorted(v) for k, v in expected.items()}


def test_a_new_enum_member_without_its_migration_is_caught(app):
    """The test of the test: a member added to an enum in Python only is a difference."""
    expected = model_vocabularies(db.metadata)
    expected[("petitions", "status")] = expected[("petitions", "status")] | {"archived"}
    with app.app_context(), db.engine.connect() as conn:
        migrated = database_vocabularies(conn)
    assert migrated[("petitions", "status")] != expected[("petitions", "status")]
