"""Rendered files: a certificate's PDF and PNG, rendered once, stored and served.

Owns ``render_pdf``/``render_png``, ``render_files`` (the ``render_certificate``
task), ``download``, ``cached_file`` and ``file_etag`` (the download views), the
lock that makes concurrent first downloads render once, storage, and the render
error shown to staff. Writes: RenderedFile, Certificate.render_error.

Two PNG resolutions are kept (``PNG_DPIS``: 150 dpi for screens, 300 for
print). The small copies that lists show (``THUMBNAIL_WIDTHS``) are scaled from
the stored screen PNG when asked for, not stored: their ETag derives from that
PNG's, so a browser that has one revalidates it without anything being read.

Every file carries the certificate's Open Badges credential as a VC-JWT
(``credentials/baking.py``): the PDF as its PDF/A-3 associated file
``credential.jwt``, embedded before the PAdES signature so that the signature
covers it; each PNG, the small copies too, as its ``openbadgecredential`` iTXt
chunk, the same token as its revision's PDF. Without a signing key or a
``BASE_URL`` the files are made as before, with no credential.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cert_plugin import codes, conf
from cert_plugin.credentials import baking
from cert_plugin.credentials.errors import PdfSigningError
from cert_plugin.data import Download
from cert_plugin.domain.shared import CertPluginError, RenderFailed, pades_module, pdf_module, png_module
from cert_plugin.domain.staff_render import RENDER_MEMORY_MB, RENDER_SECONDS, render_limited
from cert_plugin.domain.template_inputs import pdf_assets, version_assets
from cert_plugin.models import (
    Certificate,
    RenderedFile,
)
from cert_plugin.rendering import context as page_context
from cert_plugin.rendering import html as sandbox
from cert_plugin.rendering.base import Attachment, RenderError
from cert_plugin.rendering.limits import RenderLimitError
from cert_plugin.text import clean_name

log = logging.getLogger("cert_plugin.api")  # the name operators' logging configuration knows


_MIME = {RenderedFile.PDF: "application/pdf", RenderedFile.PNG: "image/png",
         RenderedFile.PNG_PRINT: "image/png"}


PNG_DPIS = {150: RenderedFile.PNG, 300: RenderedFile.PNG_PRINT}  # the PNG resolutions kept: dpi -> kind
_DPI = {kind: dpi for dpi, kind in PNG_DPIS.items()}
THUMBNAIL_WIDTHS = (600, 1200)  # widths (px) of the screen PNG's small copies; the pages show 600


MAX_PDF_BYTES = 20 * 1024 * 1024  # a certificate's PDF; assets are at most 2 MB each


def verify_url(code: str) -> str:
    """The absolute verify URL printed (and QR-encoded) on a certificate."""
    base = (conf.get().BASE_URL or "").rstrip("/")
    return f"{base}/certs/verify/{codes.format_code(code)}/"


def render_pdf(certificate: Certificate) -> bytes:
    """The certificate as an A4 PDF: rendered once per revision, then read from storage."""
    return _rendered(certificate, RenderedFile.PDF)[0]


def render_png(certificate: Certificate, *, dpi: int = 150) -> bytes:
    """The certificate as a PNG (150 dpi for screens, 300 for print are kept; other sizes are not)."""
    kind = PNG_DPIS.get(dpi)
    if kind is None:
        return _png_of(certificate, render_pdf(certificate), dpi)
    return _rendered(certificate, kind)[0]


def render_files(certificate_id: int) -> dict[str, int]:
    """Render and keep a certificate's PDF and screen PNG (the task run after issue and reissue)."""
    certificate = Certificate.objects.select_related("template_version").filter(pk=certificate_id).first()
    if certificate is None:
        log.warning("cert_plugin: nothing to render, certificate %s is gone", certificate_id)
        return {}
    return {"pdf": len(render_pdf(certificate)), "png": len(render_png(certificate))}


def cached_file(certificate: Certificate, kind: str) -> RenderedFile | None:
    """The stored render of the certificate's current revision, if there is one (renders nothing)."""
    return RenderedFile.objects.filter(certificate=certificate, revision=certificate.revision,
                                       kind=kind).first()


