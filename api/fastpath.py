"""A roster this process has served before, answered ahead of Flask.

The roster is the API's most-read document (the supervisors' page, wallboards), and once served it is a
cached, immutable byte string (api.cache). Flask's request machinery around it (contexts, routing, the
Response object) cost more than the answer itself: in process ~220 µs a GET through Flask, ~35 µs here.
The token is checked exactly as the view checks it (auth.check_token with the view's own roles, on every
request); anything else (a document not cached yet, a missing or refused token, a query string, any other
path) goes on to the app, which answers as always, problem documents included.
"""
from __future__ import annotations

import re

from flask import Flask

from api import auth
from api.problems import Problem
from api.views.common import PREFIX, document_key

ROSTER_ENDPOINT = "rosters.get_roster"


class CachedRosters:
    """WSGI middleware in front of the app (create_app installs it)."""

    def __init__(self, app: Flask) -> None:
        self.app = app.wsgi_app
        self.state = app.extensions["shiftcast"]
        self.roles = app.view_functions[ROSTER_ENDPOINT].operation.roles
        self.path = re.compile(re.escape(PREFIX) + r"/rosters/([1-9][0-9]{0,9})")

    def __call__(self, environ: dict, start_response):
        if environ.get("REQUEST_METHOD") == "GET" and not environ.get("QUERY_STRING"):
            match = self.path.fullmatch(environ.get("PATH_INFO", ""))
            doc = self.state.documents.get(document_key("roster", int(match[1]))) if match else None
            if doc is not None:
                try:
                    auth.check_token(self.state.tokens, environ.get("HTTP_AUTHORIZATION", ""), self.roles)
                except Problem:
                    pass  # the app says why, as a problem document
                else:
                    return doc.wsgi(environ, start_response)
        return self.app(environ, start_response)
