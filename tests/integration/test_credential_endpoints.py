"""Open Badges 3.0 credentials over HTTP, checked the way an outside verifier would.

Certificates are issued through the real signals. Signatures are checked with PyJWT and the key
fetched from the ``issuer-keys`` endpoint, and the status list is decoded by hand (base64url +
gunzip), so none of the plugin's own verification code is trusted here.
"""

from __future__ import annotations

import base64
import gzip
import json

import jwt
import pytest
from django.test import Client
from django.urls import reverse

from cert_plugin import api
from cert_plugin.credentials import keys

VC_JWT = "application/vc+jwt"


@pytest.fixture
def signed(settings):
    """A fresh signing key for the test (the demo host's own key is not reused)."""
    settings.CERT_PLUGIN = {**settings.CERT_PLUGIN, "SIGNING_KEY": keys.generate_ed25519_pem(),
                            "BASE_URL": "https://lms.example.org"}
    return settings


def _issued(lms, *, validity_days=None, name="Amelia Okafor"):
    course = lms.course()
    api.configure_course(course.course_key, min_grade=0.7, validity_days=validity_days)
    learner = lms.learner(course, name=name)
    lms.pass_all_quizzes(learner, course, score=0.9)
    lms.complete_all(learner, course)
    [certificate] = api.certificates_for(learner)
    return course, learner, certificate


