"""Open Badges 3.0 credentials for issued certificates, secured as VC-JWT (EdDSA or ES256).

Pure code on plain values: ``cert_plugin.api`` reads the certificate, the settings and the keys
and passes them in. Two specifications are followed:

- **1EdTech Open Badges 3.0**, the final specification aligned with the W3C Verifiable Credentials
  Data Model 2.0: ``@context`` is the VC 2.0 context followed by the OB 3.0 context, validity is
  ``validFrom`` / ``validUntil`` (not the VCDM 1.1 ``issuanceDate`` / ``expirationDate``), the
  subject is an ``AchievementSubject`` with an ``id`` (a stable, opaque ``urn:uuid`` the issuer
  keeps per learner: no e-mail address or user id in it) and salted, hashed ``IdentityObject``
  entries (section "IdentityObject") a relying party can match an e-mail address or name against;
  the credential status is a W3C ``BitstringStatusListEntry`` (see :mod:`.statuslist`).
- **OB 3.0 section 8.2 "JSON Web Token Proof Format"** (VC-JWT) for the proof:

  * JOSE header (8.2.3 "Create the JOSE Header"): only ``alg``, ``kid`` and ``typ`` ("additional
    JOSE headers are NOT allowed"); ``typ`` is ``"JWT"`` (the only value allowed there); ``kid`` is
    a URI that dereferences to the public JWK (the issuer's ``issuer/keys/<thumbprint>.json``), and
    the issuer's JWKS lists the key under that same string, so PyJWT's ``PyJWKClient`` and
    jwcrypto select it. ``alg`` is ``EdDSA`` for an Ed25519 key or ``ES256`` for a P-256 key: the
    section requires verifiers to support RS256 and permits others; 1EdTech's own validator
    accepts RSA and P-256 keys, so a site may sign with P-256 (``CREDENTIAL_ALGORITHMS``).
  * JWT payload (8.2.4 "JWT Payload Format"): the payload *is* the credential (VCDM 2.0: no
    ``vc`` wrapper claim, which only VCDM 1.1 credentials use) plus the registered claims
    ``iss`` = ``issuer.id``, ``jti`` = ``id``, ``sub`` = ``credentialSubject.id``, ``nbf`` =
    ``validFrom`` and, when the credential expires, ``exp`` = ``validUntil``.
  * Signing (8.2.5) and verification (8.2.6) are RFC 7515 compact JWS over
    ``BASE64URL(UTF8(header)) || "." || BASE64URL(payload)``.

The compact JWS is deterministic for Ed25519 (its signatures are, and the JSON is serialised with
sorted keys); ES256 signatures are randomised, so a P-256 token differs on every call.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature

from cert_plugin.credentials import signing

__all__ = [
    "ACHIEVEMENT_TYPE",
    "CONTEXT",
    "JWT_ALGORITHM",
    "JWT_ALGORITHMS",
    "JWT_MEDIA_TYPE",
    "CredentialError",
    "Issuer",
    "achievement_id",
    "build_credential",
    "credential_id",
    "identity_hash",
    "identity_salt",
    "issuer_profile",
    "jwt_claims",
    "sign_vc_jwt",
    "verify_vc_jwt",
]

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"  # W3C VC Data Model 2.0
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"  # 1EdTech Open Badges 3.0
CONTEXT = (VC_CONTEXT, OB_CONTEXT)  # the order OB 3.0 requires: VC first, then OB
ACHIEVEMENT_TYPE = "Course"  # OB 3.0 AchievementType vocabulary
JWT_ALGORITHM = "EdDSA"  # RFC 8037: Ed25519 signatures in JOSE
JWT_ALGORITHMS = ("EdDSA", "ES256")  # ES256: ECDSA P-256 with SHA-256 (RFC 7518 3.4)
JWT_MEDIA_TYPE = "application/vc+jwt"  # VC-JOSE-COSE media type of a JWT-secured credential

# Fixed namespace for the credential's and the achievement's name-based (v5) UUIDs.
_NAMESPACE = uuid.UUID("8a3e2f4c-6b1d-5e7a-9c0f-2d4b6a8e1c3f")
_JOSE_HEADERS = frozenset({"alg", "kid", "typ"})  # OB 3.0 8.2.3: no other headers are allowed
_CLOCK_SKEW = 60  # seconds of leeway for nbf / exp when verifying


class CredentialError(ValueError):
    """A VC-JWT is malformed, not signed by a published key, or its claims do not match."""


@dataclass(frozen=True)
class Issuer:
    """The issuing institution, as the OB 3.0 ``Profile`` of the credential."""

    id: str  # absolute URL of the issuer's public Profile document
    name: str  # shown by badge displayers
    url: str  # the institution's home page (the LMS site root)


# ------------------------------------------------------------------------------------- documents


def issuer_profile(issuer: Issuer, *, standalone: bool = False) -> dict[str, Any]:
    """The OB 3.0 ``Profile`` of the issuer; ``standalone`` adds ``@context`` (a JSON-LD document)."""
    profile: dict[str, Any] = {"id": issuer.id, "type": ["Profile"], "name": issuer.name, "url": issuer.url}
    if standalone:
        return {"@context": list(CONTEXT), **profile}
    return profile


def credential_id(code: str) -> str:
    """The credential's ``id``: a UUID URN derived from the verification code (stable across
    reissues, site moves and key rotations)."""
    return f"urn:uuid:{uuid.uuid5(_NAMESPACE, 'credential:' + code)}"


def achievement_id(issuer_id: str, course_key: str) -> str:
    """The ``id`` of a course's Achievement: the same for every learner of the course."""
    return f"urn:uuid:{uuid.uuid5(_NAMESPACE, f'achievement:{issuer_id}:{course_key}')}"


