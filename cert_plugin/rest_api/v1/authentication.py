"""Who is calling REST API v1: a JWT inside Open edX, else the LMS session.

* ``JwtAuthentication`` from edx-drf-extensions comes first when it can be
  imported (it always can inside Open edX, and here too: edx-completion depends
  on it). MFEs call the LMS with ``Authorization: JWT <token>`` (the prefix
  is ``JWT_AUTH["JWT_AUTH_HEADER_PREFIX"]``, "JWT" in Open edX), or send the JWT
  cookie pair that ``JwtAuthCookieMiddleware`` turns into that header. A token
  in a header needs no CSRF token. Because it is first, an anonymous caller
  gets **401** with a ``WWW-Authenticate`` header; in a host without
  edx-drf-extensions the session alone is used and an anonymous caller gets
  **403** instead.
* ``SessionAuthentication`` (DRF): the browser session, with Django's CSRF
  check on every unsafe method (send the ``csrftoken`` cookie back in the
  ``X-CSRFToken`` header).

The classes are chosen here, per view, never through the host's
``REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"]``, so installing the plugin
changes nothing for the host's own APIs.
"""

from __future__ import annotations

from typing import Any

from django.utils.module_loading import import_string
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import SessionAuthentication

__all__ = ["JWT_AUTHENTICATION", "authentication_classes"]

JWT_AUTHENTICATION = "edx_rest_framework_extensions.auth.jwt.authentication.JwtAuthentication"


def _jwt_class() -> type | None:
    try:
        cls: type = import_string(JWT_AUTHENTICATION)
    except ImportError:  # a Django LMS without edx-drf-extensions: session only
        return None
    return cls


def authentication_classes() -> list[type]:
    """JWT (when edx-drf-extensions is installed) first, then the session with CSRF."""
    jwt = _jwt_class()
    return ([jwt] if jwt is not None else []) + [SessionAuthentication]


class JwtScheme(OpenApiAuthenticationExtension):
    """How the OpenAPI schema describes edx-drf-extensions' JWT: an ``Authorization: JWT <token>`` header."""

    target_class = JWT_AUTHENTICATION
    name = "jwtAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": 'An Open edX JWT, sent as "JWT <token>" (MFEs do this through the JWT cookies).',
        }