def file_etag(stored: RenderedFile, *, width: int | None = None) -> str:
    """The ETag of a stored file, or of its copy ``width`` pixels wide (known without reading either)."""
    return stored.sha256 if width is None else f"{stored.sha256}-w{width}"


def download(certificate: Certificate, kind: str, *, stored: RenderedFile | None = None,
             width: int | None = None) -> Download:
    """A rendered file of the certificate, from storage or rendered now (RenderFailed if it cannot be).

    ``stored`` is the caller's :func:`cached_file` answer, when it already asked. ``width`` (one
    of ``THUMBNAIL_WIDTHS``, screen PNG only) asks for the PNG scaled down to that many pixels.
    """
    if kind not in _MIME:
        raise ValueError(f"Unknown kind {kind!r}")
    if width is not None and (kind != RenderedFile.PNG or width not in THUMBNAIL_WIDTHS):
        raise ValueError(f"Only the screen PNG has smaller copies, {THUMBNAIL_WIDTHS} pixels wide")
    content, stored = _rendered(certificate, kind, stored=stored)
    if width is not None:
        token = baking.png_credential(content)
        content = png_module().thumbnail(content, width=width)
        if token is not None:  # the small copy carries the credential its original carries
            content = baking.bake_png(content, token)
    course = getattr(certificate.course_key, "course", "") or "course"
    extension = "pdf" if kind == RenderedFile.PDF else "png"
    size = f"-{width}px" if width is not None else "-300dpi" if kind == RenderedFile.PNG_PRINT else ""
    return Download(content=content, mime=_MIME[kind],
                    filename=f"certificate-{course}-{certificate.formatted_code}{size}.{extension}",
                    etag=file_etag(stored, width=width) if stored else hashlib.sha256(content).hexdigest(),
                    modified_at=stored.created_at if stored else timezone.now())


def _rendered(certificate: Certificate, kind: str, *,
              stored: RenderedFile | None = None) -> tuple[bytes, RenderedFile | None]:
    """The file's content and its stored record (None when storage refused to keep it).

    WeasyPrint runs outside any database lock, so a revoke or a reissue never
    waits for a render: the certificate is read again, rendered, then its row is
    locked only to store the file, and only if its revision and state are those
    that were rendered. Concurrent first downloads in one process wait for one
    render (:func:`_render_claim`); across processes a duplicate render may
    happen, but the file is stored once (the row lock and the unique index).
    """
    cached = _read_stored(stored or cached_file(certificate, kind))
    if cached is not None:
        return cached
    try:
        with _render_claim(certificate.pk, kind):
            current = Certificate.objects.select_related("template_version__template").get(pk=certificate.pk)
            cached = _read_stored(cached_file(current, kind))
            if cached is not None:
                return cached
            content = _produce(current, kind)
            with transaction.atomic():
                locked = _lock_for_render(current.pk)
                if (locked.revision, locked.state) != (current.revision, current.state):
                    log.info("cert_plugin: %s changed while it was rendered; the render is not kept",
                             current.verification_code)
                    return content, None  # whether a revoked certificate is served is the caller's rule
                cached = _read_stored(cached_file(locked, kind))
                if cached is not None:  # another process stored the same revision meanwhile
                    return cached
                return content, _store(locked, kind, content)
    except (RenderError, PdfSigningError) as exc:
        if not isinstance(exc, _PdfUnavailable):  # that one's reason is recorded already
            _record_render_error(certificate, f"{type(exc).__name__}: {exc}")
        previous = _read_stored(RenderedFile.objects.filter(
            certificate_id=certificate.pk, kind=kind, revision__lt=certificate.revision,
        ).order_by("-revision").first())
        if previous is not None:  # the last revision that rendered stays downloadable
            return previous
        raise RenderFailed("The certificate file could not be prepared right now; it is still valid. "
                           "Please try again in a few minutes.") from exc


_claims: dict[tuple[int, str], list[Any]] = {}  # (certificate, kind) -> [lock, waiting renders]
_claims_guard = threading.Lock()


