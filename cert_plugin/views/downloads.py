"""Certificate downloads: the PDF and the PNG, served from storage.

Anyone who may not see a certificate gets the same 404 page as for a code that
does not exist (with "Sign in" when signed out, see :mod:`cert_plugin.views.not_found`),
so a download URL never reveals that a certificate exists. Files carry an ETag
(sha256 of the content) and Last-Modified, and a conditional request answers
304 without reading or rendering anything.

The PNG comes in the resolutions that are kept, ``?dpi=150`` (the default, for
screens) and ``?dpi=300`` (for print), and in small copies for lists,
``?width=600`` or ``?width=1200``. Any other value answers 400 saying which
exist, before anything is looked up (so it says nothing about the code either).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.template.loader import render_to_string
from django.utils.http import http_date, quote_etag
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from cert_plugin import api
from cert_plugin.models import Certificate, RenderedFile
from cert_plugin.views.csp import content_security_policy
from cert_plugin.views.not_found import certificate_not_found, visible_certificate

__all__ = ["download_pdf", "download_png"]


class _BadPngRequest(ValueError):
    """A ``dpi`` or ``width`` that names no PNG the plugin offers (its message says which do)."""


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


def _serve(request: HttpRequest, code: str, kind: str, *, width: int | None = None) -> HttpResponse:
    certificate = visible_certificate(request, code)
    if certificate is None:
        return certificate_not_found(request)
    if certificate.state == Certificate.REVOKED:
        return _revoked(request, certificate)
    stored = api.cached_file(certificate, kind)
    if stored is not None and _etag_matches(request, quote_etag(api.file_etag(stored, width=width))):
        response: HttpResponse = HttpResponseNotModified()
        response["ETag"] = quote_etag(api.file_etag(stored, width=width))
        return response
    try:
        file = api.download(certificate, kind, stored=stored, width=width)
    except api.RenderFailed as exc:
        html = render_to_string("cert_plugin/render_failed.html", {"message": str(exc)}, request=request)
        response = HttpResponse(html, status=503)
        response["Retry-After"] = "120"
        return response
    response = HttpResponse(file.content, content_type=file.mime)
    disposition = "inline" if request.GET.get("inline") or width is not None else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{file.filename}"'
    response["ETag"] = quote_etag(file.etag)
    response["Last-Modified"] = http_date(file.modified_at.timestamp())
    response["Cache-Control"] = "private, max-age=0, must-revalidate" if not certificate.is_public else (
        "public, max-age=300")
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _png_variant(request: HttpRequest) -> tuple[str, int | None]:
    """The stored PNG the query asks for, and the width of its small copy (None: full size)."""
    dpi, width = request.GET.get("dpi"), request.GET.get("width")
    dpis = " or ".join(str(value) for value in api.PNG_DPIS)
    widths = " or ".join(str(value) for value in api.THUMBNAIL_WIDTHS)
    if dpi is not None and width is not None:
        raise _BadPngRequest(_("Ask for either a resolution (dpi) or a width, not both."))
    if width is not None:
        if not (width.isascii() and width.isdigit()) or int(width) not in api.THUMBNAIL_WIDTHS:
            raise _BadPngRequest(
                _("The width of a certificate image can be %(widths)s pixels, not “%(value)s”.")
                % {"widths": widths, "value": width[:20]})
        return RenderedFile.PNG, int(width)
    if dpi is None:
        return RenderedFile.PNG, None
    kind = api.PNG_DPIS.get(int(dpi)) if dpi.isascii() and dpi.isdigit() and len(dpi) < 5 else None
    if kind is None:
        raise _BadPngRequest(
            _("The certificate image comes at %(dpis)s dpi (300 for print), not “%(value)s”.")
            % {"dpis": dpis, "value": dpi[:20]})
    return kind, None


@content_security_policy
@require_safe
def download_pdf(request: HttpRequest, code: str) -> HttpResponse:
    """``/certs/<code>.pdf``: the A4 PDF, for the owner, course staff, or anyone once public."""
    return _serve(request, code, RenderedFile.PDF)


@content_security_policy
@require_safe
def download_png(request: HttpRequest, code: str) -> HttpResponse:
    """``/certs/<code>.png``: the PNG image, 150 dpi; ``?dpi=300`` for print, ``?width=600`` (or
    1200) for a small copy. Any other ``dpi`` or ``width`` answers 400 saying which exist."""
    try:
        kind, width = _png_variant(request)
    except _BadPngRequest as exc:
        response = HttpResponse(str(exc), status=400, content_type="text/plain; charset=utf-8")
        response["X-Content-Type-Options"] = "nosniff"
        return response
    return _serve(request, code, kind, width=width)
