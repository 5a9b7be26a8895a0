"""The published processing times are computed by the live worker's periodic task (as beat
sends it), from live decisions, and read by the public API and page without a login."""
from datetime import date, timedelta

import requests

from tests.integration.web_helpers import queued_tn
from tests.live import run_task_again


def test_the_periodic_task_publishes_what_the_public_reads(api, live_server, broker_url):
    traveler = api("traveler")
    receipt = queued_tn(traveler)
    officer = api("officer", country="US")
    assert officer.post("/queues/US-BLAINE/claim").json()["receipt_number"] == receipt
    assert officer.post(f"/petitions/{receipt}/decision", json={
        "outcome": "approved", "valid_until": (date.today() + timedelta(days=90)).isoformat()
    }).status_code == 200

    assert run_task_again(live_server, broker_url, "publishing.processing_times", [],
                          "periodic") != "None"  # rows written (None: another run held the lock)
    body = requests.get(f"{live_server.url}/api/v1/processing-times?country=US",
                        timeout=10).json()
    row = next(r for r in body["items"] if r["queue"] == "US-BLAINE" and r["category"] == "TN")
    assert row["decisions"] >= 1 and row["median_days"] >= 1 and body["computed_at"]
    page = requests.get(f"{live_server.url}/processing-times?country=US", timeout=10)
    assert page.status_code == 200 and "USMCA professional" in page.text
