"""schemathesis fuzzes every operation of the OpenAPI document: no 5xx, and answers match the document."""
from __future__ import annotations

import pytest

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, Phase, settings  # noqa: E402
from schemathesis import checks  # noqa: E402

from api import testing  # noqa: E402

pytestmark = pytest.mark.slow

_app = None
_token = None


def _the_app():
    """One app on a scratch store for the whole module (schemathesis needs it when collecting)."""
    global _app, _token
    if _app is None:
        import tempfile

        folder = tempfile.mkdtemp(prefix="shiftcast-fuzz-")
        url = f"sqlite:///{folder}/fuzz.sqlite"
        _app = testing.app(url, MAX_CONTENT_LENGTH=256 * 1024)
        _token = testing.token(url, "admin")
        # Something to find: a dataset of each table kind, so ids 1-4 exist.
        client = _app.test_client()
        for kind, content in (("calls", testing.calls_csv(days=1)), ("staff", testing.staff_csv(3, 1)),
                              ("ads", b"start,duration_s,channel,product\n2026-12-01 09:30,60,CCTV,pan\n")):
            client.post(f"/api/v1/datasets/{kind}", data=content,
                        headers={"Authorization": f"Bearer {_token}", "Content-Type": "text/csv"})
        client.post("/api/v1/actuals", data=testing.calls_csv(days=1),
                    headers={"Authorization": f"Bearer {_token}", "Content-Type": "text/csv"})
    return _app


schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", _the_app())

CHECKS = [checks.not_a_server_error, checks.response_schema_conformance, checks.content_type_conformance,
          checks.status_code_conformance]


@schema.parametrize()
@settings(max_examples=12, deadline=None, derandomize=True, phases=[Phase.explicit, Phase.generate],
          suppress_health_check=list(HealthCheck))
def test_no_server_errors_and_answers_match_the_document(case):
    # identity: the WSGI test transport hands back bodies as sent, and a gzip body is not JSON to it
    response = case.call(headers={"Authorization": f"Bearer {_token}", "Accept-Encoding": "identity"})
    case.validate_response(response, checks=CHECKS)


# ---------------------------------------------------------------- bad input the document cannot describe
# schemathesis draws bodies that fit the document's schemas; these strategies draw the input a tester sent
# by hand, each answered 4xx problem+json, never 500: times pandas cannot hold, rules of the wrong TOML type,
# lone surrogates, nesting deeper than any parser goes.

import datetime as dt  # noqa: E402
import json  # noqa: E402

from hypothesis import example, given, strategies as st  # noqa: E402

from core.rules import DEFAULT_RULES, ServiceTargets, Weights  # noqa: E402

FUZZ = settings(max_examples=25, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))

# Before 1678 or after 2261: datetime64[ns] holds neither.
out_of_range = st.one_of(st.datetimes(dt.datetime(1, 1, 1), dt.datetime(1677, 9, 20)),
                         st.datetimes(dt.datetime(2262, 4, 12), dt.datetime(9999, 12, 31, 23, 59)))
# Every value TOML can hold, for keys that want another.
toml_values = st.recursive(
    st.one_of(st.integers(-2**63, 2**63 - 1), st.floats(allow_nan=False, allow_infinity=False), st.booleans(),
              st.text(max_size=5), st.dates()),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(["code", "date", "x"]), inner, max_size=2),
    max_leaves=4)
rules_keys = st.sampled_from(sorted(vars(DEFAULT_RULES)))
section_keys = st.sampled_from([f"service.{k}" for k in vars(ServiceTargets())] + [f"weights.{k}" for k in vars(Weights())]
                               + ["shifts", "calendar", "shifts[].code", "shifts[].start", "shifts[].lunch_window",
                                  "calendar[].date", "calendar[].kind"])
lone_surrogates = st.builds(lambda a, s, b: a + s + b, st.text(max_size=4),
                            st.sampled_from(["\ud800", "\udbff", "\udc00", "\udfff"]), st.text(max_size=4))


