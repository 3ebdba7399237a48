"""Served documents of stored results, kept in this process: results never change once stored."""
from __future__ import annotations

import gzip
import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass, field

from flask import Request, Response
from werkzeug.http import parse_etags, quote_etag
from werkzeug.utils import get_content_type


@dataclass(frozen=True)
class Document:
    raw: bytes
    gz: bytes | None  # None for what does not compress (xlsx and zip are compressed already)
    etag: str
    mimetype: str = "application/json"
    filename: str | None = None
    site_id: int | None = None  # the site of the result it was made from: served only to tokens that see it
    headers: tuple = field(init=False, repr=False)  # the same on every answer: made once, not per request
    content_type: tuple = field(init=False, repr=False)

    def __post_init__(self) -> None:
        headers = [("ETag", quote_etag(self.etag)), ("Vary", "Accept-Encoding"),
                   ("Cache-Control", "private, no-cache")]  # revalidate: cheap with the ETag
        if self.filename:
            headers.append(("Content-Disposition", f'attachment; filename="{self.filename}"'))
        object.__setattr__(self, "headers", tuple(headers))
        object.__setattr__(self, "content_type", ("Content-Type", get_content_type(self.mimetype, "utf-8")))

    def response(self, request: Request) -> Response:
        """The answer to a GET with the request's headers: 304 when its ETag matches, else gzip or plain."""
        if_none_match = request.headers.get("If-None-Match")
        if if_none_match and self.etag in parse_etags(if_none_match):
            return Response(b"", status=304, headers=self.headers)
        if self.gz is not None and "gzip" in request.headers.get("Accept-Encoding", ""):
            return Response(self.gz, headers=(self.content_type, *self.headers, ("Content-Encoding", "gzip")))
        return Response(self.raw, headers=(self.content_type, *self.headers))


class DocumentCache:
    """A least-recently-used map of documents, bounded by their total size."""

    def __init__(self, budget_bytes: int = 64 * 1024 * 1024) -> None:
        self.budget = budget_bytes
        self.used = 0
        self._items: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key) -> Document | None:
        with self._lock:
            doc = self._items.get(key)
            if doc is not None:
                self._items.move_to_end(key)
            return doc

    def put(self, key, raw: bytes, mimetype: str = "application/json", filename: str | None = None,
            compress: bool = True, site_id: int | None = None) -> Document:
        # Level 9: made once per document, it is a tenth smaller than 6 and every client unzips less.
        gz = gzip.compress(raw, compresslevel=9, mtime=0) if compress else None
        doc = Document(raw, gz, hashlib.sha256(raw).hexdigest()[:32], mimetype, filename, site_id)
        size = len(doc.raw) + len(doc.gz or b"")
        if size > self.budget:
            return doc
        with self._lock:
            if key not in self._items:
                self._items[key] = doc
                self.used += size
            while self.used > self.budget:
                _, old = self._items.popitem(last=False)
                self.used -= len(old.raw) + len(old.gz or b"")
        return doc
