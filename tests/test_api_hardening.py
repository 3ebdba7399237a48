"""Hardening: headers that keep browsers from misreading or framing any answer, and open routes as documented."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from api import testing

API_MD = Path(__file__).resolve().parents[1] / "docs" / "api.md"


@pytest.fixture
def app(tmp_path):
    return testing.app(f"sqlite:///{tmp_path / 'store.sqlite'}")


@pytest.fixture
def client(app):
    return app.test_client()


def csp(response) -> dict[str, str]:
    """The Content-Security-Policy as directive -> value."""
    policy = response.headers.get("Content-Security-Policy", "")
    return {d.split(" ", 1)[0]: (d.split(" ", 1) + [""])[1] for d in (p.strip() for p in policy.split(";")) if d}


def test_pages_docs_and_api_answers_are_not_sniffed_framed_or_open_to_other_scripts(app, client):
    token = testing.token(app.config["DATABASE_URL"], "viewer")
    answers = {
        "page": client.get("/"),
        "docs": client.get("/api/v1/docs"),
        "openapi": client.get("/api/v1/openapi.json"),
        "data": client.get("/api/v1/datasets", headers={"Authorization": f"Bearer {token}"}),
        "problem": client.get("/api/v1/datasets"),
        "script": client.get("/static/roster.js"),
    }
    for name, r in answers.items():
        assert r.headers["X-Content-Type-Options"] == "nosniff", name
        assert r.headers["X-Frame-Options"] == "DENY", name
        assert csp(r)["frame-ancestors"] == "'none'", name
    for name in ("page", "docs"):
        policy = csp(answers[name])
        assert policy["default-src"] == "'self'" and "unsafe-inline" not in str(policy), name
        html = answers[name].get_data(as_text=True)
        # Nothing inline that the policy would block: no <style>, no style attributes, no script but data.
        assert "<style" not in html and " style=" not in html, name
        assert all('type="application/json"' in tag for tag in re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html)), name
    for name in ("openapi", "data", "problem"):
        assert csp(answers[name])["default-src"] == "'none'", name


def documented_open_paths() -> set[str]:
    line = next(line for line in API_MD.read_text().splitlines() if line.startswith("Open without a token:"))
    return set(re.findall(r"`([^`]+)`", line))


def test_the_routes_open_without_a_token_are_those_docs_api_md_names(app, client):
    documented = documented_open_paths()
    open_paths = set()
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods and "POST" not in rule.methods:
            continue
        if rule.endpoint == "static":
            path, shown = "/static/roster.js", "/static/…"
        else:
            path = shown = re.sub(r"<[^>]+>", "1", re.sub(r"<any\((\w+)[^>]*>", r"\1", rule.rule))
        method = "GET" if "GET" in rule.methods else "POST"
        if client.open(path, method=method).status_code != 401:
            open_paths.add(shown)
    assert open_paths == documented