def identity_salt(code: str) -> str:
    """A salt unique to the credential, derived from its code so the credential is reproducible.

    The salt is published inside the credential (OB 3.0 IdentityObject); it exists so that the same
    e-mail address hashes differently in every credential, defeating precomputed tables.
    """
    return hashlib.sha256(f"cert_plugin identity salt:{code}".encode()).hexdigest()[:32]


def identity_hash(value: str, salt: str) -> str:
    """OB 3.0 ``IdentityObject.identityHash``: ``"sha256$" + hex(sha256(value + salt))``."""
    return "sha256$" + hashlib.sha256((value + salt).encode("utf-8")).hexdigest()


def build_credential(
    *,
    code: str,
    learner_name: str,
    email: str,
    course_key: str,
    course_title: str,
    issuer: Issuer,
    issued_at: datetime,
    subject_id: str | None = None,
    expires_at: datetime | None = None,
    hours: Decimal | float | str | None = None,
    grade: float | None = None,
    requirements: Sequence[str] = (),
    status_index: int | None = None,
    status_list_url: str | None = None,
) -> dict[str, Any]:
    """An ``OpenBadgeCredential`` (OB 3.0 on VC Data Model 2.0) for one issued certificate.

    ``grade`` is a share 0..1 and becomes a ``Result`` ("92%"); ``requirements`` are the course's
    requirements in plain sentences and become the criteria narrative; ``status_index`` and
    ``status_list_url`` together add the revocation ``BitstringStatusListEntry``. The learner is
    ``subject_id`` (the ``credentialSubject.id`` and the VC-JWT's ``sub``) and salted SHA-256
    hashes of the e-mail address and of the name printed on the certificate, never in clear text.
    """
    if (status_index is None) != (status_list_url is None):
        raise ValueError("status_index and status_list_url go together: give both or neither")
    salt = identity_salt(code)
    identities = (("emailAddress", (email or "").strip().lower()), ("name", (learner_name or "").strip()))
    identifiers = [
        {"type": "IdentityObject", "identityHash": identity_hash(value, salt), "identityType": kind,
         "hashed": True, "salt": salt}
        for kind, value in identities
        if value
    ]
    if not identifiers:
        raise ValueError("a credential needs the learner's e-mail address or name to identify them")
    achievement: dict[str, Any] = {
        "id": achievement_id(issuer.id, course_key),
        "type": ["Achievement"],
        "achievementType": ACHIEVEMENT_TYPE,
        "name": course_title,
        "description": _achievement_description(course_title, issuer.name, hours),
        "criteria": {"narrative": _narrative(course_title, requirements)},
        "creator": issuer_profile(issuer),
        "humanCode": course_key,
    }
    subject: dict[str, Any] = {"type": ["AchievementSubject"], "identifier": identifiers,
                               "achievement": achievement}
    if subject_id:
        subject = {"id": subject_id, **subject}
    if grade is not None:
        subject["result"] = [{"type": ["Result"], "value": _percent(grade)}]
    credential: dict[str, Any] = {
        "@context": list(CONTEXT),
        "id": credential_id(code),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": issuer_profile(issuer),
        "validFrom": _datetime(issued_at),
        "name": course_title,
        "description": f"{issuer.name} certifies that the holder completed {course_title}.",
        "credentialSubject": subject,
    }
    if expires_at is not None:
        credential["validUntil"] = _datetime(expires_at)
    if status_index is not None and status_list_url is not None:
        if status_index < 0:
            raise ValueError(f"status_index must be 0 or more, not {status_index}")
        credential["credentialStatus"] = {
            "id": f"{status_list_url}#{status_index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(status_index),  # Bitstring Status List 2.1: a base-10 string
            "statusListCredential": status_list_url,
        }
    return credential


