"""A client polling a petition's status (an HR system following thousands of cases) sends
back the ETag it was given: 304 Not Modified, no body, while nothing it would be shown
changed; 200 with the new body and a new ETag once something did. The ETag never opens a
petition the caller may not see."""


def _etag(response):
    etag = response.headers.get("ETag")
    assert etag, dict(response.headers)
    return etag


def test_the_petition_comes_with_an_etag_and_an_unchanged_one_is_not_sent_again(api, seed):
    traveler = api("traveler")
    receipt = seed.queued(traveler.email)
    first = traveler.get(f"/petitions/{receipt}")
    assert first.status_code == 200
    etag = _etag(first)

    again = traveler.get(f"/petitions/{receipt}", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.get_data() == b""
    assert _etag(again) == etag

    other = traveler.get(f"/petitions/{receipt}", headers={"If-None-Match": '"stale"'})
    assert other.status_code == 200 and other.get_json() == first.get_json()
    assert _etag(other) == etag


def test_after_a_status_change_the_old_etag_gets_the_new_petition(api, seed):
    traveler = api("traveler")
    receipt = seed.submitted(traveler.email)
    etag = _etag(traveler.get(f"/petitions/{receipt}"))
    withdrawn = traveler.post(f"/petitions/{receipt}/withdraw", json={"reason": "Trip off."})
    assert withdrawn.status_code == 200, withdrawn.get_json()

    after = traveler.get(f"/petitions/{receipt}", headers={"If-None-Match": etag})
    assert after.status_code == 200
    assert after.get_json()["status"] == "withdrawn"
    assert _etag(after) != etag
    assert traveler.get(f"/petitions/{receipt}",
                        headers={"If-None-Match": _etag(after)}).status_code == 304


def test_a_place_moving_up_in_the_queue_is_a_change_too(api, seed):
    """The petition itself did not change (same version), the queue ahead of it did."""
    traveler = api("traveler")
    first = seed.queued(traveler.email)
    second = seed.queued(traveler.email)
    shown = traveler.get(f"/petitions/{second}")
    assert shown.get_json()["queue_position"] == 2
    traveler.post(f"/petitions/{first}/withdraw", json={})

    after = traveler.get(f"/petitions/{second}", headers={"If-None-Match": _etag(shown)})
    assert after.status_code == 200
    assert after.get_json()["queue_position"] == 1


def test_another_callers_etag_does_not_open_a_petition_it_may_not_see(api, seed):
    owner, stranger = api("traveler"), api("traveler")
    receipt = seed.queued(owner.email)
    etag = _etag(owner.get(f"/petitions/{receipt}"))
    for headers in ({"If-None-Match": etag}, {"If-None-Match": "*"}, {}):
        refused = stranger.get(f"/petitions/{receipt}", headers=headers)
        assert refused.status_code == 404, headers
        assert refused.get_json()["error"]["code"] == "not_found"
        assert "ETag" not in refused.headers
