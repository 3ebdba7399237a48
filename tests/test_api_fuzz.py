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
