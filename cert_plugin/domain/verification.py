"""Verifying a certificate: by its code, its signature, and who may see it.

Owns ``verify`` (the public verify page and REST), the generation of the
answers cached for a code (``verify_answer_generation``, ``forget_verify_answers``),
``certificate_by_code``,
``can_view``, ``public_certificates``, the signed snapshot
(``signature_payload``, ``sign_certificate``, ``signature_valid``,
``published_signature``: what a third party checks it with), whether
the site signs at all (``signs_certificates``, ``unsigned_count``), the
signing keys and ``verify_url``. Writes: SigningKey (and the signature
fields of a Certificate being issued, through ``sign_certificate``).
"""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Iterable
from datetime import UTC
from decimal import Decimal
from typing import Any

from django.core.cache import cache
from django.db import connections, router, transaction
from django.db.models import Q
from django.utils import timezone
from opaque_keys.edx.keys import CourseKey

from cert_plugin import __version__, codes, conf
from cert_plugin.credentials import signing
from cert_plugin.data import Verification
from cert_plugin.domain.shared import get_host, parse_course_key
from cert_plugin.models import (
    Certificate,
    CertificateTemplateVersion,
    SigningKey,
)

log = logging.getLogger(__name__)


def public_certificates(user: Any) -> list[Certificate]:
    """What a learner chose to show on their public profile: published, not revoked, newest first."""
    return list(Certificate.objects.filter(user=user, is_public=True).exclude(state=Certificate.REVOKED)
                .order_by("-issued_at", "-id"))


def verify(code: str) -> Verification:
    """Check a verification code as a person typed, pasted or scanned it."""
    canonical = codes.normalize(code or "")
    if canonical is None:
        return Verification(status="not_found")
    certificate = _with_template_digest(canonical)
    if certificate is None:
        return Verification(status="not_found", code=codes.format_code(canonical))
    status = public_status(certificate)
    newer = None
    if status == "expired":
        still_valid = Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now())
        newer = (Certificate.objects.filter(still_valid, user_id=certificate.user_id,
                                            course_key=certificate.course_key,
                                            issued_at__gt=certificate.issued_at, state=Certificate.ISSUED)
                 .order_by("-issued_at").first())
    published = published_signature(certificate)
    return Verification(status=status, certificate=certificate, code=certificate.formatted_code, newer=newer,
                        signature_valid=None if not certificate.signature else published is not None,
                        signature=published)


def _with_template_digest(canonical: str) -> Certificate | None:
    """The certificate with this code and, of its template version, only the digest its signature
    covers (the version's HTML and CSS, which only rendering reads, stay deferred): one query.

    The statement is written once per database rather than built by ``select_related``, which
    compiles the same SQL again on every call: 0.89 ms a lookup against 0.34 ms, a quarter of an
    anonymous verify (benchmarks/README.md, "Verify under load")."""
    alias = router.db_for_read(Certificate)
    sql = _BY_CODE.get(alias)
    if sql is None:
        sql = _BY_CODE[alias] = _by_code_sql(connections[alias].ops.quote_name)
    found = list(Certificate.objects.db_manager(alias).raw(sql, [canonical]))
    if not found:
        return None
    certificate = found[0]
    digest = vars(certificate).pop(_DIGEST_ALIAS)
    certificate.template_version = CertificateTemplateVersion.from_db(
        alias, ["id", "digest"], [certificate.template_version_id, digest])
    return certificate


_BY_CODE: dict[str, str] = {}  # database alias -> the statement of _with_template_digest
_DIGEST_ALIAS = "cp_template_digest"


def _by_code_sql(quote: Any) -> str:
    fields = {field.name: field for field in Certificate._meta.concrete_fields}
    version = fields["template_version"]
    versions_meta = CertificateTemplateVersion._meta
    certificates, versions = quote(Certificate._meta.db_table), quote(versions_meta.db_table)
    digest = quote(versions_meta.get_field("digest").column)
    version_id = quote(versions_meta.pk.column)
    return (f"SELECT {certificates}.*, {versions}.{digest} AS {quote(_DIGEST_ALIAS)} FROM {certificates} "
            f"INNER JOIN {versions} ON {versions}.{version_id} = {certificates}.{quote(version.column)} "
            f"WHERE {certificates}.{quote(fields['verification_code'].column)} = %s")


