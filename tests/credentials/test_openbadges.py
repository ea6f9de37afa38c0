"""Open Badges 3.0 credentials and their VC-JWT proof, checked the way a badge verifier would."""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import jwt
import pytest

from cert_plugin.credentials import openbadges
from cert_plugin.credentials.keys import generate_ed25519_pem
from cert_plugin.credentials.openbadges import (
    CredentialError,
    Issuer,
    build_credential,
    sign_vc_jwt,
    verify_vc_jwt,
)
from cert_plugin.credentials.signing import public_jwk, public_key_pem

PRIVATE = generate_ed25519_pem()
OTHER = generate_ed25519_pem()
JWK = public_jwk(public_key_pem(PRIVATE))
JWKS = {"keys": [JWK]}
KEYS_URL = "https://lms.example.org/certs/issuer/keys.json"
KID = f"{KEYS_URL}#{JWK['kid']}"
ISSUER = Issuer(id="https://lms.example.org/certs/issuer/", name="Northwind Institute",
                url="https://lms.example.org/")
STATUS_URL = "https://lms.example.org/certs/status/revocation.json"
ISSUED = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


def _credential(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "code": "7K3M9XQ2VD4HJ8TB", "learner_name": "Amelia Okafor", "email": "Amelia@Example.org",
        "course_key": "course-v1:Northwind+PY101+2026", "course_title": "Python for Data Analysis",
        "issuer": ISSUER, "issued_at": ISSUED, "expires_at": ISSUED + timedelta(days=365),
        "hours": Decimal("12.50"), "grade": 0.923,
        "requirements": ["Complete all lessons", "Reach a course grade of at least 70%"],
        "status_index": 123456, "status_list_url": STATUS_URL,
    }
    values.update(overrides)
    return build_credential(**values)


def _segment(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _decode_segment(text: str) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
    return result


# --------------------------------------------------------------------------- the credential


def test_the_credential_is_an_open_badge_for_a_course():
    credential = _credential()
    assert credential["@context"] == ["https://www.w3.org/ns/credentials/v2",
                                      "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"]
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert credential["id"].startswith("urn:uuid:")
    assert credential["issuer"] == {"id": ISSUER.id, "type": ["Profile"], "name": "Northwind Institute",
                                    "url": "https://lms.example.org/"}
    assert credential["validFrom"] == "2026-03-01T09:30:00Z"
    assert credential["validUntil"] == "2027-03-01T09:30:00Z"
    achievement = credential["credentialSubject"]["achievement"]
    assert credential["credentialSubject"]["type"] == ["AchievementSubject"]
    assert achievement["type"] == ["Achievement"]
    assert achievement["achievementType"] == "Course"
    assert achievement["name"] == credential["name"] == "Python for Data Analysis"
    assert "12.5 hours" in achievement["description"]
    assert "- Complete all lessons" in achievement["criteria"]["narrative"]
    assert "- Reach a course grade of at least 70%" in achievement["criteria"]["narrative"]
    assert credential["credentialSubject"]["result"] == [{"type": ["Result"], "value": "92%"}]


def test_revocation_status_points_at_the_status_list():
    assert _credential()["credentialStatus"] == {
        "id": f"{STATUS_URL}#123456", "type": "BitstringStatusListEntry", "statusPurpose": "revocation",
        "statusListIndex": "123456", "statusListCredential": STATUS_URL,
    }
    assert "credentialStatus" not in _credential(status_index=None, status_list_url=None)
    with pytest.raises(ValueError, match="together"):
        _credential(status_list_url=None)


def test_the_learner_is_identified_by_salted_hashes_only():
    credential = _credential()
    identifiers = credential["credentialSubject"]["identifier"]
    text = json.dumps(credential)
    assert "Amelia" not in text
    assert "example.org" not in text.replace("lms.example.org", "")
    by_type = {item["identityType"]: item for item in identifiers}
    email = by_type["emailAddress"]
    assert email["type"] == "IdentityObject"
    assert email["hashed"] is True
    # A verifier who knows the address checks it: sha256(address + salt), "sha256$" + hex.
    expected = hashlib.sha256(("amelia@example.org" + email["salt"]).encode()).hexdigest()
    assert email["identityHash"] == f"sha256${expected}"
    name = by_type["name"]
    expected = hashlib.sha256(("Amelia Okafor" + name["salt"]).encode()).hexdigest()
    assert name["identityHash"] == f"sha256${expected}"
    # Another credential salts differently, so hashes do not link a learner's credentials.
    other = _credential(code="AAAABBBBCCCCDDDD")["credentialSubject"]["identifier"][0]
    assert other["salt"] != email["salt"]
    assert other["identityHash"] != email["identityHash"]


def test_optional_parts_are_left_out_when_unknown():
    credential = _credential(expires_at=None, grade=None, hours=None, requirements=())
    assert "validUntil" not in credential
    assert "result" not in credential["credentialSubject"]
    assert credential["credentialSubject"]["achievement"]["criteria"]["narrative"] == (
        "Complete the course Python for Data Analysis.")


def test_ids_are_stable_and_distinct():
    assert _credential()["id"] == _credential(learner_name="Amelia O.")["id"]
    assert _credential()["id"] != _credential(code="AAAABBBBCCCCDDDD")["id"]
    achievement = _credential()["credentialSubject"]["achievement"]["id"]
    assert achievement == _credential(code="AAAABBBBCCCCDDDD")["credentialSubject"]["achievement"]["id"]


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="timezone"):
        _credential(issued_at=datetime(2026, 1, 1, tzinfo=UTC).replace(tzinfo=None))


