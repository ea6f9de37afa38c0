"""Open Badges 3.0 credentials: the issuer profile, keys, a certificate's credential, the status list.

The documents are built by the pure modules cert_plugin.credentials.openbadges,
.data_integrity and .statuslist; this room supplies the facts and keys: the
credential carries an ``eddsa-rdfc-2022`` Data Integrity proof (Ed25519,
``SIGNING_KEY``) and is also served as a VC-JWT (EdDSA and/or ES256 with
``P256_SIGNING_KEY``, per ``CREDENTIAL_ALGORITHMS``); every key has its own
URL (``issuer-key``: the JWK, the ``kid`` of VC-JWTs; ``issuer-multikey``: the
``Multikey`` verification method of Data Integrity proofs). Writes: SigningKey
(each key, the first time it signs), CredentialSubject (a learner's subject id,
once).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils import timezone
from opaque_keys.edx.keys import CourseKey

from cert_plugin import conf
from cert_plugin.credentials import signing
from cert_plugin.domain.branding import certificate_issuer
from cert_plugin.domain.issuing import STATUS_LIST_SIZE, requirements_summary
from cert_plugin.domain.shared import CertPluginError, RequirementsError, get_host
from cert_plugin.domain.verification import published_key, signing_keys
from cert_plugin.models import (
    Certificate,
    CredentialSubject,
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

    Each key's ``kid`` is the URL of its own JWK (``issuer-key``, ending in its RFC 7638
    thumbprint): the same string as the ``kid`` of the VC-JWTs it signed, so JOSE libraries select
    it. The thumbprint is the ``signing_key_id`` / ``signature.key_id`` of snapshot signatures.
    Needs no signing key; without ``BASE_URL`` the ``kid`` is the bare thumbprint.
    """
    keys = {key.key_id: key.public_key_pem for key in signing_keys()}
    for private_pem in _configured_keys().values():
        public_pem = signing.public_key_pem(private_pem)
        keys.setdefault(signing.key_id(public_pem), public_pem)
    return {"keys": [signing.public_jwk(pem, kid=_key_url(key_id)) for key_id, pem in keys.items()]}


def issuer_key(key_id: str) -> dict[str, Any] | None:
    """One published key as a JWK (the document a VC-JWT ``kid`` dereferences to), or None."""
    pem = _public_pem(key_id)
    return None if pem is None else signing.public_jwk(pem, kid=_key_url(key_id))


def issuer_multikey(key_id: str) -> dict[str, Any] | None:
    """An Ed25519 key as the ``Multikey`` verification method of Data Integrity proofs, or None."""
    from cert_plugin.credentials import data_integrity

    pem = _public_pem(key_id)
    if pem is None or signing.jwt_algorithm(pem) != "EdDSA":
        return None
    return data_integrity.multikey(signing.load_public_key(pem),
                                   id=_ob_url("cert_plugin:issuer-multikey", key_id),
                                   controller=_ob_url("cert_plugin:issuer"))


def credential_json(certificate: Certificate) -> dict[str, Any]:
    """The certificate's ``OpenBadgeCredential`` (Open Badges 3.0 on VC Data Model 2.0), with an
    embedded ``eddsa-rdfc-2022`` Data Integrity proof when a ``SIGNING_KEY`` is configured.

    A revoked certificate keeps its credential and verifiers learn of the revocation from the
    status list. Needs ``CERT_PLUGIN["BASE_URL"]``.
    """
    from cert_plugin.credentials import data_integrity

    document = _credential_document(certificate)
    private_pem = _configured_keys().get("EdDSA")
    if not private_pem:
        return document
    key_id = _registered(private_pem)
    return data_integrity.sign(document, signing.load_private_key(private_pem),
                               verification_method=_ob_url("cert_plugin:issuer-multikey", key_id),
                               created=timezone.now().replace(microsecond=0))


def credential_jwt(certificate: Certificate, algorithm: str | None = None) -> str:
    """The certificate's credential secured as a VC-JWT (compact JWS), signed with the key of
    ``algorithm`` ("EdDSA" or "ES256"; by default the first of ``CREDENTIAL_ALGORITHMS``).

    Raises CertPluginError when that key (or ``BASE_URL``) is not configured.
    """
    from cert_plugin.credentials import openbadges

    private_pem = _jwt_key(algorithm)
    return openbadges.sign_vc_jwt(_credential_document(certificate), private_pem,
                                  kid=_key_url(_registered(private_pem)))


def credential_algorithms() -> list[str]:
    """The VC-JWT algorithms this site offers (preferred first) whose key is configured."""
    keys = _configured_keys()
    return [name for name in conf.get().CREDENTIAL_ALGORITHMS if name in keys]


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

    private_pem = _jwt_key(None)
    return openbadges.sign_vc_jwt(status_list_credential(), private_pem,
                                  kid=_key_url(_registered(private_pem)))