@contextmanager
def _render_claim(certificate_id: int, kind: str) -> Iterator[None]:
    """Within one process, one render of a certificate's file at a time (no database lock held)."""
    key = (certificate_id, kind)
    with _claims_guard:
        entry = _claims.setdefault(key, [threading.Lock(), 0])
        entry[1] += 1
    try:
        with entry[0]:
            yield
    finally:
        with _claims_guard:
            entry[1] -= 1
            if entry[1] == 0:
                _claims.pop(key, None)


def _lock_for_render(certificate_id: int) -> Certificate:
    """The certificate, its row locked until the transaction ends (held only to store a render).

    It takes the certificate's row alone: with a join, ``SELECT ... FOR UPDATE``
    locks the joined template version too, which every certificate of the
    course shares, so workers would store one at a time (benchmarks/README.md,
    "row locks serialise renders"). MariaDB has no ``FOR UPDATE OF``.
    """
    return Certificate.objects.select_for_update().get(pk=certificate_id)


def _read_stored(stored: RenderedFile | None) -> tuple[bytes, RenderedFile] | None:
    if stored is None:
        return None
    try:
        with _storage().open(stored.path, "rb") as handle:
            return bytes(handle.read()), stored
    except OSError:
        log.warning("cert_plugin: stored file %s is missing; rendering again", stored.path)
        RenderedFile.objects.filter(pk=stored.pk).delete()
        return None


def _produce(certificate: Certificate, kind: str) -> bytes:
    if kind != RenderedFile.PDF:
        pdf, stored = _rendered(certificate, RenderedFile.PDF)
        if stored is not None and stored.revision != certificate.revision:  # the previous revision's
            raise _PdfUnavailable("the PDF of this revision could not be rendered")
        return _png_of(certificate, pdf, _DPI[kind])
    version = certificate.template_version
    files = version_assets(version)
    values = page_context.build_context(
        learner_name=certificate.learner_name, course_title=certificate.course_title,
        course_key=str(certificate.course_key), org=certificate.org,
        hours=None if certificate.hours is None else Decimal(certificate.hours), grade=certificate.grade,
        issued_at=certificate.issued_at, expires_at=certificate.expires_at,
        verification_code=certificate.formatted_code, verify_url=verify_url(certificate.verification_code),
        issuer_name=certificate.issuer_name, assets=files, options=version.options,
        language=certificate.language)
    issuer = certificate.issuer_name or certificate.org
    name = clean_name(certificate.learner_name)  # as printed (a name stored before names were cleaned)
    metadata: dict[str, Any] = {"title": f"{certificate.course_title}: {name}", "author": issuer,
                "subject": f"Certificate of completion of {certificate.course_title}",
                "keywords": ["certificate", issuer, str(certificate.course_key), certificate.formatted_code],
                "created": certificate.issued_at, "lang": certificate.language}
    colors = (version.options or {}).get("colors")
    token = _credential_token(certificate)
    attachments = [] if token is None else [Attachment(
        name=baking.PDF_ATTACHMENT_NAME, content=token.encode("ascii"), mime=baking.MEDIA_TYPE,
        relationship="Data",
        description=f"Open Badges 3.0 credential of certificate {certificate.formatted_code}")]
    try:
        if version.template.is_builtin:  # shipped and tested with the plugin: rendered in process
            document = sandbox.render_document(version.html, version.css, values,
                                               orientation=version.orientation, colors=colors, **metadata)
            content = pdf_module().render_pdf(document, assets=pdf_assets(files), attachments=attachments)
        else:  # staff HTML and CSS: in a child process, within a time and a memory limit
            content = render_limited(version.html, version.css, values, orientation=version.orientation,
                                     files=files, colors=colors, seconds=RENDER_SECONDS,
                                     memory_mb=RENDER_MEMORY_MB, attachments=attachments, **metadata)
    except sandbox.TemplateProblem as exc:  # a version that passed validation; say so to staff
        raise RenderError(f"Template {version}: {exc}") from exc
    except RenderLimitError as exc:
        raise RenderError(f"Template {version}: for {name} {exc}; fix the template, then reissue") from exc
    pages = png_module().page_count(content)
    if pages != 1 or len(content) > MAX_PDF_BYTES:  # checked on every real render, not only the sample
        size = f"{pages} pages" if pages != 1 else f"{len(content) // (1024 * 1024)} MB"
        raise RenderError(f"Template {version}: for {name} the certificate runs to "
                          f"{size} (it must be one page of at most {MAX_PDF_BYTES // (1024 * 1024)} MB); "
                          "fix the template, then reissue")
    pdf_signing = conf.get().PDF_SIGNING
    if pdf_signing:
        content = pades_module().sign_pdf(content, pkcs12_path=pdf_signing["PKCS12"],
                                 passphrase=pdf_signing.get("PASSPHRASE"), signer_name=issuer,
                                 reason=f"Certificate {certificate.formatted_code} issued by {issuer}",
                                 tsa_url=pdf_signing.get("TSA_URL"))
    return content


