"""Checking a certificate by its file: the credential a PDF or PNG carries, and the PDF's signature.

Owns :func:`check_file` (the ``verify-file`` page and its JSON twin). A file from anyone is
sniffed by its first bytes (PDF or PNG; anything else carries no credential), its baked VC-JWT
(``credentials/baking.py``) is verified against this issuer's own published keys only, the
certificate it names is found by the credential's status-list position (``status_index``,
confirmed by the credential id derived from the verification code), and its status is the one
``verify`` gives (``public_status``). A PDF's PAdES signature is checked against the institution
certificate of ``PDF_SIGNING``: a PDF changed after signing is ``altered``, whatever it carries,
and so is a PDF whose signature was removed on a site that signs its PDFs. A PDF that is, byte for
byte, one this site rendered for the certificate is accepted with whatever institution certificate
signed it then (or none, rendered before the site signed PDFs): replacing an expiring institution
certificate must not turn every earlier PDF into an "altered" one.

Writes nothing and keeps nothing: the bytes are read, answered and dropped.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.utils.dateparse import parse_datetime

from cert_plugin import conf
from cert_plugin.credentials import baking, openbadges
from cert_plugin.domain.open_badges import issuer_jwks
from cert_plugin.domain.shared import pades_module
from cert_plugin.domain.verification import public_status
from cert_plugin.models import Certificate, RenderedFile

__all__ = ["FILE_STATUSES", "MAX_CHECKED_FILE_BYTES", "FileCheck", "check_file"]

log = logging.getLogger("cert_plugin.api")

MAX_CHECKED_FILE_BYTES = 10 * 1024 * 1024  # a certificate PDF is well under 2 MB, its 300 dpi PNG ~3 MB
FILE_STATUSES = ("valid", "revoked", "expired", "altered", "no_credential")


@dataclass(frozen=True)
class FileCheck:
    """What a certificate file says about itself, checked."""

    status: str  # one of FILE_STATUSES
    kind: str | None = None  # "pdf" or "png" by the file's first bytes; None for anything else
    pdf_signature: str = "absent"  # the PDF's PAdES signature: "valid", "invalid" or "absent" (PNGs)
    certificate: Certificate | None = None  # the certificate the credential names, when it is ours
    code: str = ""  # its verification code, formatted
    learner_name: str = ""  # as on the certificate (the credential holds only hashes of it)
    course_title: str = ""
    issued_at: datetime | None = None
    expires_at: datetime | None = None


def check_file(content: bytes) -> FileCheck:
    """Check a dropped or uploaded certificate file (at most ``MAX_CHECKED_FILE_BYTES``)."""
    if len(content) > MAX_CHECKED_FILE_BYTES:
        raise ValueError(f"files over {MAX_CHECKED_FILE_BYTES} bytes are not checked")
    kind = baking.file_kind(content)
    if kind is None:
        return FileCheck(status="no_credential")
    token = baking.pdf_credential(content) if kind == "pdf" else baking.png_credential(content)
    credential = None if token is None else _verified(token)
    certificate = None if credential is None else _certificate_of(credential)
    # A PDF this site rendered, byte for byte, is ours whichever institution certificate signed it
    # then (the certificate is replaced when it expires); any other must carry the current one's.
    ours = certificate is not None and kind == "pdf" and _rendered_here(certificate, content)
    pdf_signature = _pdf_signature(content, any_signer=ours) if kind == "pdf" else "absent"
    if token is None:
        return FileCheck(status="no_credential", kind=kind, pdf_signature=pdf_signature)
    if credential is None:
        return FileCheck(status="altered", kind=kind, pdf_signature=pdf_signature)
    if certificate is None:  # genuine, but no certificate here answers for it: the credential alone
        until = _moment(credential.get("validUntil"))
        expired = until is not None and until < datetime.now(UTC)
        alone = "altered" if pdf_signature == "invalid" else "expired" if expired else "valid"
        return FileCheck(status=alone, kind=kind, pdf_signature=pdf_signature,
                         course_title=str(credential.get("name", "")),
                         issued_at=_moment(credential.get("validFrom")), expires_at=until)
    status = public_status(certificate)
    stripped = kind == "pdf" and pdf_signature == "absent" and not ours and bool(conf.get().PDF_SIGNING)
    if pdf_signature == "invalid" or stripped:  # stripped: an unsigned PDF on a site that signs its PDFs
        status = "altered"
    return FileCheck(status=status, kind=kind,
                     pdf_signature=pdf_signature, certificate=certificate, code=certificate.formatted_code,
                     learner_name=certificate.learner_name, course_title=certificate.course_title,
                     issued_at=certificate.issued_at, expires_at=certificate.expires_at)


def _verified(token: str) -> dict[str, Any] | None:
    """The credential, when the token verifies with one of this issuer's keys; else None.

    Expiry is not the token's to decide here (the certificate's status says it), so only its
    signature, key and claims are checked, never the clock.
    """
    try:
        return openbadges.verify_vc_jwt(token, issuer_jwks(), check_dates=False)
    except (ValueError, TypeError, AttributeError, UnicodeError):  # CredentialError is a ValueError
        return None


def _certificate_of(credential: dict[str, Any]) -> Certificate | None:
    """The certificate whose status-list position and credential id the credential carries."""
    status = credential.get("credentialStatus")
    index = status.get("statusListIndex") if isinstance(status, dict) else None
    if not isinstance(index, str) or not index.isdigit() or len(index) > 12:
        return None
    certificate = Certificate.objects.filter(status_index=int(index)).first()
    if certificate is None or openbadges.credential_id(certificate.verification_code) != credential.get("id"):
        return None
    return certificate


def _rendered_here(certificate: Certificate, pdf: bytes) -> bool:
    """Whether ``pdf`` is, byte for byte, a file this site rendered for the certificate."""
    digest = hashlib.sha256(pdf).hexdigest()
    return RenderedFile.objects.filter(certificate=certificate, sha256=digest).exists()


def _moment(value: Any) -> datetime | None:
    moment = parse_datetime(value) if isinstance(value, str) else None
    if moment is not None and moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment


def _pdf_signature(content: bytes, *, any_signer: bool = False) -> str:
    """The PDF's PAdES signature checked against the institution certificate (``PDF_SIGNING``), or
    against none with ``any_signer`` (intact and covering the whole file is then enough)."""
    expected = None if any_signer else _institution_certificate()
    return str(pades_module().signature_status(content, certificate_pem=expected))


def _institution_certificate() -> str | None:
    """The PEM certificate of ``PDF_SIGNING``'s PKCS#12 file (None when PDFs are not signed)."""
    signing = conf.get().PDF_SIGNING
    if not signing:
        return None
    path = str(signing["PKCS12"])
    try:
        modified = os.stat(path).st_mtime_ns
    except OSError:
        log.warning("cert_plugin: PDF_SIGNING's PKCS#12 file %s cannot be read; "
                    "PDF signatures are checked against no certificate", path)
        return None
    return _certificate_pem(path, signing.get("PASSPHRASE"), modified)


@functools.lru_cache(maxsize=4)
def _certificate_pem(path: str, passphrase: Any, _modified_ns: int) -> str | None:
    """Read once per file version (a replaced PKCS#12 file is read again)."""
    try:
        return str(pades_module().certificate_pem_from_pkcs12(path, passphrase))
    except Exception:
        log.exception("cert_plugin: PDF_SIGNING's PKCS#12 file %s cannot be loaded", path)
        return None
