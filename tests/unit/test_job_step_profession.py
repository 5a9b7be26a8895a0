"""The TN job step (issue 17): the USMCA profession chosen from the Appendix 1603.D.1 list
(reference data, TOML), the occupation not asked a second time (it is the profession),
and the employer's name prefilled from the traveler's organization."""
import re

import sqlalchemy as sa

from tests import factories
from tests.unit.test_filing import JOB, save_job, start
from tests.unit.test_web_auth import sign_in
from traveler_portal.domain import organizations
from traveler_portal.extensions import db
from traveler_portal.models import Petition, User
from traveler_portal.reference import professions


def test_the_profession_is_a_choice_from_the_list_and_the_occupation(app, client):
    with app.app_context():
        owner = factories.user("employer", organization="Maple Bridges Ltd.")
        traveler = factories.user("traveler")
        organizations.link_traveler(traveler, owner.organization_id)
        db.session.commit()
        email = traveler.email
    assert sign_in(client, email).status_code == 302
    receipt = start(client)
    page = client.get(f"/my/filing/{receipt}/job").get_data(as_text=True)
    listed = professions.names("usmca_professions")
    assert len(listed) == 63 and "Management Consultant" in listed
    assert re.search(r'<select[^>]*name="x_usmca_profession"', page), \
        page[page.find('usmca'):][:600]
    assert page.count("<option") >= 64  # the list, and "Choose from the list"
    assert 'name="occupation"' not in page  # asked once, as the profession
    assert 'value="Maple Bridges Ltd."' in page  # the employer's name, from the organization

    refused = save_job(app, client, receipt, x_usmca_profession="Juggler")
    assert refused.status_code == 422
    saved = save_job(app, client, receipt, x_usmca_profession="Management Consultant",
                     occupation="ignored")
    assert saved.status_code == 302
    with app.app_context():
        p = db.session.scalars(sa.select(Petition).where(
            Petition.receipt_number == receipt)).one()
        assert p.occupation == "Management Consultant"
        assert p.details == {"usmca_profession": "Management Consultant"}
        assert p.employer_name == JOB["employer_name"]
        assert db.session.get(User, p.traveler_id).email == email
