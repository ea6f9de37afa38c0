"""Ed25519 signatures over a certificate snapshot: what a third-party verifier relies on."""

from __future__ import annotations

import base64
import hashlib
import json
from decimal import Decimal
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from hypothesis import given
from hypothesis import strategies as st
from jwt.algorithms import OKPAlgorithm

from cert_plugin.credentials import signing
from cert_plugin.credentials.keys import generate_ed25519_pem
from cert_plugin.credentials.signing import (
    ALGORITHM,
    Signature,
    SigningKeyError,
    canonical_json,
    key_id,
    load_private_key,
    public_jwk,
    public_key_pem,
    sign,
    verify,
)

PRIVATE = generate_ed25519_pem()
PUBLIC = public_key_pem(PRIVATE)
OTHER_PRIVATE = generate_ed25519_pem()
OTHER_PUBLIC = public_key_pem(OTHER_PRIVATE)

SNAPSHOT: dict[str, Any] = {
    "code": "7K3M9XQ2VD4HJ8TB",
    "learner_name": "Amelia Okafor",
    "course_key": "course-v1:Northwind+PY101+2026",
    "course_title": "Python for Data Analysis",
    "hours": "12.5",
    "grade": "0.87",
    "issued_at": "2026-03-01T10:15:00Z",
    "expires_at": None,
    "template_digest": "sha256:" + "ab" * 32,
    "issuer": "Northwind Academy",
    "revision": 1,
}


def _b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _tampered(value: Any) -> Any:
    if value is None:
        return "2027-03-01T10:15:00Z"
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1
    return value[:-1] + ("X" if value[-1] != "X" else "Y")


def _other_key_pem(kind: str) -> str:
    key: Any = rsa.generate_private_key(public_exponent=65537, key_size=1024) if kind == "rsa" \
        else ec.generate_private_key(ec.SECP256R1())
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


# ------------------------------------------------------------------------------------ canonical JSON


def test_canonical_json_is_compact_sorted_utf8():
    assert canonical_json({"b": 1, "a": [True, None, "x"], "c": {"z": False, "y": -3}}) == (
        b'{"a":[true,null,"x"],"b":1,"c":{"y":-3,"z":false}}'
    )


def test_canonical_json_ignores_key_order():
    assert canonical_json({"a": 1, "b": {"c": 2, "d": 3}}) == canonical_json({"b": {"d": 3, "c": 2}, "a": 1})


@pytest.mark.parametrize("name", ["مريم الحسيني", "李小龙", "Zoë Ångström", "שרה לוי", "😀 Emoji"])
def test_canonical_json_keeps_names_as_utf8(name):
    data = canonical_json({"learner_name": name})
    assert data == ('{"learner_name":"' + name + '"}').encode("utf-8")
    assert b"\\u" not in data


def test_canonical_json_escapes_only_what_jcs_escapes():
    text = "quote\" backslash\\ tab\t newline\n bell\x07 del\x7f sep\u2028"
    assert canonical_json({"t": text}) == (
        b'{"t":"quote\\" backslash\\\\ tab\\t newline\\n bell\\u0007 del\x7f sep\xe2\x80\xa8"}'
    )


def test_canonical_json_sorts_keys_by_utf16_code_units():
    # RFC 8785 section 3.2.3: U+1F600 (a surrogate pair in UTF-16) sorts before U+FB33.
    keys = ["\u20ac", "\r", "\ufb33", "1", "\U0001f600", "\u0080", "\u00f6"]
    data = canonical_json(dict.fromkeys(keys, 0))
    order = list(json.loads(data))
    assert order == ["\r", "1", "\u0080", "\u00f6", "\u20ac", "\U0001f600", "\ufb33"]


@pytest.mark.parametrize("value", [1.5, 0.0, Decimal("12.5"), float("nan"), b"bytes", {1, 2}, object()])
def test_canonical_json_refuses_numbers_with_fractions_and_other_types(value):
    with pytest.raises(TypeError, match="not allowed"):
        canonical_json({"nested": {"hours": value}})


