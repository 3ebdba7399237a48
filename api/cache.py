"""Served documents of stored results, kept in this process: results never change once stored."""
from __future__ import annotations

import gzip
import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass

from flask import Request, Response


@dataclass(frozen=True)
class Document:
    raw: bytes
    gz: bytes | None  # None for what does not compress (xlsx and zip are compressed already)
    etag: str
    mimetype: str = "application/json"
    filename: str | None = None

    def response(self, request: Request) -> Response:
        mimetype = self.mimetype
        if self.etag in request.if_none_match:
            resp = Response(status=304)
        elif self.gz is not None and "gzip" in request.headers.get("Accept-Encoding", ""):
            resp = Response(self.gz, mimetype=mimetype)
            resp.headers["Content-Encoding"] = "gzip"
        else:
            resp = Response(self.raw, mimetype=mimetype)
        resp.set_etag(self.etag)
        if self.filename:
            resp.headers["Content-Disposition"] = f'attachment; filename="{self.filename}"'
        resp.headers["Vary"] = "Accept-Encoding"
        resp.headers["Cache-Control"] = "private, no-cache"  # revalidate: cheap with the ETag
        return resp


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
            compress: bool = True) -> Document:
        gz = gzip.compress(raw, compresslevel=6, mtime=0) if compress else None
        doc = Document(raw, gz, hashlib.sha256(raw).hexdigest()[:32], mimetype, filename)
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
