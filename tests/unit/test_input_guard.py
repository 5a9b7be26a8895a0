"""No 500 from input (issue 14, item 6), the issue's own examples: a NUL byte in the
sign-in email, a search box or a URL segment, and an unknown enum value in a filter, each
answer 400/422 naming the field instead of 500."""
from tests.unit.test_web_auth import csrf_token, sign_in


def test_a_nul_byte_in_the_sign_in_email_is_400_naming_the_field(client, seed):
    email = seed.user("traveler")
    response = client.post("/login", data={"csrf_token": csrf_token(client, "/login"),
                                           "email": email + "\x00", "password": "x"})
    assert response.status_code == 400
    assert "email" in response.get_data(as_text=True)


def test_a_nul_byte_in_a_search_box_or_url_segment_is_400(client, seed):
    assert sign_in(client, seed.user("employer")).status_code == 302
    search = client.get("/employer/", query_string={"traveler": "smith\x00"})
    assert search.status_code == 400 and "traveler" in search.get_data(as_text=True)
    segment = client.get("/employer/petitions/US-2026-%00ABC")
    assert segment.status_code == 400 and "path" in segment.get_data(as_text=True)


def test_an_unknown_country_in_the_employer_filters_is_422_beside_its_field(client, seed):
    assert sign_in(client, seed.user("employer")).status_code == 302
    response = client.get("/employer/?country=XX")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Choose one of the listed values." in page and 'id="country"' in page
    assert client.get("/employer/?country=US").status_code == 200