# The answers to a code (its verify page in each language, its JSON) may be kept in Django's cache
# (the ``default`` alias, shared by every process in production), each marked with the code's
# *generation*: a random token kept beside them. Changing the certificate drops the token after
# the change commits, so no answer kept for it matches any more, whichever process kept it. A
# reader takes the token before it reads the certificate: an answer built from a read that raced a
# change carries the token that change dropped, and is never served.
_GENERATION = f"cert_plugin:verify:{__version__}:{{}}"
_GENERATION_SECONDS = 24 * 3600  # longer than any answer is kept (VERIFY_CACHE_SECONDS)


def certificate_changed(sender: Any, instance: Certificate, **kwargs: Any) -> None:
    """``post_save`` and ``post_delete`` of a Certificate (connected in ``apps.ready``): whatever
    changed (revoked, reissued, published, withdrawn, deleted), its kept answers go."""
    forget_verify_answers([instance.verification_code])


def verify_answer_generation(canonical: str, *, with_kept: str = "") -> tuple[str | None, Any]:
    """The current generation of the answers kept for ``canonical`` (a normalized code), None when
    the cache cannot be used (then nothing is kept or served from it); and whatever is kept under
    the cache key ``with_kept``, read in the same round trip (None when nothing is)."""
    key = _GENERATION.format(canonical)
    try:
        found = cache.get_many([key, with_kept] if with_kept else [key])
        token = found.get(key)
        if token is None:
            fresh = secrets.token_hex(8)
            # Whoever adds first starts the generation; a reader that lost the race reads theirs.
            token = fresh if cache.add(key, fresh, timeout=_GENERATION_SECONDS) else cache.get(key)
    except Exception:  # a cache that is down costs speed, never an answer
        log.warning("cert_plugin: cache unavailable; verifying without it", exc_info=True)
        return None, None
    return (None if token is None else str(token)), (found.get(with_kept) if with_kept else None)


def forget_verify_answers(canonical_codes: Iterable[str]) -> None:
    """Drop every answer kept for these codes, once the current transaction commits."""
    keys = [_GENERATION.format(code) for code in canonical_codes if code]
    if not keys:
        return

    def forget() -> None:
        try:
            cache.delete_many(keys)
        except Exception:
            log.exception("cert_plugin: could not drop the cached verify answers of %s; they stay "
                          "until they time out", ", ".join(keys))

    transaction.on_commit(forget)


def public_status(certificate: Certificate) -> str:
    """What verifying the certificate answers: "valid", "revoked" or "expired" (now)."""
    return {"issued": "valid"}.get(certificate.status, certificate.status)


def signature_payload(certificate: Certificate, *, with_grade: bool = False) -> dict[str, Any]:
    """The snapshot fields the Ed25519 signature covers, as canonical strings.

    The payload is published (``api-verify``'s ``signature``) for anyone holding the code, so it
    holds only what the certificate itself states, plus its template digest and revision: no
    internal id, and no grade (an education record the verify page never shows). Certificates
    signed before the payload was published (``with_grade``) also covered the grade; they still
    verify, and their published payload is the one their signature covers (ADR 0011).
    """
    payload: dict[str, Any] = {
        "code": certificate.verification_code,
        "learner_name": certificate.learner_name,
        "course_key": str(certificate.course_key),
        "course_title": certificate.course_title,
        "hours": None if certificate.hours is None else f"{Decimal(certificate.hours):.2f}",
        "issued_at": iso_timestamp(certificate.issued_at),
        "expires_at": iso_timestamp(certificate.expires_at),
        "template_digest": certificate.template_version.digest,
        "issuer": certificate.issuer_name,
        "revision": certificate.revision,
    }
    if with_grade:
        payload["grade"] = None if certificate.grade is None else f"{float(certificate.grade):.4f}"
    return payload