def _client(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _credential_url(certificate, **query) -> str:
    url = reverse("cert_plugin:credential", args=[certificate.formatted_code])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def _jwks() -> dict:
    response = Client().get(reverse("cert_plugin:issuer-keys"))
    assert response.status_code == 200
    assert response["Cache-Control"] == "public, max-age=3600"
    return response.json()


def _verify_independently(token: str) -> dict:
    """PyJWT with the JWK the header's kid dereferences to, which the JWKS lists under that same kid."""
    header = jwt.get_unverified_header(token)
    assert header["alg"] in ("EdDSA", "ES256")
    kid = header["kid"]
    assert kid.startswith("https://lms.example.org/certs/issuer/keys/")
    dereferenced = Client().get(kid.removeprefix("https://lms.example.org"))
    assert dereferenced.status_code == 200
    jwk = dereferenced.json()
    assert jwk["kid"] == kid
    assert [key for key in _jwks()["keys"] if key["kid"] == kid] == [jwk]
    assert "d" not in jwk
    claims: dict = jwt.decode(token, key=jwt.PyJWK(jwk), algorithms=[header["alg"]])
    return claims


def _revoked_bits() -> tuple[set[int], int]:
    """The set bits of the published list, decoded by hand from the JSON form (and its size)."""
    response = Client().get(reverse("cert_plugin:status-list"), {"format": "json"})
    assert response.status_code == 200
    encoded = response.json()["credentialSubject"]["encodedList"]
    assert encoded.startswith("u")  # Multibase base64url
    raw = gzip.decompress(base64.urlsafe_b64decode(encoded[1:] + "=" * (-len(encoded[1:]) % 4)))
    ones = {i * 8 + bit for i, byte in enumerate(raw) if byte for bit in range(8) if byte & (0x80 >> bit)}
    return ones, len(raw) * 8


# --------------------------------------------------------------------------- the credential


def test_the_owner_downloads_an_open_badge_for_the_course(lms, signed):
    _, learner, certificate = _issued(lms, validity_days=365)
    response = _client(learner).get(_credential_url(certificate))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/ld+json"
    credential = response.json()
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    achievement = credential["credentialSubject"]["achievement"]
    assert achievement["achievementType"] == "Course"
    assert achievement["name"] == certificate.course_title
    narrative = achievement["criteria"]["narrative"]
    assert "Complete all lessons" in narrative
    assert "at least 70%" in narrative
    assert credential["credentialSubject"]["result"] == [{"type": ["Result"], "value": "90%"}]
    assert credential["validFrom"] == certificate.issued_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert credential["validUntil"] == certificate.expires_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert credential["issuer"]["id"] == "https://lms.example.org" + reverse("cert_plugin:issuer")
    status = credential["credentialStatus"]
    assert status["type"] == "BitstringStatusListEntry"
    assert status["statusPurpose"] == "revocation"
    assert status["statusListIndex"] == str(certificate.status_index)
    assert status["statusListCredential"] == "https://lms.example.org" + reverse("cert_plugin:status-list")


def test_the_jwt_verifies_with_the_published_key_and_tampering_breaks_it(lms, signed):
    _, learner, certificate = _issued(lms)
    response = _client(learner).get(_credential_url(certificate, format="jwt"))
    assert response.status_code == 200
    assert response["Content-Type"] == VC_JWT
    token = response.content.decode()
    claims = _verify_independently(token)
    assert claims["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert claims["iss"] == claims["issuer"]["id"]
    assert claims["jti"] == claims["id"]
    assert claims["nbf"] == int(certificate.issued_at.timestamp())

    head, payload, signature = token.split(".")
    body = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    body["credentialSubject"]["result"][0]["value"] = "100%"
    forged = base64.urlsafe_b64encode(json.dumps(body).encode()).rstrip(b"=").decode()
    with pytest.raises(jwt.InvalidSignatureError):
        _verify_independently(f"{head}.{forged}.{signature}")


def test_an_accept_header_asks_for_the_jwt_too(lms, signed):
    _, learner, certificate = _issued(lms)
    response = _client(learner).get(_credential_url(certificate), HTTP_ACCEPT=VC_JWT)
    assert response["Content-Type"] == VC_JWT
    assert response.content.decode() == api.credential_jwt(certificate)


def test_who_may_fetch_a_credential(lms, signed):
    course, learner, certificate = _issued(lms)
    other = lms.learner(course, name="Someone Else")
    staff = lms.staff(course)
    unknown = reverse("cert_plugin:credential", args=["ZZZZ-ZZZZ-ZZZZ-ZZZZ"])
    missing = Client().get(unknown)
    assert missing.status_code == 404
    for client in (Client(), _client(other)):
        response = client.get(_credential_url(certificate))
        assert response.status_code == 404
        assert response.content == missing.content  # never reveals that the certificate exists
        assert client.get(_credential_url(certificate, format="jwt")).content == missing.content
    assert _client(learner).get(_credential_url(certificate)).status_code == 200
    assert _client(staff).get(_credential_url(certificate)).status_code == 200

    api.set_public(certificate, True, by=learner)
    response = Client().get(_credential_url(certificate, format="jwt"))
    assert response.status_code == 200
    _verify_independently(response.content.decode())


def test_a_revoked_certificates_credential_is_no_longer_handed_out(lms, signed):
    """Issue 13, point 2: like its files, a revoked certificate's signed credential is not served."""
    course, learner, certificate = _issued(lms)
    api.set_public(certificate, True, by=learner)
    before = _client(learner).get(_credential_url(certificate, format="jwt"))
    api.revoke(certificate, reason="Academic misconduct", by=lms.staff(course))

    for who in (learner, lms.staff(course)):
        for form in ({"format": "jwt"}, {}):
            response = _client(who).get(_credential_url(certificate, **form))
            assert response.status_code == 410
            assert response["Cache-Control"] == "no-store"
            assert response.json()["status"] == "revoked"
            assert response.json()["verify_url"].endswith(f"/certs/verify/{certificate.formatted_code}/")
    stranger = Client().get(_credential_url(certificate))
    assert stranger.status_code == 404  # as an unknown code: revocation unpublished it
    # the credential handed out before still verifies as signed; the status list says it is revoked
    _verify_independently(before.content.decode())
    assert certificate.status_index in _revoked_bits()[0]


# --------------------------------------------------------------------------- revocation


def test_revoking_flips_exactly_its_bit_in_the_status_list(lms, signed):
    course, _, first = _issued(lms)
    _, _, second = _issued(lms, name="Bruno Díaz")
    before, size = _revoked_bits()
    assert size == api.STATUS_LIST_SIZE
    assert first.status_index not in before
    assert second.status_index not in before

    api.revoke(first, reason="Issued by mistake", by=lms.staff(course))
    after, _ = _revoked_bits()
    assert after == before | {first.status_index}
    assert second.status_index not in after


def test_the_status_list_is_a_signed_credential(lms, signed):
    course, _, certificate = _issued(lms)
    api.revoke(certificate, reason="Issued by mistake", by=lms.staff(course))
    response = Client().get(reverse("cert_plugin:status-list"))
    assert response.status_code == 200
    assert response["Content-Type"] == VC_JWT
    assert response["Cache-Control"] == "public, max-age=300"
    claims = _verify_independently(response.content.decode())
    assert claims["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert claims["id"] == claims["jti"] == "https://lms.example.org" + reverse("cert_plugin:status-list")
    subject = claims["credentialSubject"]
    assert subject["type"] == "BitstringStatusList"
    assert subject["statusPurpose"] == "revocation"
    encoded = subject["encodedList"][1:]
    raw = gzip.decompress(base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)))
    index = certificate.status_index
    assert raw[index // 8] & (0x80 >> (index % 8))


# --------------------------------------------------------------------------- keys


def test_after_key_rotation_old_and_new_credentials_verify(lms, signed):
    _, learner, certificate = _issued(lms)
    old_token = _client(learner).get(_credential_url(certificate, format="jwt")).content.decode()
    old_kid = jwt.get_unverified_header(old_token)["kid"]

    signed.CERT_PLUGIN = {**signed.CERT_PLUGIN, "SIGNING_KEY": keys.generate_ed25519_pem()}
    new_token = _client(learner).get(_credential_url(certificate, format="jwt")).content.decode()
    new_kid = jwt.get_unverified_header(new_token)["kid"]
    assert new_kid != old_kid
    published = {key["kid"] for key in _jwks()["keys"]}
    assert {old_kid, new_kid} <= published
    assert _verify_independently(old_token)["id"] == _verify_independently(new_token)["id"]


def test_the_issuer_profile_is_public(lms, signed):
    response = Client().get(reverse("cert_plugin:issuer"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/ld+json"
    profile = response.json()
    assert profile["type"] == ["Profile"]
    assert profile["id"] == "https://lms.example.org" + reverse("cert_plugin:issuer")
    assert profile["name"] == signed.CERT_PLUGIN["ISSUER_NAME"]
    assert profile["url"] == "https://lms.example.org/"


def test_without_a_signing_key_signed_forms_answer_503(lms, settings):
    settings.CERT_PLUGIN = {**settings.CERT_PLUGIN, "SIGNING_KEY": None, "P256_SIGNING_KEY": None}
    _, learner, certificate = _issued(lms)
    for response in (_client(learner).get(_credential_url(certificate, format="jwt")),
                     Client().get(reverse("cert_plugin:status-list"))):
        assert response.status_code == 503
        assert "SIGNING_KEY" in response.json()["detail"]
    assert _client(learner).get(_credential_url(certificate)).status_code == 200  # the unsigned JSON
    assert Client().get(reverse("cert_plugin:issuer-keys")).json() == {"keys": []}
