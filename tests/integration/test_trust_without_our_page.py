"""Issue 15: anyone can check what we issue without trusting our web page.

Every check here is made by ``tests/independent_verifier.py``, which imports nothing from
cert_plugin and was written from the specifications (W3C Data Integrity EdDSA, VC-JOSE, RFC 7638,
Open Badges 3.0), fed only what the public URLs answer. Each artefact is also changed by one
character and must then be rejected.
"""

from __future__ import annotations

import ast
import copy
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import jsonschema
import jwt
import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape
from pyld import jsonld

from cert_plugin import api
from cert_plugin.credentials import data_integrity, keys
from tests import independent_verifier as outsider
from tests.helpers import client_for, issued

BASE = "https://lms.example.org"
DATA = Path(__file__).parent.parent / "data"
STANDARDS = DATA / "standards"
EXAMPLES = {
    "https://www.w3.org/ns/credentials/examples/v2": json.loads(
        (STANDARDS / "credentials-examples-v2.jsonld").read_text()
    )
}
VECTOR_KEY = "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"  # w3c/vc-di-eddsa TestVectors/keyPair.json


def _p256_pem() -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    return (
        ec.generate_private_key(ec.SECP256R1())
        .private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        .decode()
    )


@pytest.fixture
def signed(settings):
    """Both credential keys (Ed25519 and P-256), generated for the test; absolute URLs."""
    settings.CERT_PLUGIN = {
        **settings.CERT_PLUGIN,
        "SIGNING_KEY": keys.generate_ed25519_pem(),
        "P256_SIGNING_KEY": _p256_pem(),
        "CREDENTIAL_ALGORITHMS": ["EdDSA", "ES256"],
        "BASE_URL": BASE,
    }
    return settings


def fetch(url: str):
    """What a verifier gets from one of our public URLs (through the test client)."""
    assert url.startswith(BASE + "/"), url
    response = Client().get(url.removeprefix(BASE))
    assert response.status_code == 200, (url, response.status_code)
    return response.json()


def _tampered(text: str) -> str:
    """``text`` with one character changed."""
    index = len(text) // 2
    return text[:index] + ("X" if text[index] != "X" else "Y") + text[index + 1 :]


# ------------------------------------------------------------------ the specification's test vector


def test_our_data_integrity_code_verifies_the_specifications_vector_and_rejects_any_change():
    vector = json.loads((STANDARDS / "eddsa-rdfc-2022-signed.json").read_text())
    key = data_integrity.public_key_from_multibase(VECTOR_KEY)
    assert data_integrity.verify(vector, key, contexts=EXAMPLES)["created"] == "2023-02-24T23:36:38Z"
    for change in (
        ("credentialSubject", "alumniOf", "The School of Examples!"),
        ("proof", "created", "2023-02-24T23:36:39Z"),
        (None, "validFrom", "2023-01-02T00:00:00Z"),
        (None, "issuer", "https://vc.example/issuers/5679"),
    ):
        altered = copy.deepcopy(vector)
        (altered[change[0]] if change[0] else altered)[change[1]] = change[2]
        with pytest.raises(data_integrity.ProofError):
            data_integrity.verify(altered, key, contexts=EXAMPLES)


def test_the_independent_verifier_agrees_on_the_vector():
    vector = json.loads((STANDARDS / "eddsa-rdfc-2022-signed.json").read_text())
    outsider.verify_data_integrity(vector, outsider.multikey_public_key(VECTOR_KEY))
    vector["proof"]["proofValue"] = _tampered(vector["proof"]["proofValue"])
    with pytest.raises(outsider.NotVerified):
        outsider.verify_data_integrity(vector, outsider.multikey_public_key(VECTOR_KEY))


# ----------------------------------------------------------------------- 1. publish what we sign


