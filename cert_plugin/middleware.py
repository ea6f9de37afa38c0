"""A clean 503 when the database goes away in the middle of one of our requests.

When the connection to the database is lost (server restarted, connection
killed, network cut), Django raises ``OperationalError`` or ``InterfaceError``
from whatever query comes next. Unhandled, that is the host's 500 page, and an
API client gets HTML. For requests resolved into the ``cert_plugin`` URL
namespace this middleware answers instead: our own translated page (status
503, ``Retry-After``) for pages, and ``{"status": "unavailable", ...}`` JSON for
the REST API and the ``.json`` documents. The database server rolls back the
transaction of a lost connection, so nothing half-written stays behind;
requests outside our namespace are left to the host.

Installed by ``cert_plugin.settings.common.plugin_settings`` in Open edX
(appended to ``MIDDLEWARE``, as other LMS plugins do) and listed in the demo's
settings; another host adds :data:`MIDDLEWARE_PATH` to its ``MIDDLEWARE``. It
sees exceptions raised by our views (Django's ``process_exception``), which is
where the plugin queries the database.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from cert_plugin.views import csp

log = logging.getLogger(__name__)

__all__ = ["MIDDLEWARE_PATH", "RETRY_AFTER", "DatabaseUnavailableMiddleware", "database_unavailable"]

MIDDLEWARE_PATH = "cert_plugin.middleware.DatabaseUnavailableMiddleware"
NAMESPACE = "cert_plugin"
RETRY_AFTER = 30  # seconds: a restarted database or a failover is usually back by then


class DatabaseUnavailableMiddleware:
    """Turn a lost database connection inside our views into a 503 the user can act on."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        match = getattr(request, "resolver_match", None)
        if match is None or NAMESPACE not in match.namespaces:
            return None  # the host's own pages: its error handling decides
        log.error("cert_plugin: database unavailable during %s %s", request.method, request.path,
                  exc_info=(type(exception), exception, exception.__traceback__))
        return database_unavailable(request)


def database_unavailable(request: HttpRequest) -> HttpResponse:
    """The 503 answer: JSON for API and ``.json`` URLs, else our page. Reads nothing from the database."""
    match = getattr(request, "resolver_match", None)
    url_name = (match.url_name or "") if match is not None else ""
    if url_name.startswith("api-") or request.path.endswith(".json") or not request.accepts("text/html"):
        body = {"status": "unavailable", "retry_after": RETRY_AFTER,
                "detail": _("The certificate service lost its connection to its database. "
                            "Nothing was saved halfway; try again in a moment.")}
        response = HttpResponse(json.dumps(body), status=503, content_type="application/json")
    else:
        # No request in the template context: the context processors would ask the database
        # for the user and the session, which is exactly what is gone.
        retry_url = request.get_full_path() if request.method in ("GET", "HEAD") else ""
        html = render_to_string("cert_plugin/database_unavailable.html",
                                {"retry_after": RETRY_AFTER, "retry_url": retry_url})
        response = HttpResponse(html, status=503)
        csp.apply(response)  # the policy our other pages carry
    response["Retry-After"] = str(RETRY_AFTER)
    response["Cache-Control"] = "no-store"
    return response
