"""Sign-in is rate limited per account, through the API and the browser form alike."""


def test_token_requests_beyond_the_limit_get_429(client, app, make):
    user = make.user("traveler")
    for _ in range(10):
        wrong = client.post("/api/v1/auth/token",
                            json={"email": user.email, "password": "wrong password!"})
        assert wrong.status_code == 401
    blocked = client.post("/api/v1/auth/token",
                          json={"email": user.email, "password": make.PASSWORD})
    assert blocked.status_code == 429
    assert blocked.json["error"]["code"] == "rate_limited"
    # Another account from the same address is not locked out.
    other = make.user("traveler")
    assert client.post("/api/v1/auth/token",
                       json={"email": other.email, "password": make.PASSWORD}).status_code == 201
