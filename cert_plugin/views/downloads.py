"""Certificate downloads: the PDF and the PNG, served from storage.

Anyone who may not see a certificate gets the same 404 as for a code that
does not exist, so a download URL never reveals that a certificate exists.
Files carry an ETag (sha256 of the content) and Last-Modified, and a
conditional request answers 304 without reading or rendering anything.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotModified
from django.template.loader import render_to_string
from django.utils.http import http_date, quote_etag
from django.views.decorators.http import require_safe

from cert_plugin import api
from cert_plugin.models import Certificate, RenderedFile
from cert_plugin.views.csp import content_security_policy

__all__ = ["download_pdf", "download_png"]


def _visible_certificate(request: HttpRequest, code: str) -> Certificate:
    certificate = api.certificate_by_code(code)
    if certificate is None or not api.can_view(request.user, certificate):
        raise Http404("No certificate with this code is available to you.")
    return certificate


def _etag_matches(request: HttpRequest, etag: str) -> bool:
    header = request.headers.get("If-None-Match", "")
    return any(candidate.strip().removeprefix("W/") in (etag, "*") for candidate in header.split(","))


def _revoked(request: HttpRequest, certificate: Certificate) -> HttpResponse:
    """The owner and staff learn it was revoked; the signed file is never served (nor cached)."""
    html = render_to_string("cert_plugin/download_revoked.html", {"certificate": certificate},
                            request=request)
    response = HttpResponse(html, status=410)
    response["Cache-Control"] = "no-store"
    return response


def _serve(request: HttpRequest, code: str, kind: str) -> HttpResponse:
    certificate = _visible_certificate(request, code)
    if certificate.state == Certificate.REVOKED:
        return _revoked(request, certificate)
    stored = api.cached_file(certificate, kind)
    if stored is not None and _etag_matches(request, quote_etag(stored.sha256)):
        response: HttpResponse = HttpResponseNotModified()
        response["ETag"] = quote_etag(stored.sha256)
        return response
    try:
        file = api.download(certificate, kind, stored=stored)
    except api.RenderFailed as exc:
        html = render_to_string("cert_plugin/render_failed.html", {"message": str(exc)}, request=request)
        response = HttpResponse(html, status=503)
        response["Retry-After"] = "120"
        return response
    response = HttpResponse(file.content, content_type=file.mime)
    disposition = "inline" if request.GET.get("inline") else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{file.filename}"'
    response["ETag"] = quote_etag(file.etag)
    response["Last-Modified"] = http_date(file.modified_at.timestamp())
    response["Cache-Control"] = "private, max-age=0, must-revalidate" if not certificate.is_public else (
        "public, max-age=300")
    response["X-Content-Type-Options"] = "nosniff"
    return response


@content_security_policy
@require_safe
def download_pdf(request: HttpRequest, code: str) -> HttpResponse:
    """``/certs/<code>.pdf``: the A4 PDF, for the owner, course staff, or anyone once public."""
    return _serve(request, code, RenderedFile.PDF)


@content_security_policy
@require_safe
def download_png(request: HttpRequest, code: str) -> HttpResponse:
    """``/certs/<code>.png``: the PNG image (``?dpi=300`` for print quality)."""
    kind = RenderedFile.PNG_PRINT if request.GET.get("dpi") == "300" else RenderedFile.PNG
    return _serve(request, code, kind)
