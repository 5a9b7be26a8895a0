"""``flask users create`` refuses options that do not apply to the role, and matches an
organization's name the way people write it (case, spacing, punctuation); migration 0015
recomputes the stored keys with that rule."""
import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from tests.unit import test_cli
from tests.unit.test_architecture import keep_logging  # noqa: F401 - a fixture
from tests.unit.test_cli import count, user_row
from traveler_portal.extensions import db
from traveler_portal.models import Organization
from traveler_portal.models.users import organization_key
from traveler_portal.reference import loader

users_create = test_cli.users_create  # the fixture running `flask users create`


@pytest.mark.parametrize("role, country", [("officer", "US"), ("supervisor", "CA"),
                                           ("admin", None)])
def test_agency_accounts_and_admins_refuse_an_organization(app, users_create, role, country):
    options = ["--country", country] if country else []
    result = users_create("staff@example.com", role, *options, "--organization", "Acme Inc.")
    assert result.exit_code == 2
    assert "--organization" in result.output and "no organization" in result.output
    assert user_row(app, "staff@example.com") is None
    assert count(app, Organization) == 0


@pytest.mark.parametrize("role", ["traveler", "employer", "admin"])
def test_a_country_is_refused_where_it_means_nothing(app, users_create, role):
    options = ["--organization", "Acme Inc."] if role == "employer" else []
    result = users_create("someone@example.com", role, "--country", "CA", *options)
    assert result.exit_code == 2
    assert "--country" in result.output and "officers and supervisors" in result.output
    assert user_row(app, "someone@example.com") is None


def test_organization_names_match_however_they_are_written(app, users_create):
    assert users_create("boss@example.com", "employer", "--organization",
                        "Acme Widgets Inc").exit_code == 0
    for number, spelling in enumerate(["Acme Widgets Inc.", "ACME  widgets, inc.",
                                       "Acme-Widgets Inc"]):
        result = users_create(f"colleague{number}@example.com", "employer",
                              "--organization", spelling)
        assert result.exit_code == 0, result.output
        assert user_row(app, f"colleague{number}@example.com")["organization"] == \
            "Acme Widgets Inc"
    joined = users_create("ada@example.com", "traveler", "--organization", "acme widgets inc.")
    assert joined.exit_code == 0, joined.output
    assert count(app, Organization) == 1


def test_a_traveler_cannot_found_an_organization_by_typo(app, users_create):
    result = users_create("ada@example.com", "traveler", "--organization", "Acme Widgts")
    assert result.exit_code == 2 and "No organization is registered" in result.output
    assert count(app, Organization) == 0 and user_row(app, "ada@example.com") is None


def test_the_key_folds_punctuation_but_keeps_letters():
    assert organization_key("Acme Widgets, Inc.") == organization_key("ACME  widgets inc")
    assert organization_key("O'Brien & Sons — Ltd.") == "obrien sons ltd"
    assert organization_key("Érable Ltée") != organization_key("Erable Ltee")


def test_migration_0015_recomputes_the_keys_and_keeps_both_of_a_pair(app, keep_logging):  # noqa: F811
    with app.app_context():
        db.session.remove()
        try:
            downgrade(revision="0007")
            with db.engine.begin() as conn:
                for org_id, name, key in (("o-1", "Acme Widgets Inc", "acme widgets inc"),
                                          ("o-2", "Acme Widgets Inc.", "acme widgets inc."),
                                          ("o-3", "Maple-Robotics", "maple-robotics")):
                    conn.execute(sa.text(
                        "INSERT INTO organizations (id, name, name_key, invite_code, "
                        "created_at, business_number, address, contact_name, contact_email, "
                        "contact_phone, digest_enabled) VALUES (:id, :name, :key, :code, "
                        "CURRENT_TIMESTAMP, '', '', '', '', '', true)"),
                        {"id": org_id, "name": name, "key": key, "code": f"CODE{org_id}"})
            upgrade()
            loader.load_all()  # columns added since 0007 take their reference values
            with db.engine.connect() as conn:
                keys = dict(conn.execute(sa.text(
                    "SELECT id, name_key FROM organizations WHERE id LIKE 'o-%'")).all())
            downgrade(revision="0007")
            with db.engine.connect() as conn:
                restored = dict(conn.execute(sa.text(
                    "SELECT id, name_key FROM organizations WHERE id LIKE 'o-%'")).all())
        finally:
            with db.engine.begin() as conn:
                conn.execute(sa.text("DELETE FROM organizations WHERE id LIKE 'o-%'"))
            upgrade()
            loader.load_all()  # columns added since 0007 take their reference values
        db.session.remove()
    assert keys == {"o-1": "acme widgets inc", "o-2": "acme widgets inc [o-2]",
                    "o-3": "maple robotics"}
    assert restored == {"o-1": "acme widgets inc", "o-2": "acme widgets inc.",
                        "o-3": "maple-robotics"}
