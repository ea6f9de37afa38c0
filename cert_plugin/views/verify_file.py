"""Checking a certificate by its file: ``POST /certs/verify/file/`` (``verify-file``).

The verify form offers, below the code, a drop zone: a PDF or PNG of a certificate, dropped or
chosen, is checked by the Open Badges credential it carries and, for a PDF, by the institution's
PAdES signature (``api.check_file``). The form is a plain multipart form that works without
JavaScript; ``verify_file.js`` only adds dragging and dropping.

* Public and anonymous, like the verify page, and rate limited with it (``VERIFY_RATE``, one
  budget for every verify endpoint, :mod:`cert_plugin.ratelimit`).
* No CSRF token: the check changes nothing and answers the same to everyone (no session is
  consulted), so a cross-site post could learn nothing and cause nothing; requiring a token would
  only fail visitors whose browser refuses the CSRF cookie. It also lets the view choose how the
  body is read before any middleware reads it.
* At most ``api.MAX_CHECKED_FILE_BYTES`` are read, into memory only
  (:mod:`cert_plugin.views.file_upload`); nothing is stored.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from cert_plugin import api, ratelimit
from cert_plugin.views.csp import content_security_policy
from cert_plugin.views.file_upload import read_upload
from cert_plugin.views.verify import no_store, rate_limited

__all__ = ["verify_file"]


@csrf_exempt
@content_security_policy
def verify_file(request: HttpRequest) -> HttpResponse:
    """``/certs/verify/file/``: POST a PDF or PNG (field ``file``); a GET goes back to the form."""
    if request.method != "POST":  # 303 See Other: the form is where a file is chosen
        response = HttpResponseRedirect(reverse("cert_plugin:verify-form") + "#cp-file")
        response.status_code = 303
        return response
    limit = ratelimit.hit(request)
    if not limit.allowed:
        return rate_limited(request, limit.retry_after)
    upload = read_upload(request, limit=api.MAX_CHECKED_FILE_BYTES)
    if upload.content is None:
        megabytes = api.MAX_CHECKED_FILE_BYTES // (1024 * 1024)
        if upload.problem == "too_large":
            error, status = _("That file is larger than %(size)s MB. A certificate's PDF or PNG is much "
                              "smaller: choose the file you downloaded.") % {"size": megabytes}, 413
        else:
            error, status = _("Choose a certificate file (PDF or PNG) first."), 400
        context = {"value": "", "error": "", "file_error": error}
        return no_store(render(request, "cert_plugin/verify_form.html", context, status=status))
    check = api.check_file(upload.content)
    return no_store(render(request, "cert_plugin/verify_file.html", _context(check)))


def _context(check: api.FileCheck) -> dict[str, Any]:
    certificate = check.certificate
    issuer = api.certificate_issuer(certificate) if certificate is not None else ""
    return {
        "check": check,
        "status": check.status,
        "not_a_certificate_file": check.kind is None,
        "issuer": issuer,
        "verify_url": reverse("cert_plugin:verify", args=[check.code]) if check.code else "",
    }
