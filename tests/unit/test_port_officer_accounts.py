"""Port officers from the command line and the demo: ``users create --role port_officer
--country CA --port …``, and ``seed-demo``'s port officer with an approved case ready to
be inspected and processing times already published."""
import sqlalchemy as sa

from tests.unit import test_cli
from tests.unit.test_cli import user_row
from traveler_portal.domain import arrivals, profile_lookup
from traveler_portal.extensions import db
from traveler_portal.models import Petition, ProcessingTime, Role, Status, User

users_create = test_cli.users_create  # the fixture running `flask users create`


def test_a_port_officer_is_created_for_a_country_and_optionally_a_port(app, users_create):
    result = users_create("border@cbsa.example", "port_officer", "--country", "CA",
                          "--port", "douglas")
    assert result.exit_code == 0, result.output
    assert "created port_officer border@cbsa.example (CA) at DOUGLAS" in result.output
    assert users_create("any@cbsa.example", "port_officer", "--country", "CA").exit_code == 0
    with app.app_context():
        user = db.session.scalars(sa.select(User).where(
            User.email == "border@cbsa.example")).one()
        assert (user.role, user.country.value, user.port_code) == \
            (Role.PORT_OFFICER, "CA", "DOUGLAS")


def test_a_port_officer_needs_a_country_and_a_port_of_it(app, users_create):
    result = users_create("p1@cbp.example", "port_officer")
    assert result.exit_code == 2 and "--country" in result.output
    result = users_create("p2@cbp.example", "port_officer", "--country", "US", "--port",
                          "DOUGLAS")  # a Canadian port
    assert result.exit_code == 2 and "--port" in result.output
    result = users_create("p3@cbp.example", "officer", "--country", "US", "--port", "BLAINE")
    assert result.exit_code == 2 and "--port" in result.output
    assert all(user_row(app, f"p{n}@cbp.example") is None for n in (1, 2, 3))


def test_seed_demo_leaves_a_case_ready_for_the_port_and_published_times(app):
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    app.config.pop("OUTBOX_RELAY_DEFERRED", None)
    assert result.exit_code == 0, result.output
    assert "port_officer port.us@cbp.example" in result.output
    with app.app_context():
        port = db.session.scalars(sa.select(User).where(
            User.role == Role.PORT_OFFICER)).one()
        assert (port.country.value, port.port_code) == ("US", "BLAINE")
        [ready] = db.session.scalars(sa.select(Petition).where(
            Petition.status == Status.APPROVED)).all()
        assert ready.port.code == "BLAINE" and arrivals.warnings(ready, "BLAINE") == []
        assert profile_lookup.user_ids("AB123456", ready.traveler.profile.date_of_birth) == \
            [ready.traveler_id]
        assert db.session.scalar(sa.select(ProcessingTime.decisions)) == 1
        db.session.rollback()


def test_reindex_passports_fills_the_lookup_hashes(app):
    from tests import factories
    from tests.unit.arrival_helpers import BORN, PASSPORT, with_identity
    with app.app_context():
        email = factories.user("traveler").email
        db.session.commit()
    with_identity(app, email)
    with app.app_context():
        db.session.execute(sa.text("UPDATE traveler_profiles SET passport_lookup = NULL"))
        db.session.commit()
        assert profile_lookup.user_ids(PASSPORT, BORN) == []
    result = app.test_cli_runner().invoke(args=["reindex-passports"])
    assert result.exit_code == 0 and "recomputed for 1 profiles" in result.output
    with app.app_context():
        assert len(profile_lookup.user_ids(PASSPORT, BORN)) == 1