# --------------------------------------------------------------------------- VC-JWT


def test_the_jwt_verifies_with_an_independent_library():
    token = sign_vc_jwt(_credential(), PRIVATE, kid=KID)
    header = jwt.get_unverified_header(token)
    assert header == {"alg": "EdDSA", "kid": KID, "typ": "JWT"}  # OB 3.0 8.2.3: nothing else
    key = jwt.PyJWK(JWK)
    claims = jwt.decode(token, key=key, algorithms=["EdDSA"])
    assert claims["iss"] == ISSUER.id
    assert claims["jti"] == _credential()["id"]
    assert claims["nbf"] == int(ISSUED.timestamp())
    assert claims["exp"] == int((ISSUED + timedelta(days=365)).timestamp())
    assert "vc" not in claims
    assert "sub" not in claims
    assert claims["credentialSubject"] == _credential()["credentialSubject"]


def test_our_verifier_returns_the_credential():
    credential = _credential()
    token = sign_vc_jwt(credential, PRIVATE, kid=KID)
    assert verify_vc_jwt(token, JWKS, now=ISSUED + timedelta(days=1)) == credential
    assert sign_vc_jwt(credential, PRIVATE, kid=KID) == token  # deterministic


def test_a_tampered_payload_fails_both_verifiers():
    token = sign_vc_jwt(_credential(), PRIVATE, kid=KID)
    head, payload, signature = token.split(".")
    claims = _decode_segment(payload)
    claims["credentialSubject"]["result"][0]["value"] = "100%"
    forged = f"{head}.{_segment(claims)}.{signature}"
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(forged, key=jwt.PyJWK(JWK), algorithms=["EdDSA"])
    with pytest.raises(CredentialError, match="signature"):
        verify_vc_jwt(forged, JWKS, now=ISSUED)


def test_a_token_from_another_key_is_refused():
    token = sign_vc_jwt(_credential(), OTHER, kid=KID)
    with pytest.raises(CredentialError, match="signature"):
        verify_vc_jwt(token, JWKS, now=ISSUED)
    with pytest.raises(CredentialError, match="no published key"):
        verify_vc_jwt(sign_vc_jwt(_credential(), PRIVATE, kid=f"{KEYS_URL}#unknown"), JWKS, now=ISSUED)


def test_claims_must_match_the_credential():
    token = sign_vc_jwt(_credential(), PRIVATE, kid=KID)
    head, payload, _ = token.split(".")
    claims = _decode_segment(payload)
    claims["iss"] = "https://evil.example/"
    from cert_plugin.credentials.signing import load_private_key

    signing_input = f"{head}.{_segment(claims)}"
    signature = base64.urlsafe_b64encode(load_private_key(PRIVATE).sign(signing_input.encode())).rstrip(b"=")
    with pytest.raises(CredentialError, match="iss"):
        verify_vc_jwt(f"{signing_input}.{signature.decode()}", JWKS, now=ISSUED)


def test_expired_and_future_credentials_are_refused():
    token = sign_vc_jwt(_credential(), PRIVATE, kid=KID)
    with pytest.raises(CredentialError, match="expired"):
        verify_vc_jwt(token, JWKS, now=ISSUED + timedelta(days=400))
    with pytest.raises(CredentialError, match="not valid yet"):
        verify_vc_jwt(token, JWKS, now=ISSUED - timedelta(days=1))


def test_without_the_date_check_an_expired_credential_verifies_but_a_forged_one_does_not():
    token = sign_vc_jwt(_credential(), PRIVATE, kid=KID)
    later = ISSUED + timedelta(days=400)
    assert verify_vc_jwt(token, JWKS, now=later, check_dates=False)["validFrom"] == "2026-03-01T09:30:00Z"
    with pytest.raises(CredentialError, match="does not verify"):
        verify_vc_jwt(sign_vc_jwt(_credential(), OTHER, kid=KID), JWKS, check_dates=False)


@pytest.mark.parametrize("token", ["", "abc", "a.b", "a.b.c", "e30.e30.!!!"])
def test_garbage_is_a_credential_error(token):
    with pytest.raises(CredentialError):
        verify_vc_jwt(token, JWKS)


def test_other_algorithms_and_headers_are_refused():
    payload = _segment({**_credential(), **openbadges.jwt_claims(_credential())})
    for header in ({"alg": "none", "kid": KID}, {"alg": "EdDSA", "kid": KID, "x5u": "https://x"}):
        with pytest.raises(CredentialError):
            verify_vc_jwt(f"{_segment(header)}.{payload}.", JWKS, now=ISSUED)


def test_a_subject_id_becomes_the_sub_claim():
    credential = _credential()
    credential["credentialSubject"]["id"] = "did:example:amelia"
    token = sign_vc_jwt(credential, PRIVATE, kid=KID)
    assert jwt.decode(token, key=jwt.PyJWK(JWK), algorithms=["EdDSA"])["sub"] == "did:example:amelia"
    assert verify_vc_jwt(token, JWKS, now=ISSUED)["credentialSubject"]["id"] == "did:example:amelia"
