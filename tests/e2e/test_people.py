"""People on the dashboard: invited by an operator, a password set through the
invitation link, signed in to reporting by name with a server-side session whose
cookie is HttpOnly, SameSite and Secure behind HTTPS; signed out by revocation."""

from __future__ import annotations

import re
import time
from typing import Any

import httpx

from tests.e2e.platform import Platform, poll
from tests.refs import random_ref

PASSWORD = "correct horse battery staple"


def invite(platform: Platform, role: str = "reader", **scopes: list[str]) -> dict[str, Any]:
    with platform.client("commitments") as c:
        answer = c.post(
            "/v1/access/people",
            json={
                "name": random_ref("Ana "),
                "role": role,
                **({"scopes": scopes} if scopes else {}),
            },
        )
    assert answer.status_code == 201, answer.text
    return answer.json()  # type: ignore[no-any-return]


def set_password(
    url: str, password: str, again: str | None = None, csrf: str | None = None
) -> httpx.Response:
    page = httpx.get(url)
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    token = csrf if csrf is not None else (found.group(1) if found else "")
    form = {"csrf": token, "password": password, "again": password if again is None else again}
    return httpx.post(url, data=form)


def sign_in(platform: Platform, name: str, password: str, **headers: str) -> httpx.Response:
    """The sign-in form, as a browser fills it: its CSRF token and cookie first (sent
    back by hand: behind HTTPS the cookie is Secure, and this client speaks HTTP)."""
    with httpx.Client(base_url=platform.url("reporting"), headers=headers) as browser:
        form = browser.get("/login")
        csrf = re.search(r'name="csrf" value="([^"]+)"', form.text)
        assert csrf is not None
        cookie = form.headers["set-cookie"].split(";", 1)[0]
        browser.cookies.clear()
        return browser.post(
            "/login",
            data={"csrf": csrf.group(1), "name": name, "password": password, "next": "/"},
            headers={"cookie": cookie},
        )


def session_of(answer: httpx.Response) -> str:
    cookie = answer.headers["set-cookie"]
    assert cookie.startswith("pactstream_session="), cookie
    return cookie.split(";", 1)[0].split("=", 1)[1]


def test_an_invitation_sets_a_password_once_and_refuses_what_it_should(platform: Platform) -> None:
    person = invite(platform)
    url = person["invitation_url"]
    assert url.startswith(platform.url("commitments") + "/invitations/")
    page = httpx.get(url)
    assert page.status_code == 200 and 'type="password"' in page.text
    assert person["name"] in page.text
    assert set_password(url, "short").status_code == 422
    assert set_password(url, PASSWORD, again=PASSWORD + "!").status_code == 422
    assert set_password(url, PASSWORD, csrf="forged").status_code == 403
    assert httpx.get(url[:-4] + "xxxx").status_code == 404
    done = set_password(url, PASSWORD)
    assert done.status_code == 200 and "Your password is set" in done.text
    assert httpx.get(url).status_code == 410
    assert (
        httpx.post(url, data={"csrf": "x", "password": "a" * 20, "again": "a" * 20}).status_code
        == 410
    )
    with platform.client("commitments") as c:
        shown = c.get(f"/v1/access/people/{person['id']}").json()
        assert shown["password_set"] is True and shown["role"] == "reader"
        again = c.post("/v1/access/people", json={"name": person["name"].upper(), "role": "reader"})
        assert again.status_code == 409, "names are unique, whatever their case"


def test_the_invitation_page_answers_in_french_when_asked(platform: Platform) -> None:
    url = invite(platform)["invitation_url"]
    french = httpx.get(url, headers={"Accept-Language": "fr-FR,fr;q=0.9"})
    assert french.status_code == 200 and '<html lang="fr">' in french.text
    assert "<h1>Choisissez votre mot de passe</h1>" in french.text
    assert french.headers["content-language"] == "fr"
    assert '<html lang="en">' in httpx.get(url).text, "English unless asked"
    short = set_password(url + "?lang=fr", "court")
    assert short.status_code == 422 and "Un mot de passe a au moins 12 caractères." in short.text
    mistyped = httpx.get(url[:-4] + "xxxx", headers={"Accept-Language": "fr"})
    assert mistyped.status_code == 404 and "Cette invitation n’est pas valable" in mistyped.text


def test_a_reader_signs_in_reads_signs_out_and_is_signed_out_by_revocation(
    platform: Platform,
) -> None:
    person = invite(platform)
    assert set_password(person["invitation_url"], PASSWORD).status_code == 200
    signed = poll(  # Reporting learns the person from the access topic.
        lambda: sign_in(platform, person["name"], PASSWORD),
        lambda answer: answer.status_code == 303,
    )
    cookie = signed.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "secure" not in cookie
    assert "max-age=28800" in cookie
    behind_https = sign_in(platform, person["name"], PASSWORD, **{"x-forwarded-proto": "https"})
    assert "secure" in behind_https.headers["set-cookie"].lower()
    assert sign_in(platform, person["name"], "wrong password!").status_code == 401
    assert sign_in(platform, "nobody at all", PASSWORD).status_code == 401

    token = session_of(signed)
    with httpx.Client(
        base_url=platform.url("reporting"), cookies={"pactstream_session": token}
    ) as browser:
        home = browser.get("/")
        assert home.status_code == 200 and "Sign out" in home.text
        assert browser.get("/v1/plans").status_code == 200  # The export links read so.
        assert browser.post("/logout", data={"csrf": "forged"}).status_code == 403
    with httpx.Client(
        base_url=platform.url("commitments"), cookies={"pactstream_session": token}
    ) as other:
        assert other.post("/v1/plans", json={"code": "X", "title": "x"}).status_code == 401

    # Signing out ends that session only.
    second = session_of(sign_in(platform, person["name"], PASSWORD))
    with httpx.Client(
        base_url=platform.url("reporting"), cookies={"pactstream_session": second}
    ) as browser:
        csrf = re.search(r'name="csrf" value="([^"]+)"', browser.get("/").text)
        assert csrf is not None
        assert browser.post("/logout", data={"csrf": csrf.group(1)}).status_code == 303
        assert browser.get("/").status_code == 303

    with platform.client("commitments") as c:
        assert c.delete(f"/v1/access/people/{person['id']}").status_code == 204
    revoked_at = time.monotonic()
    with httpx.Client(
        base_url=platform.url("reporting"), cookies={"pactstream_session": token}
    ) as browser:
        poll(lambda: browser.get("/").status_code, lambda code: code == 303, timeout=5)
    assert time.monotonic() - revoked_at < 5
    assert sign_in(platform, person["name"], PASSWORD).status_code == 401


def test_the_sign_in_form_refuses_a_post_without_its_token(platform: Platform) -> None:
    with httpx.Client(base_url=platform.url("reporting")) as browser:
        forged = browser.post("/login", data={"name": "x", "password": "y" * 12})
    assert forged.status_code == 403