def iso_timestamp(value: Any) -> str | None:
    return None if value is None else value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def sign_certificate(certificate: Certificate, *, registered_key_id: str = "") -> None:
    """Sign the snapshot with ``CERT_PLUGIN["SIGNING_KEY"]`` (unsigned when none is configured).

    The key's public half is kept in ``SigningKey`` unless ``registered_key_id``
    says this run already saved a certificate with that key (a backfill issues thousands).
    """
    private_pem = conf.get().SIGNING_KEY
    if not private_pem:
        certificate.signature, certificate.signing_key_id = "", ""
        return
    result = signing.sign(signature_payload(certificate), private_pem)
    if result.key_id != registered_key_id:
        SigningKey.objects.get_or_create(key_id=result.key_id, defaults={
            "algorithm": signing.ALGORITHM, "public_key_pem": signing.public_key_pem(private_pem)})
    certificate.signature, certificate.signing_key_id = result.value, result.key_id


def signature_valid(certificate: Certificate) -> bool | None:
    """Whether the stored snapshot still matches its signature; None when it was issued unsigned."""
    if not certificate.signature:
        return None
    return published_signature(certificate) is not None


def published_signature(certificate: Certificate) -> dict[str, str] | None:
    """What a third party checks the snapshot signature with, when it checks out (else None).

    ``{"algorithm": "Ed25519", "key_id": <RFC 7638 thumbprint of the key in the issuer JWKS>,
    "payload": <the exact canonical JSON text signed>, "value": <base64url signature>}``.
    """
    if not certificate.signature:
        return None
    public_key_pem = published_key(certificate.signing_key_id)
    if public_key_pem is None:
        return None
    for with_grade in (False, True):
        signed = signing.canonical_json(signature_payload(certificate, with_grade=with_grade))
        if signing.verify_text(signed, certificate.signature, public_key_pem):
            return {"algorithm": signing.ALGORITHM, "key_id": certificate.signing_key_id,
                    "value": certificate.signature, "payload": signed.decode("utf-8")}
    return None


# Public keys by id, per process: a key id is the key's own thumbprint, so it names one key forever
# (a rotated key is a new id) and a row, once read, never needs reading again. Unknown ids are not
# remembered: a key registered by another process is found on the next request.
_PUBLIC_KEYS: dict[str, str] = {}
_KEY_ID = re.compile(r"[A-Za-z0-9_-]{43}")  # an RFC 7638 thumbprint: base64url of SHA-256, unpadded


def published_key(key_id: str) -> str | None:
    """The PEM public key recorded (``SigningKey``) under ``key_id``, or None; read once per process.

    Anything that is not a thumbprint names no key and costs no query (key ids arrive in URLs)."""
    if not isinstance(key_id, str) or not _KEY_ID.fullmatch(key_id):
        return None
    known = _PUBLIC_KEYS.get(key_id)
    if known is None:
        known = SigningKey.objects.filter(key_id=key_id).values_list("public_key_pem", flat=True).first()
        if known is None or signing.key_id(known) != key_id:  # a row whose id is not its key's: none
            return None
        _PUBLIC_KEYS[key_id] = known
    return known


def signs_certificates() -> bool:
    """Whether certificates issued now carry a digital signature (``CERT_PLUGIN["SIGNING_KEY"]`` is set;
    without it ``manage.py check`` warns, cert_plugin.W001)."""
    return bool(conf.get().SIGNING_KEY)


def unsigned_count(course_key: CourseKey | str) -> int:
    """How many of the course's current certificates (active, not revoked) carry no signature: issued
    while the site had no signing key; a reissue signs them."""
    return Certificate.objects.filter(course_key=parse_course_key(course_key), active=True,
                                      state=Certificate.ISSUED, signature="").count()


def signing_keys() -> list[SigningKey]:
    """Every public key certificates were signed with (current and rotated-out), oldest first."""
    return list(SigningKey.objects.order_by("created_at", "id"))


def certificate_by_code(code: str) -> Certificate | None:
    """The certificate with this verification code (typed, pasted or scanned), or None."""
    canonical = codes.normalize(code or "")
    if canonical is None:
        return None
    # No join to the template version: its HTML and CSS are only read when rendering, which locks
    # and re-reads the row anyway; a download served from storage never needs them.
    return Certificate.objects.filter(verification_code=canonical).first()


def can_view(user: Any, certificate: Certificate) -> bool:
    """The owner, the course's staff, and anyone once the learner made it public (never once revoked)."""
    if certificate.is_public and certificate.state != Certificate.REVOKED:
        return True
    if not getattr(user, "is_authenticated", False):
        return False
    return bool(user.pk == certificate.user_id or get_host().is_course_staff(user, certificate.course_key))
