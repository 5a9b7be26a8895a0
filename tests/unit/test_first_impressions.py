"""Small things people notice: an organization's name followed by a double full stop,
"Join your employer" offered to a traveler already linked, /favicon.ico missing, the
Procfile and the README disagreeing on the port, beat's schedule in the working directory."""
import re
from pathlib import Path

from config import Config
from tests.unit.test_web_auth import sign_in

ROOT = Path(__file__).resolve().parents[2]


def test_a_linked_traveler_reads_their_organization_once_and_is_not_asked_to_join(client,
                                                                                 seed):
    sign_in(client, seed.user("traveler", organization="Maple Robotics Ltd."))
    page = client.get("/my/").get_data(as_text=True)
    assert "Maple Robotics Ltd." in page and "Ltd.." not in page
    assert "Join your employer with an invitation code" not in page
    assert "Change or leave your organization" in page
    join = client.get("/my/organization")
    assert join.status_code == 200
    assert "Maple Robotics Ltd." in join.get_data(as_text=True)
    assert "Ltd.." not in join.get_data(as_text=True)


def test_a_traveler_without_an_employer_is_offered_to_join(client, seed):
    sign_in(client, seed.user("traveler"))
    page = client.get("/my/").get_data(as_text=True)
    assert "Join your employer with an invitation code" in page


def test_the_favicon_is_served(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response.data[:4] == b"\x00\x00\x01\x00"  # an ICO file
    assert response.mimetype == "image/vnd.microsoft.icon"
    page = client.get("/login").get_data(as_text=True)
    assert 'rel="icon" href="/favicon.ico"' in page


def test_the_procfile_serves_the_port_the_readme_names():
    procfile = (ROOT / "Procfile").read_text()
    readme = (ROOT / "README.md").read_text()
    port = re.search(r"^web: gunicorn --bind 0\.0\.0\.0:\$\{PORT:-(\d+)\}", procfile, re.MULTILINE)
    assert port, procfile
    production = readme.split("### Production", 1)[1]
    assert f"--bind 0.0.0.0:${{PORT:-{port.group(1)}}}" in production
    assert f"http://127.0.0.1:{port.group(1)}/readyz" in production


def test_beat_keeps_its_schedule_under_the_instance_path(app):
    schedule = app.extensions["celery"].conf.beat_schedule_filename
    assert schedule == str(Path(app.instance_path) / "celerybeat-schedule")
    assert Config.CELERY_BEAT_SCHEDULE_FILE.startswith(Config.INSTANCE_PATH)
    for procfile in ("Procfile", "Procfile.embedded"):
        assert "--schedule" not in (ROOT / procfile).read_text()


def test_instance_path_is_documented():
    readme = (ROOT / "README.md").read_text()
    assert "| `INSTANCE_PATH` |" in readme and "| `CELERY_BEAT_SCHEDULE_FILE` |" in readme
