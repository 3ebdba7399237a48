"""What one request may bring: body bytes counted as they stream in, and rows per uploaded table."""
from __future__ import annotations

import io
from typing import IO

from flask import Request, current_app
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.utils import cached_property
from werkzeug.wsgi import get_input_stream

from api.problems import Problem

# The setting that bounds the rows of each table kind (a staff list, a history); other kinds are bounded by bytes.
ROW_LIMITS = {"staff": "MAX_STAFF_ROWS", "calls": "MAX_HISTORY_ROWS", "ads": "MAX_HISTORY_ROWS",
              "actuals": "MAX_HISTORY_ROWS", "clock": "MAX_HISTORY_ROWS"}


class CountedBody(io.RawIOBase):
    """A body sent without Content-Length (Transfer-Encoding: chunked), counted as it is read: one byte past
    `limit` is a 413, so no part of an oversized body is ever taken for the whole of it."""

    def __init__(self, stream: IO[bytes], limit: int) -> None:
        self.stream = stream
        self.limit = limit
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        # Never more than one byte past the limit is asked for: enough to tell an oversized body.
        data = self.stream.read(min(len(buffer), self.limit + 1 - self.count))
        self.count += len(data)
        if self.count > self.limit:
            raise RequestEntityTooLarge()
        buffer[: len(data)] = data
        return len(data)


class LimitedRequest(Request):
    """Flask's request with MAX_CONTENT_LENGTH held for chunked bodies too: Werkzeug's own stream for such a
    body stops quietly at the limit, handing a longer body over as its first MAX_CONTENT_LENGTH bytes."""

    @cached_property
    def stream(self) -> IO[bytes]:
        limit = self.max_content_length
        if limit is None or self.content_length is not None or "wsgi.input_terminated" not in self.environ:
            return get_input_stream(self.environ, max_content_length=limit)
        return io.BufferedReader(CountedBody(self.environ["wsgi.input"], limit))


def check_rows(kind: str, rows: int, source: str) -> None:
    """A 422 naming the file and the limit when a table has more rows than its kind's setting allows."""
    setting = ROW_LIMITS.get(kind)
    limit = current_app.config[setting] if setting else None
    if limit is not None and rows > limit:
        detail = (f"{source}: {rows:,} rows is more than the limit of {limit:,} for a {kind} table "
                  f"(the setting {setting})")
        raise Problem(422, detail, title="Too many rows", slug="too-many-rows",
                      errors=[{"file": source, "detail": detail}])