def test_the_verify_answer_publishes_the_signed_snapshot_and_an_outsider_checks_it(lms, signed):
    _, _, certificate = issued(lms, min_grade=0.7)
    answer = Client().get(reverse("cert_plugin:api-verify", args=[certificate.formatted_code])).json()
    signature = answer["signature"]
    assert signature["algorithm"] == "Ed25519"
    assert signature["key_id"] == certificate.signing_key_id
    signed_fields = outsider.verify_snapshot(answer, fetch(f"{BASE}/certs/issuer/keys.json"))
    # Fit to publish: what the certificate states, its template digest and revision; no internal id, no grade.
    assert set(signed_fields) == {
        "code",
        "learner_name",
        "course_key",
        "course_title",
        "hours",
        "issued_at",
        "expires_at",
        "template_digest",
        "issuer",
        "revision",
    }
    assert signed_fields["learner_name"] == "Amelia Okafor"

    for part in ("payload", "value"):
        altered = {**answer, "signature": {**signature, part: _tampered(signature[part])}}
        with pytest.raises((outsider.NotVerified, ValueError)):
            outsider.verify_snapshot(altered, fetch(f"{BASE}/certs/issuer/keys.json"))


def test_the_verify_page_offers_the_same_check(lms, signed):
    _, _, certificate = issued(lms)
    answer = Client().get(reverse("cert_plugin:api-verify", args=[certificate.formatted_code])).json()
    page = Client().get(reverse("cert_plugin:verify", args=[certificate.formatted_code])).content.decode()
    assert "Check it yourself" in page
    assert escape(answer["signature"]["payload"]) in page  # the exact signed text, to copy
    assert answer["signature"]["value"] in page
    assert answer["signature"]["key_id"] in page


def test_certificates_signed_before_the_payload_was_published_still_verify(lms, signed):
    """Earlier snapshots also covered the grade: their signature still checks, with that payload."""
    from cert_plugin.credentials import signing
    from cert_plugin.domain import verification
    from cert_plugin.models import Certificate

    _, _, certificate = issued(lms)
    old = signing.sign(
        verification.signature_payload(certificate, with_grade=True), signed.CERT_PLUGIN["SIGNING_KEY"]
    )
    Certificate.objects.filter(pk=certificate.pk).update(signature=old.value)
    answer = Client().get(reverse("cert_plugin:api-verify", args=[certificate.formatted_code])).json()
    assert answer["signature_valid"] is True
    assert "grade" in outsider.verify_snapshot(answer, fetch(f"{BASE}/certs/issuer/keys.json"))


# --------------------------------------------------------------- 2. a credential secured anywhere


def _credential(certificate, learner, **query):
    response = client_for(learner).get(
        reverse("cert_plugin:credential", args=[certificate.formatted_code]), query
    )
    assert response.status_code == 200
    return response


def test_credential_json_carries_a_data_integrity_proof_an_outsider_verifies(lms, signed):
    _, learner, certificate = issued(lms)
    credential = _credential(certificate, learner).json()
    proof = credential["proof"]
    assert (proof["type"], proof["cryptosuite"], proof["proofPurpose"]) == (
        "DataIntegrityProof",
        "eddsa-rdfc-2022",
        "assertionMethod",
    )
    method = fetch(proof["verificationMethod"])
    assert method["type"] == "Multikey"
    assert method["controller"] == credential["issuer"]["id"] == f"{BASE}/certs/issuer/"
    outsider.verify_credential(credential, fetch)

    for path in (
        ("name",),
        ("credentialSubject", "achievement", "name"),
        ("validFrom",),
        ("credentialSubject", "id"),
    ):
        altered = copy.deepcopy(credential)
        holder = altered
        for key in path[:-1]:
            holder = holder[key]
        holder[path[-1]] = _tampered(holder[path[-1]])
        with pytest.raises(outsider.NotVerified):
            outsider.verify_credential(altered, fetch)


def test_credential_json_validates_against_the_open_badges_schema(lms, signed):
    _, learner, certificate = issued(lms, validity_days=365)
    credential = _credential(certificate, learner).json()
    schema = json.loads((DATA / "ob_v3p0_achievementcredential.schema.json").read_text())
    jsonschema.Draft201909Validator(schema).validate(credential)
    broken = copy.deepcopy(credential)
    broken["credentialSubject"]["identifier"][0]["identityType"] = "e-mail"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft201909Validator(schema).validate(broken)


