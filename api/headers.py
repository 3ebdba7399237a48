"""Headers on every answer that keep a browser from misreading it: no MIME sniffing, no framing, and a
Content-Security-Policy (the pages load only their own scripts and styles; data answers load nothing)."""
from __future__ import annotations

from flask import Flask, Response

# The roster page and the API docs: scripts, styles and fetches from this origin only (no inline script
# or style: the page's embedded labels are a JSON data block, which is not run), never inside a frame.
PAGE_POLICY = "default-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
# JSON, CSV, workbooks, calendars: a document opened on its own may run and load nothing.
DATA_POLICY = "default-src 'none'; frame-ancestors 'none'; sandbox"


def secure(response: Response) -> Response:
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"  # frame-ancestors for browsers that predate CSP 2
    response.headers["Content-Security-Policy"] = PAGE_POLICY if response.mimetype == "text/html" else DATA_POLICY
    return response


def register(app: Flask) -> None:
    app.after_request(secure)
