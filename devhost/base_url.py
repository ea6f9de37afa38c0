"""The demo's own address, printed in QR codes, emails and the seed's links (``CERT_PLUGIN["BASE_URL"]``).

``DEVHOST_BASE_URL`` fixes it. Unset, the demo uses the address it is browsed at:
:class:`RequestBaseUrl` answers ``BASE_URL`` with the current request's origin, which
:func:`middleware` records for the request (and for the work that runs in process
after it: the certificate's render, the learner's email). Outside a request (``seed_demo``,
``cert_send_reminders``, a Celery worker) it is ``http://127.0.0.1:8000``, the address of
``make demo``. Not part of the plugin: a real LMS sets ``BASE_URL`` (or ``LMS_ROOT_URL``).
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

DEFAULT = "http://127.0.0.1:8000"

_origin: ContextVar[str] = ContextVar("devhost_request_origin", default="")


class RequestBaseUrl(dict[str, Any]):
    """``CERT_PLUGIN`` whose ``BASE_URL`` is the current request's origin (else the one stored)."""

    def __getitem__(self, key: Any) -> Any:
        if key == "BASE_URL" and _origin.get():
            return _origin.get()
        return super().__getitem__(key)

    def get(self, key: Any, default: Any = None) -> Any:
        if key == "BASE_URL" and _origin.get():
            return _origin.get()
        return super().get(key, default)


def middleware(get_response: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """Record the request's origin ("http://localhost:8080") as the demo's address while it is served."""

    def respond(request: Any) -> Any:
        token = _origin.set(request.build_absolute_uri("/").rstrip("/"))
        try:
            return get_response(request)
        finally:
            _origin.reset(token)

    return respond