def _achievement_description(title: str, issuer_name: str, hours: Decimal | float | str | None) -> str:
    text = f"{title}, a course offered by {issuer_name}."
    if hours not in (None, ""):
        amount = Decimal(str(hours)).normalize()
        text += f" Workload: {amount:f} hour{'s' if amount != 1 else ''}."
    return text


def _narrative(title: str, requirements: Sequence[str]) -> str:
    """The criteria narrative (OB 3.0 allows Markdown there)."""
    if not requirements:
        return f"Complete the course {title}."
    items = "\n".join(f"- {sentence.rstrip('.')}" for sentence in requirements)
    return f"To earn this certificate, a learner of {title} must:\n\n{items}"


def _percent(grade: float) -> str:
    return f"{round(float(grade) * 100)}%"


def _datetime(value: datetime) -> str:
    """An XML Schema dateTime in UTC with whole seconds, as VCDM 2.0 ``validFrom`` expects."""
    if value.tzinfo is None:
        raise ValueError("datetimes in a credential must be timezone-aware")
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _numeric_date(text: str) -> int:
    """RFC 7519 NumericDate of an XML Schema dateTime."""
    return int(datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp())


# ------------------------------------------------------------------------------------------- JWT


def jwt_claims(credential: Mapping[str, Any]) -> dict[str, Any]:
    """The registered JWT claims OB 3.0 (8.2.4) derives from a credential: iss, jti, nbf, exp, sub."""
    issuer = credential.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, Mapping) else issuer
    if not isinstance(issuer_id, str) or not issuer_id:
        raise ValueError("the credential has no issuer id (the iss claim)")
    if not isinstance(credential.get("id"), str) or not credential["id"]:
        raise ValueError("the credential has no id (the jti claim)")
    if not isinstance(credential.get("validFrom"), str):
        raise ValueError("the credential has no validFrom (the nbf claim)")
    claims: dict[str, Any] = {"iss": issuer_id, "jti": credential["id"],
                              "nbf": _numeric_date(credential["validFrom"])}
    if isinstance(credential.get("validUntil"), str):
        claims["exp"] = _numeric_date(credential["validUntil"])
    subject = credential.get("credentialSubject")
    if isinstance(subject, Mapping) and isinstance(subject.get("id"), str):
        claims["sub"] = subject["id"]
    return claims


def sign_vc_jwt(credential: Mapping[str, Any], private_key_pem: str, *, kid: str) -> str:
    """The credential secured as a compact JWS (OB 3.0 8.2.5), signed with an Ed25519 (EdDSA) or
    P-256 (ES256) private key in PEM.

    ``kid`` is the URI of the public key (its own JWK document, listed under the same ``kid`` in
    the issuer's JWKS). Raises :class:`~cert_plugin.credentials.signing.SigningKeyError` for an
    unusable key.
    """
    if not kid:
        raise ValueError("kid must name the public key (a URI that dereferences to its JWK)")
    private_key = signing.jwt_private_key(private_key_pem)
    algorithm = "EdDSA" if isinstance(private_key, Ed25519PrivateKey) else "ES256"
    header = {"alg": algorithm, "kid": kid, "typ": "JWT"}
    payload = {**credential, **jwt_claims(credential)}
    signing_input = f"{_b64url(_json(header))}.{_b64url(_json(payload))}".encode("ascii")
    if isinstance(private_key, Ed25519PrivateKey):
        signature = private_key.sign(signing_input)
    else:  # JWS carries ECDSA signatures as the raw 32-byte r and s (RFC 7518 3.4), not DER
        r, s_value = decode_dss_signature(private_key.sign(signing_input, ec.ECDSA(hashes.SHA256())))
        signature = r.to_bytes(32, "big") + s_value.to_bytes(32, "big")
    return f"{signing_input.decode('ascii')}.{_b64url(signature)}"