def _credential_document(certificate: Certificate) -> dict[str, Any]:
    """The unsecured credential (the VC-JWT payload; ``credential_json`` adds the proof)."""
    from cert_plugin.credentials import openbadges

    learner = get_host().learner(certificate.user)
    has_status = certificate.status_index is not None
    return openbadges.build_credential(
        code=certificate.verification_code,
        learner_name=certificate.learner_name,
        email=learner.email or getattr(certificate.user, "email", "") or "",
        course_key=str(certificate.course_key),
        course_title=certificate.course_title,
        issuer=_ob_issuer(certificate_issuer(certificate)),
        issued_at=certificate.issued_at,
        subject_id=subject_id(certificate.user_id),
        expires_at=certificate.expires_at,
        hours=None if certificate.hours is None else Decimal(certificate.hours),
        grade=certificate.grade,
        requirements=_ob_requirements(certificate.course_key),
        status_index=certificate.status_index if has_status else None,
        status_list_url=_ob_url("cert_plugin:status-list") if has_status else None,
    )


def subject_id(user_id: int) -> str:
    """The learner's ``credentialSubject.id``: a random ``urn:uuid`` kept per learner (ADR 0011)."""
    subject, _ = CredentialSubject.objects.get_or_create(user_id=user_id)
    return str(subject)


def _ob_url(name: str, *args: Any) -> str:
    """The absolute URL of one of the plugin's views, from ``CERT_PLUGIN["BASE_URL"]``."""
    from django.urls import reverse

    base = (conf.get().BASE_URL or "").rstrip("/")
    if not base:
        raise CertPluginError('Open Badges credentials need absolute URLs: set CERT_PLUGIN["BASE_URL"] '
                              'to the site root, e.g. "https://lms.example.org".')
    return base + reverse(name, args=args)


def _key_url(key_id: str) -> str:
    """A key's ``kid``: the URL of its JWK (the bare thumbprint on a site without ``BASE_URL``)."""
    try:
        return _ob_url("cert_plugin:issuer-key", key_id)
    except CertPluginError:
        return key_id


def _ob_issuer(name: str = "") -> Any:
    from urllib.parse import urlsplit

    from cert_plugin.credentials import openbadges

    profile_url = _ob_url("cert_plugin:issuer")
    site = conf.get().BASE_URL.rstrip("/") + "/"
    return openbadges.Issuer(id=profile_url, url=site,
                             name=name or conf.get().ISSUER_NAME or urlsplit(site).hostname or site)


def _configured_keys() -> dict[str, str]:
    """The configured private keys by JOSE algorithm: "EdDSA" (SIGNING_KEY), "ES256" (P256_SIGNING_KEY)."""
    settings = conf.get()
    keys = {"EdDSA": settings.SIGNING_KEY, "ES256": settings.P256_SIGNING_KEY}
    return {name: pem for name, pem in keys.items() if pem}


def _jwt_key(algorithm: str | None) -> str:
    """The private key VC-JWTs are signed with; CertPluginError when it is not configured."""
    offered = credential_algorithms()
    if algorithm is not None and algorithm not in offered:
        raise CertPluginError(f"Credentials are not signed with {algorithm} on this site; "
                              f"it offers {', '.join(offered) or 'none'}.")
    if not offered:
        raise CertPluginError('Signed credentials are not available: no signing key is configured. '
                              'Set CERT_PLUGIN["SIGNING_KEY"] to an Ed25519 private key in PEM form.')
    return _configured_keys()[algorithm or offered[0]]


def _registered(private_pem: str) -> str:
    """The key's id, its public half recorded among the published keys (so rotating it keeps old
    credentials verifiable)."""
    public_pem = signing.public_key_pem(private_pem)
    key_id = signing.key_id(public_pem)
    SigningKey.objects.get_or_create(key_id=key_id, defaults={
        "algorithm": "Ed25519" if signing.jwt_algorithm(public_pem) == "EdDSA" else "P-256",
        "public_key_pem": public_pem})
    return key_id


def _public_pem(key_id: str) -> str | None:
    """A published key (one that signed), or a configured key that has not signed yet."""
    known = published_key(key_id)
    if known:
        return known
    for private_pem in _configured_keys().values():
        if signing.key_id(signing.public_key_pem(private_pem)) == key_id:
            return signing.public_key_pem(private_pem)
    return None


def _ob_requirements(course_key: CourseKey) -> list[str]:
    """The course's current requirements in plain sentences (the achievement's criteria)."""
    try:
        return requirements_summary(course_key)
    except RequirementsError:
        return []