def test_the_subject_id_is_stable_opaque_and_the_jwts_sub(lms, signed):
    _, learner, certificate = issued(lms, name="Amelia Okafor")
    credential = _credential(certificate, learner).json()
    subject = credential["credentialSubject"]["id"]
    assert subject.startswith("urn:uuid:")
    for private in (learner.username, learner.email, "Amelia"):
        assert private not in subject
    assert _credential(certificate, learner).json()["credentialSubject"]["id"] == subject  # stable
    _, other_learner, other = issued(lms, name="Bruno Costa", title="Statistics")
    assert _credential(other, other_learner).json()["credentialSubject"]["id"] != subject  # one per learner

    token = _credential(certificate, learner, format="jwt").content.decode()
    claims = outsider.verify_vc_jwt(token, fetch)
    assert claims["sub"] == subject == claims["credentialSubject"]["id"]


@pytest.mark.parametrize("algorithm", ["EdDSA", "ES256"])
def test_the_jwt_kid_dereferences_to_exactly_the_key_listed_under_it(lms, signed, algorithm):
    _, learner, certificate = issued(lms)
    token = _credential(certificate, learner, format="jwt", alg=algorithm).content.decode()
    header = jwt.get_unverified_header(token)
    assert header["alg"] == algorithm
    jwk = fetch(header["kid"])
    jwks = fetch(f"{BASE}/certs/issuer/keys.json")
    assert [key for key in jwks["keys"] if key["kid"] == header["kid"]] == [jwk]
    assert {key["alg"] for key in jwks["keys"]} == {"EdDSA", "ES256"}
    assert jwk["kid"].endswith(f"/{outsider.jwk_thumbprint(jwk)}.json")
    outsider.verify_vc_jwt(token, fetch)
    head, payload, signature = token.split(".")
    with pytest.raises(outsider.NotVerified):
        outsider.verify_vc_jwt(f"{head}.{_tampered(payload)}.{signature}", fetch)


def test_an_algorithm_the_site_does_not_offer_is_refused_plainly(lms, signed):
    signed.CERT_PLUGIN = {**signed.CERT_PLUGIN, "CREDENTIAL_ALGORITHMS": ["EdDSA"]}
    _, learner, certificate = issued(lms)
    response = client_for(learner).get(
        reverse("cert_plugin:credential", args=[certificate.formatted_code]),
        {"format": "jwt", "alg": "ES256"},
    )
    assert response.status_code == 400
    assert "EdDSA" in response.json()["detail"]


def test_an_unknown_key_id_is_a_404(lms, signed):
    for name in ("cert_plugin:issuer-key", "cert_plugin:issuer-multikey"):
        response = Client().get(reverse(name, args=["no-such-key"]))
        assert response.status_code == 404
        assert response.json()["error"] == "not_found"


def _dropped_terms(document: dict) -> list[str]:
    """Keys that JSON-LD expansion drops (no context defines them): lost to any JSON-LD verifier."""
    options = {"documentLoader": outsider._loader}
    back = jsonld.compact(
        jsonld.expand(copy.deepcopy(document), options), {"@context": document["@context"]}, options
    )
    missing: list[str] = []

    def walk(original, kept, path):
        if isinstance(original, dict):
            for key, value in original.items():
                if key == "@context":
                    continue
                if not isinstance(kept, dict) or key not in kept:
                    missing.append(f"{path}.{key}")
                else:
                    walk(value, kept[key], f"{path}.{key}")
        elif isinstance(original, list):
            kept_list = kept if isinstance(kept, list) else [kept]
            for index, item in enumerate(original):
                walk(item, kept_list[index] if index < len(kept_list) else None, f"{path}[{index}]")

    walk(document, back, "$")
    return missing


def test_the_status_list_and_the_credential_lose_no_term_in_json_ld(lms, signed):
    _, learner, certificate = issued(lms)
    status_list = Client().get(reverse("cert_plugin:status-list"), {"format": "json"}).json()
    assert _dropped_terms(status_list) == []
    assert _dropped_terms(_credential(certificate, learner).json()) == []


# ---------------------------------------------------------------- 3. files that carry their proof