def _credential_token(certificate: Certificate) -> str | None:
    """The certificate's credential as a VC-JWT, or None when the site cannot sign one."""
    from cert_plugin.domain.open_badges import credential_jwt  # open_badges -> issuing -> this room

    try:
        return credential_jwt(certificate)
    except CertPluginError:  # no SIGNING_KEY or no BASE_URL: the files carry no credential
        return None
    except ValueError:  # a credential that cannot be built (no name, no e-mail): the file still renders
        log.warning("cert_plugin: no credential baked into %s's files", certificate.verification_code,
                    exc_info=True)
        return None


def picture_description(certificate: Certificate) -> str:
    """What the certificate's picture shows, in words: the PNG's text alternative (its
    ``Description``), in the certificate's language, as the pages give it for the image's ``alt``."""
    with translation.override(certificate.language or None):
        return _("Certificate of completion for %(name)s, %(course)s") % {
            "name": clean_name(certificate.learner_name), "course": certificate.course_title}


def _png_of(certificate: Certificate, pdf: bytes, dpi: int) -> bytes:
    """The PDF's picture at ``dpi``, described, baked with the credential the PDF carries."""
    png = png_module().pdf_to_png(pdf, dpi=dpi, description=picture_description(certificate))
    token = baking.pdf_credential(pdf) or _credential_token(certificate)
    return png if token is None else baking.bake_png(png, token)


class _PdfUnavailable(RenderError):
    """A PNG cannot be made because its revision's PDF failed (the PDF's reason is recorded)."""


def _storage() -> Any:
    return storages[conf.get().STORAGE]


def _store(certificate: Certificate, kind: str, content: bytes) -> RenderedFile | None:
    """Keep the file for later downloads; a storage failure is logged and the render still served."""
    suffix = {RenderedFile.PDF: ".pdf", RenderedFile.PNG: ".png", RenderedFile.PNG_PRINT: "-300dpi.png"}[kind]
    name = f"cert_plugin/{certificate.verification_code}/r{certificate.revision}{suffix}"
    try:
        path = _storage().save(name, ContentFile(content))
    except Exception:  # any storage backend's failure: the learner still gets the file
        log.exception("cert_plugin: could not store %s; serving it without caching", name)
        return None
    stored = RenderedFile.objects.create(certificate=certificate, revision=certificate.revision, kind=kind,
                                         path=path, size=len(content),
                                         sha256=hashlib.sha256(content).hexdigest())
    if certificate.render_error:
        Certificate.objects.filter(pk=certificate.pk).update(render_error="")
    return stored


def _record_render_error(certificate: Certificate, message: str) -> None:
    log.error("cert_plugin: rendering %s failed: %s", certificate.verification_code, message)
    Certificate.objects.filter(pk=certificate.pk).update(render_error=message[:2000])


def record_render_failure(certificate_id: int, message: str) -> None:
    """Note a render that failed outside the renderer (the task's time limit) for staff."""
    certificate = Certificate.objects.filter(pk=certificate_id).first()
    if certificate is not None:
        _record_render_error(certificate, message)
