"""The command line: ``flask users create`` and ``flask load-reference-data``."""
import tomllib

import pytest
import sqlalchemy as sa

from traveler_portal.domain import accounts
from traveler_portal.extensions import db
from traveler_portal.models import (
    AdjudicationQueue,
    Category,
    Organization,
    Port,
    ReasonCode,
    RequiredDocument,
    Role,
    RoutingRule,
    User,
)
from traveler_portal.reference.loader import DATA_DIR

PASSWORD = "a long enough password"


@pytest.fixture
def users_create(app):
    runner = app.test_cli_runner()

    def run(email, role, *options, password=PASSWORD):
        return runner.invoke(args=["users", "create", "--email", email, "--role", role,
                                   *options, "--password-stdin"], input=password + "\n")
    return run


def user_row(app, email):
    with app.app_context():
        user = db.session.scalars(sa.select(User).where(User.email == email)).first()
        if user is None:
            return None
        return {"role": user.role, "country": user.country and user.country.value,
                "organization": user.organization and user.organization.name,
                "organization_id": user.organization_id, "name": user.name}


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_an_officer_is_created_with_a_country_and_can_sign_in(app, users_create):
    result = users_create("Officer@Example.com", "officer", "--country", "CA",
                          "--name", "Olivia Officer")
    assert result.exit_code == 0, result.output
    assert "officer@example.com" in result.output
    assert user_row(app, "officer@example.com") == {
        "role": Role.OFFICER, "country": "CA", "organization": None,
        "organization_id": None, "name": "Olivia Officer"}
    with app.app_context():
        assert accounts.authenticate("officer@example.com", PASSWORD) is not None
        assert accounts.authenticate("officer@example.com", PASSWORD + "\n") is None


@pytest.mark.parametrize("role", ["officer", "supervisor"])
def test_an_agency_account_needs_a_country(app, users_create, role):
    result = users_create("agent@example.com", role)
    assert result.exit_code != 0
    assert "--country" in result.output
    assert user_row(app, "agent@example.com") is None


def test_a_short_password_is_refused_naming_the_field(app, users_create):
    result = users_create("short@example.com", "traveler", password="short")
    assert result.exit_code != 0
    assert "--password" in result.output and "12" in result.output
    assert user_row(app, "short@example.com") is None


def test_an_email_already_used_is_refused(app, users_create):
    assert users_create("twice@example.com", "traveler").exit_code == 0
    again = users_create("TWICE@example.com", "admin")
    assert again.exit_code != 0
    assert "--email" in again.output and "already exists" in again.output
    assert user_row(app, "twice@example.com")["role"] == Role.TRAVELER
    assert count(app, User) == 1


def test_an_employer_needs_an_organization(app, users_create):
    result = users_create("boss@example.com", "employer")
    assert result.exit_code != 0 and "--organization" in result.output
    assert user_row(app, "boss@example.com") is None
    assert count(app, Organization) == 0


def test_an_employer_creates_the_organization_and_a_traveler_joins_it(app, users_create):
    created = users_create("boss@example.com", "employer", "--organization", "Maple Robotics Ltd.")
    assert created.exit_code == 0, created.output
    boss = user_row(app, "boss@example.com")
    assert boss["role"] == Role.EMPLOYER and boss["organization"] == "Maple Robotics Ltd."

    joined = users_create("ada@example.com", "traveler", "--organization", "Maple Robotics Ltd.")
    assert joined.exit_code == 0, joined.output
    ada = user_row(app, "ada@example.com")
    assert ada["organization_id"] == boss["organization_id"]
    assert count(app, Organization) == 1


def test_the_password_is_never_taken_from_the_command_line(app):
    result = app.test_cli_runner().invoke(args=[
        "users", "create", "--email", "x@example.com", "--role", "traveler",
        "--password", PASSWORD])
    assert result.exit_code != 0
    assert user_row(app, "x@example.com") is None


REFERENCE = {Category: ("categories.toml", "category"), Port: ("ports.toml", "port"),
             AdjudicationQueue: ("queues.toml", "queue"), RoutingRule: ("queues.toml", "rule"),
             ReasonCode: ("reason_codes.toml", "reason")}


def _in_files() -> dict:
    counts = {}
    for model, (name, key) in REFERENCE.items():
        with open(DATA_DIR / name, "rb") as fh:
            counts[model.__tablename__] = len(tomllib.load(fh)[key])
    return counts


def _in_database(app) -> dict:
    return {m.__tablename__: count(app, m) for m in [*REFERENCE, RequiredDocument]}


def test_loading_the_reference_data_twice_duplicates_nothing(app):
    runner = app.test_cli_runner()
    with app.app_context():  # `flask` pushes one for every command; the test runner does not
        first = runner.invoke(args=["load-reference-data"])
    assert first.exit_code == 0, first.output
    after_first = _in_database(app)
    with app.app_context():
        second = runner.invoke(args=["load-reference-data"])
    assert second.exit_code == 0, second.output
    assert _in_database(app) == after_first
    expected = _in_files()
    assert {k: after_first[k] for k in expected} == expected
    assert "categories=" in second.output
