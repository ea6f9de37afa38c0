"""Public verification: the form where anyone types or pastes a code, and the verify page.

``/certs/verify/`` takes a code however it was written (spaces, hyphens, any
case, O for 0, I or L for 1, or a whole pasted verify link) and redirects to
the canonical ``/certs/verify/XXXX-XXXX-XXXX-XXXX/``, which states plainly
whether the certificate is valid, revoked or expired.

What these pages never do:

* say anything about a certificate other than the one the code names (the
  only exception is the "a newer certificate exists" link on an expired one);
* tell an unknown code from a malformed one: both get the same 404 page;
* offer a private certificate's files to someone who may not see them: the
  verification itself is public, the PNG/PDF only for ``api.can_view``.

Both endpoints count against the per-client ``VERIFY_RATE`` (see
:mod:`cert_plugin.ratelimit`); form submissions that redirect are counted on
the page they land on, so each verification costs one request of the budget.
Answers to anonymous visitors are kept in the cache until the certificate
changes (:mod:`cert_plugin.views.verify_answers`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from cert_plugin import api, codes, conf, ratelimit
from cert_plugin.views import verify_answers
from cert_plugin.views.csp import content_security_policy

if TYPE_CHECKING:
    from cert_plugin.data import Verification
    from cert_plugin.models import Certificate

__all__ = ["verify_form", "verify_page"]

_ECHO_LENGTH = 60  # characters of the visitor's own input shown back on the 404 page


@content_security_policy
@require_safe
def verify_form(request: HttpRequest) -> HttpResponse:
    """``/certs/verify/``: the form; with ``?code=`` it redirects to the code's verify page."""
    if "code" not in request.GET:
        return no_store(render(request, "cert_plugin/verify_form.html", {"value": "", "error": ""}))
    typed = request.GET["code"]
    canonical = codes.normalize(typed)
    if canonical is not None:
        return HttpResponseRedirect(reverse("cert_plugin:verify", args=[codes.format_code(canonical)]))
    limit = ratelimit.hit(request)
    if not limit.allowed:
        return rate_limited(request, limit.retry_after)
    if typed.strip():
        error = _("That is not a verification code. A code has 16 letters and digits, in four groups "
                  "of four. Copy and paste it from the certificate if you can.")
    else:
        error = _("Enter the verification code printed on the certificate.")
    context = {"value": typed[:200], "error": error}
    return no_store(render(request, "cert_plugin/verify_form.html", context))


@content_security_policy
@require_safe
def verify_page(request: HttpRequest, code: str) -> HttpResponseBase:
    """``/certs/verify/<code>/``: is this certificate genuine, and is it still valid?"""
    canonical = codes.normalize(code)
    if canonical is not None and code != codes.format_code(canonical):
        # Lower case, no hyphens, lookalikes: send everyone to the one URL a certificate prints.
        return HttpResponseRedirect(reverse("cert_plugin:verify", args=[codes.format_code(canonical)]))
    limit = ratelimit.hit(request)
    if not limit.allowed:
        return rate_limited(request, limit.retry_after)
    return verify_answers.answer(request, "page", canonical, lambda: _verify_page(request, code))


def _verify_page(request: HttpRequest, code: str) -> tuple[HttpResponse, Verification]:
    verification = api.verify(code)
    certificate = verification.certificate
    if verification.status == "not_found" or certificate is None:
        context = {"typed": code[:_ECHO_LENGTH]}
        missing = render(request, "cert_plugin/verify_not_found.html", context, status=404)
        return no_store(missing), verification
    page = render(request, "cert_plugin/verify.html", _page_context(request, verification, certificate))
    return no_store(page), verification


def rate_limited(request: HttpRequest, retry_after: int) -> HttpResponse:
    """The 429 page: who is limited, and how long to wait."""
    response = render(request, "cert_plugin/rate_limited.html", {"retry_after": retry_after}, status=429)
    response["Retry-After"] = str(retry_after)
    return no_store(response)


def _page_context(request: HttpRequest, verification: Verification,
                  certificate: Certificate) -> dict[str, Any]:
    code = certificate.formatted_code
    status = verification.status
    # A revoked certificate's files are not handed out from its verification, whoever asks.
    files_visible = status != "revoked" and api.can_view(request.user, certificate)
    shareable = certificate.is_public and status != "revoked"
    base = (conf.get().BASE_URL or "").rstrip("/") or request.build_absolute_uri("/").rstrip("/")
    issuer = api.certificate_issuer(certificate)
    newer = verification.newer
    return {
        "verification": verification,
        "certificate": certificate,
        "status": status,
        "code": code,
        "issuer": issuer,
        "signature_valid": verification.signature_valid,
        "signature": verification.signature,
        "keys_url": reverse("cert_plugin:issuer-keys"),
        "json_url": reverse("cert_plugin:api-verify", args=[code]),
        "newer_url": reverse("cert_plugin:verify", args=[newer.formatted_code]) if newer else "",
        "reason": certificate.revoke_reason if certificate.revoke_reason_public else "",
        "files_visible": files_visible,
        "png_url": reverse("cert_plugin:download-png", args=[code]) if files_visible else "",
        "png_print_url": (reverse("cert_plugin:download-png", args=[code]) + f"?dpi={max(api.PNG_DPIS)}"
                          if files_visible else ""),
        "pdf_url": reverse("cert_plugin:download-pdf", args=[code]) if files_visible else "",
        "page_url": reverse("cert_plugin:certificate", args=[code]) if files_visible else "",
        "og_url": base + reverse("cert_plugin:verify", args=[code]),
        "og_image": base + reverse("cert_plugin:download-png", args=[code]) if shareable else "",
        "og_description": _og_description(status, issuer),
        "indexable": shareable,
    }


def _og_description(status: str, issuer: str) -> str:
    """What a link preview says: who issued it, and whether it holds."""
    messages = {
        "valid": _("Valid certificate issued by %(issuer)s."),
        "revoked": _("Certificate issued by %(issuer)s; it has been revoked."),
        "expired": _("Certificate issued by %(issuer)s; it has expired."),
    }
    return messages[status] % {"issuer": issuer}


def no_store(response: HttpResponse) -> HttpResponse:
    """A verification answers for now (the verify pages and the file check): what no browser or proxy
    may keep. Answers kept on the server go out with an ETag and no-cache instead, and a revocation
    drops them at once (:mod:`cert_plugin.views.verify_answers`)."""
    add_never_cache_headers(response)
    return response