def test_the_downloaded_pdf_and_png_carry_a_credential_an_outsider_verifies(lms, signed):
    _, learner, certificate = issued(lms)
    api.set_public(certificate, True, by=learner)
    code = certificate.formatted_code
    pdf = Client().get(reverse("cert_plugin:download-pdf", args=[code]))
    png = Client().get(reverse("cert_plugin:download-png", args=[code]))
    assert (pdf.status_code, png.status_code) == (200, 200)
    for token in (outsider.pdf_credential(pdf.content), outsider.png_credential(png.content)):
        assert token is not None
        claims = outsider.verify_vc_jwt(token, fetch)
        assert claims["credentialSubject"]["achievement"]["name"] == certificate.course_title
        assert claims["credentialStatus"]["statusListIndex"] == str(certificate.status_index)
        head, payload, signature = token.split(".")
        with pytest.raises(outsider.NotVerified):
            outsider.verify_vc_jwt(f"{head}.{_tampered(payload)}.{signature}", fetch)

    # One character of the credential inside the PNG file itself.
    token = outsider.png_credential(png.content)
    altered = png.content.replace(token.encode(), _tampered(token).encode())
    with pytest.raises(outsider.NotVerified):
        outsider.verify_vc_jwt(outsider.png_credential(altered), fetch)


@pytest.mark.django_db(transaction=True)
def test_a_script_that_imports_nothing_of_ours_verifies_from_public_urls(
    lms, live_server, settings, tmp_path
):
    """``python tests/independent_verifier.py <verify URL> --credential <URL>`` against a real server."""
    settings.CERT_PLUGIN = {
        **settings.CERT_PLUGIN,
        "SIGNING_KEY": keys.generate_ed25519_pem(),
        "BASE_URL": live_server.url,
    }
    _, learner, certificate = issued(lms)
    api.set_public(certificate, True, by=learner)
    verify_url = f"{live_server.url}/certs/verify/{certificate.formatted_code}/"
    credential_url = f"{live_server.url}/certs/{certificate.formatted_code}/credential.json"
    script = Path(outsider.__file__)
    result = subprocess.run(
        [sys.executable, str(script), verify_url, "--credential", credential_url],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "snapshot signature: valid (Amelia Okafor" in result.stdout
    assert "credential.json Data Integrity proof: valid" in result.stdout
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    section = readme.split("### Checking without this site", 1)[1]
    steps = section.split("```python", 1)[1].split("```", 1)[0]
    steps = steps.replace("https://lms.example.org", live_server.url)
    steps = textwrap.dedent(steps.replace("<code>", certificate.formatted_code))
    readme_run = subprocess.run(
        [sys.executable, "-c", steps], capture_output=True, text=True, timeout=60, check=False
    )
    assert readme_run.returncode == 0, readme_run.stderr  # the README's steps, exactly as printed there
    assert "'learner_name': 'Amelia Okafor'" in readme_run.stdout
    imported = {
        alias.name.split(".")[0]
        for node in ast.walk(ast.parse(script.read_text()))
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in (node.names if isinstance(node, ast.Import) else [ast.alias(node.module or "")])
    }
    assert "cert_plugin" not in imported
    assert "django" not in imported


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("algorithm", ["EdDSA", "ES256"])
def test_pyjwt_finds_the_key_from_the_jwks_url_by_the_tokens_kid(lms, live_server, settings, algorithm):
    """What the README promises: ``jwt.PyJWKClient(<issuer-keys URL>)`` selects the key a VC-JWT names."""
    settings.CERT_PLUGIN = {
        **settings.CERT_PLUGIN,
        "SIGNING_KEY": keys.generate_ed25519_pem(),
        "P256_SIGNING_KEY": _p256_pem(),
        "CREDENTIAL_ALGORITHMS": ["EdDSA", "ES256"],
        "BASE_URL": live_server.url,
    }
    _, learner, certificate = issued(lms)
    token = _credential(certificate, learner, format="jwt", alg=algorithm).content.decode()

    key = jwt.PyJWKClient(f"{live_server.url}/certs/issuer/keys.json").get_signing_key_from_jwt(token)
    claims = jwt.decode(token, key=key, algorithms=[algorithm])

    assert claims["sub"] == claims["credentialSubject"]["id"]
    assert key.key_id == jwt.get_unverified_header(token)["kid"]