def test_canonical_json_refuses_non_string_keys_and_unsafe_integers():
    with pytest.raises(TypeError, match="not a string"):
        canonical_json({1: "one"})  # type: ignore[dict-item]
    with pytest.raises(ValueError, match="too large"):
        canonical_json({"n": 2**53})
    assert canonical_json({"n": 2**53 - 1}) == b'{"n":9007199254740991}'


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53) + 1, 2**53 - 1) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(), children, max_size=4),
    max_leaves=20,
)


@given(st.dictionaries(st.text(), json_values, min_size=1, max_size=8), st.randoms(use_true_random=False))
def test_canonical_json_any_permutation_gives_identical_bytes(payload, rnd):
    items = list(payload.items())
    rnd.shuffle(items)
    assert canonical_json(dict(items)) == canonical_json(payload)
    assert json.loads(canonical_json(payload)) == payload  # and it is the same JSON value


# ---------------------------------------------------------------------------------- sign and verify


def test_sign_verify_round_trip():
    signature = sign(SNAPSHOT, PRIVATE)
    assert isinstance(signature, Signature)
    assert signature.key_id == key_id(PUBLIC)
    assert len(_b64url_decode(signature.value)) == 64
    assert "=" not in signature.value
    assert verify(SNAPSHOT, signature.value, PUBLIC) is True
    assert verify(dict(reversed(list(SNAPSHOT.items()))), signature.value, PUBLIC) is True
    assert ALGORITHM == "Ed25519"


@pytest.mark.parametrize("field", sorted(SNAPSHOT))
def test_tampering_with_any_field_breaks_the_signature(field):
    signature = sign(SNAPSHOT, PRIVATE)
    assert verify({**SNAPSHOT, field: _tampered(SNAPSHOT[field])}, signature.value, PUBLIC) is False


def test_adding_or_removing_a_field_breaks_the_signature():
    signature = sign(SNAPSHOT, PRIVATE)
    assert verify({**SNAPSHOT, "honors": True}, signature.value, PUBLIC) is False
    assert verify({k: v for k, v in SNAPSHOT.items() if k != "expires_at"}, signature.value, PUBLIC) is False


@pytest.mark.parametrize("index", [0, 31, 63])
def test_flipping_a_byte_of_the_signature_breaks_it(index):
    raw = bytearray(_b64url_decode(sign(SNAPSHOT, PRIVATE).value))
    raw[index] ^= 0x01
    flipped = base64.urlsafe_b64encode(bytes(raw)).rstrip(b"=").decode()
    assert verify(SNAPSHOT, flipped, PUBLIC) is False


def test_a_signature_has_one_spelling():
    value = sign(SNAPSHOT, PRIVATE).value
    # The last character carries 2 significant bits: another letter with the same bits decodes to
    # the same bytes, but is not the signature that was issued.
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    twin = value[:-1] + alphabet[alphabet.index(value[-1]) ^ 1]
    assert _b64url_decode(twin) == _b64url_decode(value)
    assert verify(SNAPSHOT, twin, PUBLIC) is False


def test_another_key_does_not_verify():
    signature = sign(SNAPSHOT, PRIVATE)
    assert verify(SNAPSHOT, signature.value, OTHER_PUBLIC) is False
    assert sign(SNAPSHOT, OTHER_PRIVATE).key_id != signature.key_id


@pytest.mark.parametrize(
    "garbage", ["", "!!!", "a" * 86, "A" * 85, "A" * 87, "A" * 86 + "==", " " + "A" * 86, None, 42, b"x" * 64]
)
def test_garbage_signature_is_false_never_an_exception(garbage):
    assert verify(SNAPSHOT, garbage, PUBLIC) is False


@pytest.mark.parametrize(
    "bad_key", ["", "garbage", PRIVATE, "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----", None]
)
def test_unusable_public_key_is_false_never_an_exception(bad_key):
    assert verify(SNAPSHOT, sign(SNAPSHOT, PRIVATE).value, bad_key) is False


def test_non_ed25519_public_key_is_false():
    rsa_public = load_pem(_other_key_pem("rsa")).public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()
    assert verify(SNAPSHOT, sign(SNAPSHOT, PRIVATE).value, rsa_public) is False


