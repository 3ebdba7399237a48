"""/health: open to all, checks the store answers."""
from __future__ import annotations

from flask import Blueprint

from api import store
from api.openapi import operation
from api.schemas import Health

bp = Blueprint("health", __name__)


@bp.get("/health")
@operation("Service and database are up", tag="service", roles=None, responses={200: Health})
def health():
    store.ping()
    return Health(status="ok", database="ok")
