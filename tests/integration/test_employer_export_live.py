"""The employer's CSV export downloaded through the real web server (gunicorn), signed in
as an employer admin, exactly as a browser does: the rows read back match the database.

(The Flask test client kept the request's database session alive around the streamed
body, which hid a 500 the real server answered every time.)"""
import csv
import io

from tests import factories
from tests.integration.web_helpers import Web

ORG = "Maple Robotics Ltd."


def test_the_export_downloads_every_row_through_the_real_server(app, live_server,
                                                                 create_user):
    email, password = create_user("employer", organization=ORG, name="Erin Employer")
    with app.app_context():
        traveler = factories.user("traveler", organization=ORG, name="Ana Zúñiga",
                                  address="ana.export@maple.test")
        receipts = sorted(factories.draft(traveler, days_ahead=d).receipt_number
                          for d in (5, 12, 40))
    for language in ("en", "fr"):
        web = Web(live_server.url, email, password)
        export = web.get("/employer/petitions.csv?sort=receipt",
                         headers={"Accept-Language": language})
        assert export.status_code == 200, live_server.web.output()[-3000:]
        assert export.headers["Content-Type"].startswith("text/csv")
        lines = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
        assert len(lines[0]) == 10
        assert [line[0] for line in lines[1:]] == receipts
        assert {line[1] for line in lines[1:]} == {"Ana Zúñiga"}
        assert {line[2] for line in lines[1:]} == {"ana.export@maple.test"}
    assert "DetachedInstanceError" not in live_server.web.output()
