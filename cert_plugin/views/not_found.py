"""The answer to a certificate URL that the visitor may not open.

A code that names no certificate and a code of a private certificate the
visitor may not see get the same page, byte for byte (only the URL asked for
differs), so the answer never reveals that a certificate exists. What it adds
for someone signed out is a way in: a learner who follows the "Download PDF"
or "View your certificate" link of their email in a browser where they are not
signed in gets "Sign in", whose ``next`` brings them back to the URL they asked
for (the host's ``LOGIN_URL``, as the plugin's other pages redirect there).
"""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers, patch_vary_headers

from cert_plugin import api
from cert_plugin.models import Certificate

__all__ = ["certificate_not_found", "sign_in_url", "visible_certificate"]


def visible_certificate(request: HttpRequest, code: str) -> Certificate | None:
    """The certificate of ``code`` if this visitor may see it, else None (unknown or not theirs)."""
    certificate = api.certificate_by_code(code)
    if certificate is None or not api.can_view(request.user, certificate):
        return None
    return certificate


def sign_in_url(request: HttpRequest) -> str:
    """The host's login page, with ``next`` set to the URL asked for (query string included)."""
    return str(redirect_to_login(request.get_full_path())["Location"])


def certificate_not_found(request: HttpRequest) -> HttpResponse:
    """404: no certificate with this code is available to this visitor (with "Sign in" if signed out)."""
    signed_in = bool(request.user.is_authenticated)
    context = {"signed_in": signed_in, "sign_in_url": "" if signed_in else sign_in_url(request)}
    response = render(request, "cert_plugin/certificate_not_found.html", context, status=404)
    # The page depends on whether the visitor is signed in; no cache may keep it.
    add_never_cache_headers(response)
    patch_vary_headers(response, ["Cookie"])
    return response
