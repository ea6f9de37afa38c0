"""The Content-Security-Policy of the plugin's own HTML pages.

Every page the plugin renders (verify, certificate, "My certificates", public
profile, staff dashboard, template editor, and their 403/404/429/503 pages)
answers with a strict policy: scripts, styles, fonts and connections only from
the site itself (and from ``STATIC_URL``'s origin when the static files live on
a CDN), images also from ``data:`` (QR codes) and ``blob:`` (the editor's live
preview), no plugins, no ``<base>``, forms posting only to the site, and no
framing by any page (nothing embeds these pages: the Open edX course tab links
to them, and the progress XBlock is rendered by the LMS itself). There is no
inline script anywhere; the one inline style element (the branding swatch)
carries a per-response nonce from :func:`nonce`.

Why a decorator and not a middleware: the ``MIDDLEWARE`` list belongs to the
host (edx-platform), and a policy for the whole LMS is not the plugin's to set.
The header is set on the view's own response, so the host's middleware runs
after it:

* edx-django-utils' ``content_security_policy_middleware`` (``CSP_STATIC_ENFORCE``)
  *appends* the LMS's policy to ours (``ours, theirs``): the browser enforces
  both, so a stricter host policy still holds, and ours still holds under a
  looser one;
* django-csp and Django's own ``ContentSecurityPolicyMiddleware`` leave a header
  that is already set alone.

A response that already carries a policy (an uploaded image's sandbox policy)
keeps it: :func:`apply` never replaces or loosens a header.

Other parts of the plugin that render a page outside these views (an error
page of a middleware, for instance) call :func:`apply` on their response.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from functools import wraps
from typing import Any, TypeVar, cast
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest
from django.http.response import HttpResponseBase

__all__ = ["HEADER", "apply", "content_security_policy", "nonce", "policy"]

HEADER = "Content-Security-Policy"

# The policy, directive by directive; "{static}" stands for STATIC_URL's origin when it has one.
_DIRECTIVES: dict[str, str] = {
    "default-src": "'self'",
    "script-src": "'self' {static}",
    "style-src": "'self' {static}",
    "img-src": "'self' data: blob: {static}",
    "font-src": "'self' {static}",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
_NONCE_ATTRIBUTE = "_cert_plugin_csp_nonce"

ViewFunc = TypeVar("ViewFunc", bound=Callable[..., HttpResponseBase])


def _static_origin() -> str:
    """The origin of ``STATIC_URL`` when the static files are served from another host, else ""."""
    url = str(getattr(settings, "STATIC_URL", "") or "")
    parts = urlsplit(url)
    if parts.scheme in ("http", "https") and parts.netloc:
        return f"{parts.scheme}://{parts.netloc}"
    if url.startswith("//") and parts.netloc:  # scheme-relative: the page's own scheme
        return parts.netloc
    return ""


def policy(*, style_nonce: str = "", overrides: Mapping[str, str] | None = None) -> str:
    """The header's value: the plugin's directives, a style nonce if given, and ``overrides``."""
    directives = {**_DIRECTIVES, **(overrides or {})}
    if style_nonce:
        directives["style-src"] += f" 'nonce-{style_nonce}'"
    static = _static_origin()
    return "; ".join(f"{name} {' '.join(value.replace('{static}', static).split())}"
                     for name, value in directives.items())


def nonce(request: HttpRequest) -> str:
    """This response's nonce for an inline ``<style nonce="...">`` (created on first use)."""
    value = getattr(request, _NONCE_ATTRIBUTE, "")
    if not value:
        value = secrets.token_urlsafe(18)
        setattr(request, _NONCE_ATTRIBUTE, value)
    return str(value)


def _is_html(response: HttpResponseBase) -> bool:
    return str(response.get("Content-Type", "")).split(";")[0].strip().lower() == "text/html"


def apply(response: HttpResponseBase, request: HttpRequest | None = None, *,
          overrides: Mapping[str, str] | None = None) -> HttpResponseBase:
    """Give an HTML response the plugin's policy, unless it already has one; returns the response.

    Pass the ``request`` whose :func:`nonce` the page used, so the nonce is allowed.
    """
    if _is_html(response) and HEADER not in response:
        style_nonce = str(getattr(request, _NONCE_ATTRIBUTE, "") or "") if request is not None else ""
        response[HEADER] = policy(style_nonce=style_nonce, overrides=overrides)
    return response


def content_security_policy(view: ViewFunc) -> ViewFunc:
    """Decorate a view: its HTML responses (pages and error pages alike) carry the policy."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        return apply(view(request, *args, **kwargs), request)

    return cast(ViewFunc, wrapper)