def load_pem(pem: str) -> Any:
    return serialization.load_pem_private_key(pem.encode(), password=None)


def test_rotation_old_signatures_still_verify_with_the_old_public_key():
    old_private = generate_ed25519_pem()
    old_public = public_key_pem(old_private)
    signature = sign(SNAPSHOT, old_private)
    new_private = generate_ed25519_pem()
    new_public = public_key_pem(new_private)
    assert verify(SNAPSHOT, signature.value, old_public) is True
    assert verify(SNAPSHOT, signature.value, new_public) is False
    assert signature.key_id == key_id(old_public) != key_id(new_public)
    assert verify(SNAPSHOT, sign(SNAPSHOT, new_private).value, new_public) is True


# ---------------------------------------------------------------------------------- key ids and JWK


def test_key_id_is_the_rfc7638_thumbprint():
    raw = serialization.load_pem_public_key(PUBLIC.encode()).public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    x = base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
    # RFC 7638 section 3: the required members in lexicographic order, no whitespace.
    members = '{"crv":"Ed25519","kty":"OKP","x":"' + x + '"}'
    expected = base64.urlsafe_b64encode(hashlib.sha256(members.encode()).digest()).rstrip(b"=").decode()
    assert key_id(PUBLIC) == expected
    assert key_id(PUBLIC) != key_id(OTHER_PUBLIC)


def test_public_jwk_verifies_independently_with_cryptography_and_pyjwt():
    jwk = public_jwk(PUBLIC)
    assert jwk == {
        "kty": "OKP", "crv": "Ed25519", "x": jwk["x"], "kid": key_id(PUBLIC), "alg": "EdDSA", "use": "sig",
    }
    assert "d" not in jwk
    signature = _b64url_decode(sign(SNAPSHOT, PRIVATE).value)
    message = canonical_json(SNAPSHOT)

    Ed25519PublicKey.from_public_bytes(_b64url_decode(jwk["x"])).verify(signature, message)  # raises if bad

    algorithm = OKPAlgorithm()
    key = OKPAlgorithm.from_jwk(json.dumps(jwk))
    assert algorithm.verify(message, key, signature) is True
    assert algorithm.verify(message + b" ", key, signature) is False


def test_public_key_pem_is_subject_public_key_info():
    assert PUBLIC.startswith("-----BEGIN PUBLIC KEY-----")
    assert isinstance(serialization.load_pem_public_key(PUBLIC.encode()), Ed25519PublicKey)


# ------------------------------------------------------------------------------------ malformed keys


@pytest.mark.parametrize(
    ("pem", "message"),
    [
        ("", "empty"),
        ("   \n", "empty"),
        ("garbage", "not a readable PEM"),
        ("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", "not a readable PEM"),
        (PUBLIC, "not a readable PEM"),
        ("ключ", "not a readable PEM"),
    ],
)
def test_malformed_signing_key_names_the_problem(pem, message):
    with pytest.raises(SigningKeyError, match=message):
        load_private_key(pem)
    with pytest.raises(SigningKeyError):
        sign(SNAPSHOT, pem)


@pytest.mark.parametrize(
    ("kind", "label"), [("rsa", "an RSA key"), ("ec", r"an elliptic-curve \(ECDSA\) key")]
)
def test_other_key_types_are_refused(kind, label):
    with pytest.raises(SigningKeyError, match=f"is {label}; an Ed25519 key is required"):
        load_private_key(_other_key_pem(kind))


def test_encrypted_key_is_refused():
    encrypted = load_private_key(PRIVATE).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"secret"),
    ).decode()
    with pytest.raises(SigningKeyError, match="encrypted"):
        load_private_key(encrypted)


def test_signing_key_error_is_a_value_error():
    assert issubclass(SigningKeyError, ValueError)


def test_loaded_keys_are_cached():
    pem = generate_ed25519_pem()
    before = signing.load_private_key.cache_info()
    sign(SNAPSHOT, pem)
    sign(SNAPSHOT, pem)
    after = signing.load_private_key.cache_info()
    assert after.misses - before.misses == 1
    assert after.hits > before.hits
