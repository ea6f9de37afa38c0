"""Ed25519 signatures over a canonical JSON snapshot of a certificate.

A verifier recomputes :func:`canonical_json` of the published snapshot and checks the signature
with the issuer's public key (published as a JWK, see :func:`public_jwk`); nothing on the web page
has to be trusted. The canonical form is RFC 8785 (JCS) for the values a snapshot holds: strings,
integers, booleans, ``None``, and objects/arrays of those. Numbers that are not integers (grades,
hours) travel as strings, because JCS serialises floats through IEEE-754 doubles and a ``Decimal``
would silently lose digits: :func:`canonical_json` refuses them instead of guessing.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

__all__ = [
    "ALGORITHM",
    "Signature",
    "SigningKeyError",
    "canonical_json",
    "key_id",
    "load_p256_private_key",
    "load_private_key",
    "load_public_key",
    "public_jwk",
    "public_key_pem",
    "sign",
    "verify",
    "verify_text",
]

ALGORITHM = "Ed25519"

# Integers JCS can carry exactly: it serialises every number as an IEEE-754 double (RFC 8785 §3.2.2.3).
_MAX_SAFE_INTEGER = 2**53 - 1
# An Ed25519 signature is 64 bytes: 86 base64url characters without padding.
_SIGNATURE_RE = re.compile(r"[A-Za-z0-9_-]{86}")


class SigningKeyError(ValueError):
    """A signing or verification key is missing, malformed or not an Ed25519 key."""


# ----------------------------------------------------------------------------------- canonical JSON


def canonical_json(payload: Mapping[str, Any]) -> bytes:
    """The RFC 8785 (JCS) serialisation of ``payload``, as UTF-8 bytes.

    Keys are sorted (by UTF-16 code units, as JCS requires), there is no insignificant whitespace
    and non-ASCII text is kept as UTF-8. Only ``str``, ``int``, ``bool``, ``None``, mappings with
    string keys and lists/tuples are accepted: floats and ``Decimal`` raise ``TypeError`` (pass them
    as strings), and integers beyond ±(2**53 - 1), which JCS cannot carry exactly, raise
    ``ValueError``.
    """
    if not isinstance(payload, Mapping):
        raise TypeError(f"canonical_json() takes a mapping, not {type(payload).__name__}")
    parts: list[str] = []
    _serialise(payload, parts, "$")
    try:
        return "".join(parts).encode("utf-8")
    except UnicodeEncodeError as exc:  # a lone surrogate: not a Unicode string JSON can carry
        raise ValueError(f"canonical_json(): text that is not valid Unicode ({exc.reason})") from exc


def _serialise(value: Any, out: list[str], where: str) -> None:
    # bool before int: bool is a subclass of int.
    if value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, str):
        out.append(_string(value))
    elif isinstance(value, int):
        if abs(value) > _MAX_SAFE_INTEGER:
            raise ValueError(
                f"canonical_json(): integer at {where} is too large for JSON numbers; pass it as a string"
            )
        out.append(str(int(value)))
    elif isinstance(value, Mapping):
        out.append("{")
        keys = list(value)
        for key in keys:
            if not isinstance(key, str):
                raise TypeError(f"canonical_json(): key {key!r} at {where} is not a string")
        for i, key in enumerate(sorted(keys, key=_utf16_order)):
            if i:
                out.append(",")
            out.append(_string(key))
            out.append(":")
            _serialise(value[key], out, f"{where}.{key}")
        out.append("}")
    elif isinstance(value, list | tuple):
        out.append("[")
        for i, item in enumerate(value):
            if i:
                out.append(",")
            _serialise(item, out, f"{where}[{i}]")
        out.append("]")
    else:
        raise TypeError(
            f"canonical_json(): {type(value).__name__} at {where} is not allowed "
            "(only str, int, bool, None, objects and arrays; pass numbers with a fraction as strings)"
        )


def _string(text: str) -> str:
    # json.dumps escapes exactly what JCS escapes (", \, and U+0000..U+001F, with the short forms
    # \b \t \n \f \r and lower-case \u00xx otherwise) and, with ensure_ascii=False, nothing else.
    return json.dumps(text, ensure_ascii=False)


def _utf16_order(key: str) -> bytes:
    # RFC 8785 §3.2.3: properties are sorted by their UTF-16 code units, which differs from
    # code point order for characters above U+FFFF versus U+E000..U+FFFF.
    return key.encode("utf-16-be", "surrogatepass")


# ---------------------------------------------------------------------------------------------- keys


@functools.lru_cache(maxsize=16)
def load_private_key(pem: str) -> Ed25519PrivateKey:
    """Parse an unencrypted Ed25519 private key in PEM (PKCS#8); cached per PEM string.

    Raises :class:`SigningKeyError` naming the problem when the text is empty, not a PEM private
    key, encrypted, or a key of another type.
    """
    if not isinstance(pem, str) or not pem.strip():
        raise SigningKeyError("the signing key is empty: expected an Ed25519 private key in PEM")
    try:
        key = serialization.load_pem_private_key(pem.strip().encode("ascii"), password=None)
    except TypeError as exc:  # the key is encrypted
        raise SigningKeyError("the signing key is encrypted: give an unencrypted PKCS#8 PEM") from exc
    except (ValueError, UnicodeEncodeError, UnsupportedAlgorithm) as exc:
        raise SigningKeyError(f"the signing key is not a readable PEM private key ({exc})") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise SigningKeyError(
            f"the signing key is {_key_kind(key)}; an Ed25519 key is required "
            "(generate one with cert_plugin.credentials.keys.generate_ed25519_pem())"
        )
    return key


@functools.lru_cache(maxsize=16)
def load_p256_private_key(pem: str) -> ec.EllipticCurvePrivateKey:
    """Parse an unencrypted ECDSA P-256 private key in PEM (the ``P256_SIGNING_KEY`` setting, for
    ES256 VC-JWTs); :class:`SigningKeyError` names the problem."""
    if not isinstance(pem, str) or not pem.strip():
        raise SigningKeyError("the P-256 key is empty: expected an ECDSA P-256 private key in PEM")
    try:
        key = serialization.load_pem_private_key(pem.strip().encode("ascii"), password=None)
    except TypeError as exc:
        raise SigningKeyError("the P-256 key is encrypted: give an unencrypted PKCS#8 PEM") from exc
    except (ValueError, UnicodeEncodeError, UnsupportedAlgorithm) as exc:
        raise SigningKeyError(f"the P-256 key is not a readable PEM private key ({exc})") from exc
    if not isinstance(key, ec.EllipticCurvePrivateKey) or not isinstance(key.curve, ec.SECP256R1):
        raise SigningKeyError(f"the key is {_key_kind(key)}; an ECDSA key on the P-256 curve is required "
                              "(generate one with cert_plugin.credentials.keys.generate_p256_pem())")
    return key


def jwt_private_key(pem: str) -> Ed25519PrivateKey | ec.EllipticCurvePrivateKey:
    """An Ed25519 (EdDSA) or P-256 (ES256) private key in PEM, the two kinds VC-JWTs are signed with."""
    try:
        return load_private_key(pem)
    except SigningKeyError:
        return load_p256_private_key(pem)


@functools.lru_cache(maxsize=64)
def _load_jwk_key(pem: str) -> Ed25519PublicKey | ec.EllipticCurvePublicKey:
    """A published public key: Ed25519, or ECDSA P-256."""
    try:
        key = serialization.load_pem_public_key(pem.strip().encode("ascii"))
    except (ValueError, UnicodeEncodeError, UnsupportedAlgorithm, AttributeError) as exc:
        raise SigningKeyError(f"the public key is not a readable PEM public key ({exc})") from exc
    if isinstance(key, Ed25519PublicKey):
        return key
    if isinstance(key, ec.EllipticCurvePublicKey) and isinstance(key.curve, ec.SECP256R1):
        return key
    raise SigningKeyError(f"the public key is {_key_kind(key)}; Ed25519 or P-256 is required")


@functools.lru_cache(maxsize=64)
def load_public_key(pem: str) -> Ed25519PublicKey:
    """Parse an Ed25519 public key in PEM (SubjectPublicKeyInfo); cached. :class:`SigningKeyError`
    names the problem."""
    if not isinstance(pem, str) or not pem.strip():
        raise SigningKeyError("the public key is empty: expected an Ed25519 public key in PEM")
    try:
        key = serialization.load_pem_public_key(pem.strip().encode("ascii"))
    except (ValueError, UnicodeEncodeError, UnsupportedAlgorithm) as exc:
        raise SigningKeyError(f"the public key is not a readable PEM public key ({exc})") from exc
    if not isinstance(key, Ed25519PublicKey):
        raise SigningKeyError(f"the public key is {_key_kind(key)}; an Ed25519 key is required")
    return key


def _key_kind(key: object) -> str:
    """A reader's name for the type of a key that is not Ed25519 ("an RSA key")."""
    kinds: list[tuple[tuple[type, ...], str]] = [
        ((rsa.RSAPrivateKey, rsa.RSAPublicKey), "an RSA key"),
        ((ec.EllipticCurvePrivateKey, ec.EllipticCurvePublicKey), "an elliptic-curve (ECDSA) key"),
        ((dsa.DSAPrivateKey, dsa.DSAPublicKey), "a DSA key"),
        ((ed448.Ed448PrivateKey, ed448.Ed448PublicKey), "an Ed448 key"),
    ]
    for types, label in kinds:
        if isinstance(key, types):
            return label
    return f"a {type(key).__name__}"


def public_key_pem(private_key_pem: str) -> str:
    """The SubjectPublicKeyInfo PEM of the public half of an Ed25519 (or P-256) private key."""
    return _public_key_pem(private_key_pem)


@functools.lru_cache(maxsize=16)
def _public_key_pem(private_key_pem: str) -> str:
    public = jwt_private_key(private_key_pem).public_key()
    return public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode("ascii")


def _raw_public_key(public_key_pem: str) -> bytes:
    public_key = load_public_key(public_key_pem)
    return public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id(public_key_pem: str) -> str:
    """The RFC 7638 JWK thumbprint (SHA-256, base64url without padding) of a public key.

    The thumbprint covers the required members only (``crv``, ``kty``, ``x`` for an Ed25519 OKP
    key, RFC 8037 §2; ``crv``, ``kty``, ``x``, ``y`` for a P-256 EC key, RFC 7638 §3.2), so it is
    the same id any JOSE library computes for the key.
    """
    return _key_id(public_key_pem)


@functools.lru_cache(maxsize=64)
def _key_id(public_key_pem: str) -> str:
    return _b64url(hashlib.sha256(canonical_json(_required_members(public_key_pem))).digest())


def _required_members(public_key_pem: str) -> dict[str, str]:
    key = _load_jwk_key(public_key_pem)
    if isinstance(key, Ed25519PublicKey):
        return {"crv": "Ed25519", "kty": "OKP", "x": _b64url(_raw_public_key(public_key_pem))}
    numbers = key.public_numbers()
    return {"crv": "P-256", "kty": "EC", "x": _b64url(numbers.x.to_bytes(32, "big")),
            "y": _b64url(numbers.y.to_bytes(32, "big"))}


def jwt_algorithm(public_key_pem: str) -> str:
    """The JOSE ``alg`` a key signs VC-JWTs with: ``EdDSA`` (Ed25519) or ``ES256`` (P-256)."""
    return "EdDSA" if isinstance(_load_jwk_key(public_key_pem), Ed25519PublicKey) else "ES256"


def public_jwk(public_key_pem: str, *, kid: str | None = None) -> dict[str, str]:
    """The public key as a JWK (RFC 8037 OKP or RFC 7518 EC), ``kid`` its RFC 7638 thumbprint unless
    another ``kid`` is given (the issuer publishes the URL of the key's own document)."""
    return {**_required_members(public_key_pem), "kid": kid or key_id(public_key_pem),
            "alg": jwt_algorithm(public_key_pem), "use": "sig"}


# ----------------------------------------------------------------------------------------- signing


@dataclass(frozen=True)
class Signature:
    """A detached signature: which key made it, and the signature itself."""

    key_id: str  # RFC 7638 thumbprint of the signing key's public half (see key_id())
    value: str  # base64url, without padding, of the 64-byte Ed25519 signature


def sign(payload: Mapping[str, Any], private_key_pem: str) -> Signature:
    """Sign :func:`canonical_json` of ``payload`` with an Ed25519 private key (PEM)."""
    private_key = load_private_key(private_key_pem)
    value = private_key.sign(canonical_json(payload))
    return Signature(key_id=key_id(_public_key_pem(private_key_pem)), value=_b64url(value))


def verify(payload: Mapping[str, Any], signature_value: str, public_key_pem: str) -> bool:
    """Whether ``signature_value`` is a valid signature of ``payload`` under the given public key.

    Returns ``False``, never raises, for a garbled signature or an unusable key. A payload that
    cannot be serialised (a float, say) is a programming error and raises like in :func:`sign`.
    """
    return verify_text(canonical_json(payload), signature_value, public_key_pem)


def verify_text(data: bytes, signature_value: str, public_key_pem: str) -> bool:
    """:func:`verify` of text already in canonical form (the bytes :func:`canonical_json` returned):
    for a caller that also publishes that text, which then serialises the payload once."""
    if not isinstance(signature_value, str) or not _SIGNATURE_RE.fullmatch(signature_value):
        return False
    try:
        public_key = load_public_key(public_key_pem)
        raw = base64.urlsafe_b64decode(signature_value + "==")
    except (SigningKeyError, TypeError, binascii.Error):
        return False
    if _b64url(raw) != signature_value:  # non-zero padding bits: one signature, one spelling
        return False
    try:
        public_key.verify(raw, data)
    except InvalidSignature:
        return False
    return True


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")
