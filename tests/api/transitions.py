"""Moves over the API, as the transition tests make them."""


def move(client, case, name, body=None, **fields):
    """POST one move on `case` (a case or its code) as `client`; the body as a dict, or as keywords."""
    code = getattr(case, "code", case)
    return client.post(f"/api/v1/cases/{code}/transitions/{name}/", {**(body or {}), **fields}, format="json")


def available(client, case):
    """The names of the moves `client` may make on `case` (a case or its code) now; None when it may not see it."""
    code = getattr(case, "code", case)
    response = client.get(f"/api/v1/cases/{code}/transitions/")
    if response.status_code == 404:
        return None
    assert response.status_code == 200
    return [row["name"] for row in response.json()]