def toml_value(value) -> str:
    """A TOML value: JSON's string escapes are TOML's, dates and tables written out."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {toml_value(v)}" for k, v in value.items()) + "}"
    return json.dumps(value)


def toml_with(key: str, value) -> bytes:
    """A rules file setting `key` (top-level, section.key, or [[table]].key) to `value`."""
    text = toml_value(value)
    if key.endswith("[].date") or key.endswith("[].kind") or key.endswith("[].code") or "[]." in key:
        table, field = key.split("[].")
        base = {"shifts": {"code": '"X"', "start": '"08:00"', "end": '"17:00"'},
                "calendar": {"date": "2027-02-06", "kind": '"holiday"'}}[table]
        base[field] = text
        return (f"[[{table}]]\n" + "".join(f"{k} = {v}\n" for k, v in base.items())).encode()
    if "." in key:
        section, field = key.split(".")
        return f"[{section}]\n{field} = {text}\n".encode()
    return f"{key} = {text}\n".encode()


_bad_input = None


def _client_and_auth():
    """A store of their own for these tests (the schemathesis run above may revoke its tokens), made once,
    with a staff dataset (id 1) for the leave to refer to."""
    global _bad_input
    if _bad_input is None:
        import tempfile

        url = f"sqlite:///{tempfile.mkdtemp(prefix='shiftcast-bad-input-')}/store.sqlite"
        app = testing.app(url, MAX_CONTENT_LENGTH=256 * 1024)
        auth = {"Authorization": f"Bearer {testing.token(url, 'admin')}"}
        staff = app.test_client().post("/api/v1/datasets/staff", data=testing.staff_csv(3, 1),
                                       headers={**auth, "Content-Type": "text/csv"})
        assert staff.status_code == 201 and staff.json["id"] == 1, staff.json
        _bad_input = app, auth
    app, auth = _bad_input
    return app.test_client(), auth


def assert_refused_in_words(response) -> None:
    assert 400 <= response.status_code < 500, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json" and response.json["detail"]


@FUZZ
@given(when=out_of_range, kind=st.sampled_from(["calls", "ads", "leave", "actuals"]))
def test_times_pandas_cannot_hold_are_refused_in_words(when, kind):
    client, auth = _client_and_auth()
    text = when.strftime("%Y-%m-%d %H:%M").rjust(16, "0")
    body = {"calls": f"interval_start,calls\n{text},3\n",
            "ads": f"start,duration_s,channel,product\n{text},60,CCTV,pan\n",
            "leave": f"employee_id,date,kind\nA000,{text[:10]},leave\n",
            "actuals": f"arrived_at\n{text}\n"}[kind]
    path = "/api/v1/actuals" if kind == "actuals" else f"/api/v1/datasets/{kind}"
    r = client.post(path, data=body.encode(), query_string={} if kind == "actuals" else {"staff_id": 1},
                    headers={**auth, "Content-Type": "text/csv"})
    assert_refused_in_words(r)
    assert r.status_code == 422 and r.json["errors"][0]["row"] == 2


@FUZZ
@given(key=st.one_of(rules_keys, section_keys), value=toml_values)
@example(key="calendar", value=5)
@example(key="shifts", value=[5])
def test_rules_of_any_toml_type_are_taken_or_refused_in_words(key, value):
    client, auth = _client_and_auth()
    r = client.post("/api/v1/datasets/rules", data=toml_with(key, value), headers={**auth, "Content-Type": "application/toml"})
    assert r.status_code == 201 or (assert_refused_in_words(r) or r.status_code == 422)


@FUZZ
@given(text=lone_surrogates, where=st.sampled_from(["name", "cell", "key", "rules"]))
def test_lone_surrogates_in_json_text_are_400(text, where):
    client, auth = _client_and_auth()
    row = {"interval_start": "2026-12-01 08:00", "calls": 1}
    body = {"name": {"kind": "calls", "name": text, "rows": [row]},
            "cell": {"kind": "calls", "rows": [{**row, "calls": text}]},
            "key": {"kind": "calls", "rows": [{**row, text: 1}]},
            "rules": {"kind": "rules", "rules": {"shifts": [{"code": text, "start": "08:00", "end": "17:00"}]}}}[where]
    r = client.post("/api/v1/datasets", data=json.dumps(body), headers={**auth, "Content-Type": "application/json"})
    assert_refused_in_words(r)
    assert r.status_code == 400 and "surrogate" in r.json["detail"]


@FUZZ
@given(depth=st.integers(5_000, 40_000), shape=st.sampled_from(["[", '{"a":']),  # within the fuzz app's 256 KiB
       path=st.sampled_from(["/api/v1/datasets", "/api/v1/forecasts", "/api/v1/rosters", "/api/v1/tokens"]))
@example(depth=100_000, shape="[", path="/api/v1/datasets")
def test_json_nested_past_any_parser_is_400(depth, shape, path):
    client, auth = _client_and_auth()
    body = shape * depth + ("1" if shape != "[" else "") + ("]" if shape == "[" else "}") * depth
    r = client.post(path, data=body, headers={**auth, "Content-Type": "application/json"})
    assert_refused_in_words(r)
    assert r.status_code == 400


@FUZZ
@given(year=st.one_of(st.integers(1, 1677), st.integers(2262, 9999)), month=st.integers(1, 12))
def test_months_the_planner_cannot_hold_are_refused_before_any_job(year, month):
    client, auth = _client_and_auth()
    text = f"{year:04d}-{month:02d}"
    r = client.post("/api/v1/forecasts", json={"calls_id": 1, "month": text}, headers=auth)  # 1: a staff list
    assert_refused_in_words(r)
    assert r.status_code == 422 and r.json["errors"][0]["pointer"] == "/month"
    assert client.get("/api/v1/jobs", headers=auth).json["items"] == []
