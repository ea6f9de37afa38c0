"""Open Badges 3.0 credentials: the issuer profile, keys, a certificate's credential, the status list.

The documents are built by the pure modules cert_plugin.credentials.openbadges
and .statuslist; this room supplies the facts and keys (VC-JWT, EdDSA) and the
revocation list (W3C Bitstring Status List). Writes: SigningKey (the Open
Badges key, once).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils import timezone
from opaque_keys.edx.keys import CourseKey

from cert_plugin import conf
from cert_plugin.credentials import signing
from cert_plugin.domain.issuing import STATUS_LIST_SIZE, requirements_summary
from cert_plugin.domain.shared import CertPluginError, RequirementsError, get_host
from cert_plugin.domain.verification import signing_keys
from cert_plugin.models import (
    Certificate,
    SigningKey,
)


def revoked_status_indexes() -> list[int]:
    """Status-list positions of revoked certificates (for the published Bitstring Status List)."""
    rows = Certificate.objects.filter(state=Certificate.REVOKED, status_index__isnull=False)
    return [index for index in rows.values_list("status_index", flat=True) if index is not None]


def issuer_profile() -> dict[str, Any]:
    """The issuer's Open Badges 3.0 ``Profile`` as a JSON-LD document (public)."""
    from cert_plugin.credentials import openbadges

    return openbadges.issuer_profile(_ob_issuer(), standalone=True)


def issuer_jwks() -> dict[str, Any]:
    """Every public key the issuer signed with, current and rotated-out, as a JWKS (RFC 7517).

    Each key's ``kid`` is its RFC 7638 thumbprint, the fragment of the ``kid`` URI in VC-JWT
    headers and the ``signing_key_id`` of certificate snapshot signatures. Needs no signing key.
    """
    keys = [signing.public_jwk(key.public_key_pem) for key in signing_keys()]
    current = conf.get().SIGNING_KEY
    if current:
        jwk = signing.public_jwk(signing.public_key_pem(current))
        if all(known["kid"] != jwk["kid"] for known in keys):
            keys.append(jwk)
    return {"keys": keys}


def credential_json(certificate: Certificate) -> dict[str, Any]:
    """The certificate's ``OpenBadgeCredential`` (Open Badges 3.0 on VC Data Model 2.0), unsigned.

    The verifiable form is :func:`credential_jwt`; a revoked certificate keeps its credential and
    verifiers learn of the revocation from the status list. Needs ``CERT_PLUGIN["BASE_URL"]``.
    """
    from cert_plugin.credentials import openbadges

    learner = get_host().learner(certificate.user)
    has_status = certificate.status_index is not None
    return openbadges.build_credential(
        code=certificate.verification_code,
        learner_name=certificate.learner_name,
        email=learner.email or getattr(certificate.user, "email", "") or "",
        course_key=str(certificate.course_key),
        course_title=certificate.course_title,
        issuer=_ob_issuer(certificate.issuer_name or certificate.org),
        issued_at=certificate.issued_at,
        expires_at=certificate.expires_at,
        hours=None if certificate.hours is None else Decimal(certificate.hours),
        grade=certificate.grade,
        requirements=_ob_requirements(certificate.course_key),
        status_index=certificate.status_index if has_status else None,
        status_list_url=_ob_url("cert_plugin:status-list") if has_status else None,
    )


def credential_jwt(certificate: Certificate) -> str:
    """The certificate's credential secured as a VC-JWT (compact JWS, EdDSA) with the current key.

    Raises CertPluginError when no ``SIGNING_KEY`` (or no ``BASE_URL``) is configured.
    """
    from cert_plugin.credentials import openbadges

    private_pem = _ob_signing_key()
    return openbadges.sign_vc_jwt(credential_json(certificate), private_pem, kid=_ob_kid(private_pem))


def status_list_credential() -> dict[str, Any]:
    """The revocation ``BitstringStatusListCredential``: one bit per certificate, set once revoked."""
    from cert_plugin.credentials import openbadges, statuslist

    return statuslist.build_status_list_credential(
        url=_ob_url("cert_plugin:status-list"),
        issuer=openbadges.issuer_profile(_ob_issuer()),
        encoded_list=statuslist.encode_bitstring(revoked_status_indexes(), STATUS_LIST_SIZE),
        valid_from=timezone.now(),
        ttl_seconds=statuslist.DEFAULT_TTL,
    )


def status_list_jwt() -> str:
    """The revocation status list secured as a VC-JWT; CertPluginError without a signing key."""
    from cert_plugin.credentials import openbadges

    private_pem = _ob_signing_key()
    return openbadges.sign_vc_jwt(status_list_credential(), private_pem, kid=_ob_kid(private_pem))


def _ob_url(name: str) -> str:
    """The absolute URL of one of the plugin's views, from ``CERT_PLUGIN["BASE_URL"]``."""
    from django.urls import reverse

    base = (conf.get().BASE_URL or "").rstrip("/")
    if not base:
        raise CertPluginError('Open Badges credentials need absolute URLs: set CERT_PLUGIN["BASE_URL"] '
                              'to the site root, e.g. "https://lms.example.org".')
    return base + reverse(name)


def _ob_issuer(name: str = "") -> Any:
    from urllib.parse import urlsplit

    from cert_plugin.credentials import openbadges

    profile_url = _ob_url("cert_plugin:issuer")
    site = conf.get().BASE_URL.rstrip("/") + "/"
    return openbadges.Issuer(id=profile_url, url=site,
                             name=name or conf.get().ISSUER_NAME or urlsplit(site).hostname or site)


def _ob_signing_key() -> str:
    """The current signing key, recorded among the published keys (so rotating it keeps old
    credentials verifiable); CertPluginError when none is configured."""
    private_pem = conf.get().SIGNING_KEY
    if not private_pem:
        raise CertPluginError('Signed credentials are not available: no signing key is configured. '
                              'Set CERT_PLUGIN["SIGNING_KEY"] to an Ed25519 private key in PEM form.')
    SigningKey.objects.get_or_create(key_id=signing.key_id(signing.public_key_pem(private_pem)), defaults={
        "algorithm": signing.ALGORITHM, "public_key_pem": signing.public_key_pem(private_pem)})
    return private_pem


def _ob_kid(private_pem: str) -> str:
    """The VC-JWT ``kid``: the JWKS URL with the key's thumbprint as fragment (a dereferenceable URI)."""
    return f"{_ob_url('cert_plugin:issuer-keys')}#{signing.key_id(signing.public_key_pem(private_pem))}"


def _ob_requirements(course_key: CourseKey) -> list[str]:
    """The course's current requirements in plain sentences (the achievement's criteria)."""
    try:
        return requirements_summary(course_key)
    except RequirementsError:
        return []