def verify_vc_jwt(token: str, public_jwks: Mapping[str, Any], *, now: datetime | None = None,
                  check_dates: bool = True) -> dict[str, Any]:
    """Check a VC-JWT against a JWKS (``{"keys": [...]}``) and return the credential it carries.

    Follows OB 3.0 8.2.6: the signature must verify (EdDSA or ES256) with the key the header's
    ``kid`` names (the JWKS entry with the same ``kid``; for tokens made before keys had their own
    URLs, the one whose ``kid`` is the fragment), and ``iss``, ``jti``, ``nbf`` (and ``exp``,
    ``sub`` when present) must match the credential, which must be valid at ``now`` (unless
    ``check_dates`` is false: whoever holds the issuer's own record of the credential answers for
    its validity period instead). Raises :class:`CredentialError` saying what is wrong. Revocation
    is not checked here: that needs the status list (see :mod:`.statuslist`).
    """
    header, payload, signing_input, signature = _parse(token)
    if set(header) - _JOSE_HEADERS:
        raise CredentialError(f"JOSE header has parameters OB 3.0 does not allow: "
                              f"{', '.join(sorted(set(header) - _JOSE_HEADERS))}")
    if header.get("alg") not in JWT_ALGORITHMS:
        raise CredentialError(f"unsupported alg {header.get('alg')!r}; "
                              f"expected one of {', '.join(JWT_ALGORITHMS)}")
    if header.get("typ", "JWT") != "JWT":
        raise CredentialError(f"typ must be 'JWT', not {header.get('typ')!r}")
    key = _find_key(public_jwks, header.get("kid"), header["alg"])
    try:
        if isinstance(key, Ed25519PublicKey):
            key.verify(signature, signing_input)
        elif len(signature) != 64:
            raise InvalidSignature
        else:
            r, s = int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
            key.verify(encode_dss_signature(r, s), signing_input, ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        raise CredentialError("the signature does not verify with the published key") from None
    credential = {name: value for name, value in payload.items()
                  if name not in {"iss", "jti", "nbf", "exp", "sub", "iat"}}
    try:
        expected = jwt_claims(credential)
    except ValueError as exc:
        raise CredentialError(str(exc)) from None
    for claim in ("iss", "jti", "nbf", "exp", "sub"):
        if claim in expected and payload.get(claim) != expected[claim]:
            raise CredentialError(f"the {claim} claim does not match the credential")
    if not check_dates:
        return credential
    moment = (now or datetime.now(UTC)).timestamp()
    if expected["nbf"] > moment + _CLOCK_SKEW:
        raise CredentialError("the credential is not valid yet (nbf is in the future)")
    if "exp" in expected and expected["exp"] < moment - _CLOCK_SKEW:
        raise CredentialError("the credential has expired (exp has passed)")
    return credential


def _parse(token: str) -> tuple[dict[str, Any], dict[str, Any], bytes, bytes]:
    parts = token.split(".") if isinstance(token, str) else []
    if len(parts) != 3:
        raise CredentialError("not a compact JWS (expected three dot-separated parts)")
    try:
        header = json.loads(_b64decode(parts[0]))
        payload = json.loads(_b64decode(parts[1]))
        signature = _b64decode(parts[2])
    except (ValueError, binascii.Error) as exc:
        raise CredentialError(f"the token is not valid base64url JSON ({exc})") from None
    if not isinstance(header, dict) or not isinstance(payload, dict):
        raise CredentialError("the JOSE header and the payload must be JSON objects")
    return header, payload, f"{parts[0]}.{parts[1]}".encode("ascii"), signature


PublicKey = Ed25519PublicKey | ec.EllipticCurvePublicKey


def _find_key(jwks: Mapping[str, Any], kid: Any, algorithm: str) -> PublicKey:
    """The key the ``kid`` names: the JWK whose ``kid`` is the same string (or, for tokens issued
    before keys had their own URLs, whose thumbprint is the ``kid``'s fragment)."""
    if not isinstance(kid, str) or not kid:
        raise CredentialError("the JOSE header has no kid")
    wanted = {kid, kid.rpartition("#")[2]} if "#" in kid else {kid}
    for jwk in jwks.get("keys") or ():
        if isinstance(jwk, Mapping) and jwk.get("kid") in wanted:
            return _public_key(jwk, algorithm)
    raise CredentialError(f"no published key has kid {kid!r}")


def _public_key(jwk: Mapping[str, Any], algorithm: str) -> PublicKey:
    name = jwk.get("kid")
    if "d" in jwk:
        raise CredentialError(f"key {name!r} is a private key")
    try:
        if algorithm == "EdDSA" and jwk.get("kty") == "OKP" and jwk.get("crv") == "Ed25519":
            return Ed25519PublicKey.from_public_bytes(_b64decode(str(jwk.get("x", ""))))
        if algorithm == "ES256" and jwk.get("kty") == "EC" and jwk.get("crv") == "P-256":
            x, y = _b64decode(str(jwk.get("x", ""))), _b64decode(str(jwk.get("y", "")))
            numbers = ec.EllipticCurvePublicNumbers(int.from_bytes(x, "big"), int.from_bytes(y, "big"),
                                                    ec.SECP256R1())
            return numbers.public_key()
    except (ValueError, binascii.Error) as exc:
        raise CredentialError(f"key {name!r} is malformed ({exc})") from None
    raise CredentialError(f"key {name!r} is not a key for {algorithm}")


def _json(value: Mapping[str, Any]) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode("utf-8")


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64decode(text: str) -> bytes:
    if not text or any(c not in _B64URL_ALPHABET for c in text):
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


_B64URL_ALPHABET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
