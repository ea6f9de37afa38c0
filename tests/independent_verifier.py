"""A verifier that knows nothing of cert_plugin: what an employer, a wallet or a registrar would run.

Written from the public specifications, never from the plugin's code (it imports nothing from
``cert_plugin``), and fed only what anyone can fetch from the issuer's public URLs:

- the snapshot signature of ``api-verify``'s ``signature`` (RFC 8032 Ed25519 over the published
  text; the key found in the issuer's JWKS by its RFC 7638 thumbprint);
- the ``eddsa-rdfc-2022`` Data Integrity proof of ``credential.json`` (W3C "Data Integrity EdDSA
  Cryptosuites v1.0" 3.3: RDFC-1.0 with pyld, SHA-256 of the proof options then of the document,
  Ed25519), its ``verificationMethod`` dereferenced to a ``Multikey`` controlled by the issuer;
- the VC-JWT (W3C VC-JOSE-COSE, Open Badges 3.0 section 8.2) with PyJWT, the key dereferenced from
  the header's ``kid``; ``sub`` must equal ``credentialSubject.id``;
- the credential baked into a PNG (an ``iTXt`` chunk ``openbadgecredential``, read chunk by chunk
  here) or embedded in a PDF (the ``credential.jwt`` file attachment, read with pypdf).

Run it as a script: ``python tests/independent_verifier.py https://lms.example.org/certs/verify/CODE/``
checks the snapshot signature of the code's JSON answer; add ``--credential <credential.json URL>``
or ``--file <certificate.pdf|png>``.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import io
import json
import struct
import sys
import urllib.request
import zlib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import base58
import jwt
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from pyld import jsonld

Fetch = Callable[[str], Any]  # URL -> parsed JSON (or text for a JWT)
STANDARDS = Path(__file__).with_name("data") / "standards"
CONTEXT_FILES = {
    "https://www.w3.org/ns/credentials/v2": "credentials-v2.jsonld",
    "https://www.w3.org/ns/credentials/examples/v2": "credentials-examples-v2.jsonld",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json": "ob-v3p0-context-3.0.3.json",
}


class NotVerified(Exception):
    """The artefact does not check out; the message says why."""


def fetch_json(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.loads(response.read())


def _b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


# ----------------------------------------------------------------------- the snapshot signature


def jwk_thumbprint(jwk: Mapping[str, str]) -> str:
    """RFC 7638: SHA-256 of the required members, in lexicographic order, no whitespace."""
    required = {"OKP": ("crv", "kty", "x"), "EC": ("crv", "kty", "x", "y"), "RSA": ("e", "kty", "n")}[
        jwk["kty"]
    ]
    members = json.dumps({name: jwk[name] for name in required}, separators=(",", ":"), sort_keys=True)
    return _b64url(hashlib.sha256(members.encode()).digest())


def verify_snapshot(answer: Mapping[str, Any], jwks: Mapping[str, Any]) -> dict[str, Any]:
    """Check ``api-verify``'s ``signature`` and that the signed text says what the answer says."""
    signature = answer.get("signature")
    if not isinstance(signature, Mapping) or signature.get("algorithm") != "Ed25519":
        raise NotVerified("no Ed25519 signature published")
    keys = [
        key for key in jwks["keys"] if key.get("kty") == "OKP" and jwk_thumbprint(key) == signature["key_id"]
    ]
    if len(keys) != 1:
        raise NotVerified(f"the JWKS has no single Ed25519 key with thumbprint {signature['key_id']}")
    public_key = Ed25519PublicKey.from_public_bytes(_b64url_decode(keys[0]["x"]))
    try:
        public_key.verify(_b64url_decode(signature["value"]), signature["payload"].encode("utf-8"))
    except (InvalidSignature, ValueError):
        raise NotVerified("the snapshot signature does not verify") from None
    signed = json.loads(signature["payload"])
    for field in ("learner_name", "course_title", "course_key"):
        if signed[field] != answer[field]:
            raise NotVerified(f"the signed {field} differs from the answer's")
    if signed["code"] != answer["code"].replace("-", ""):
        raise NotVerified("the signed code differs from the answer's")
    return dict(signed)


# ------------------------------------------------------------------------- Data Integrity proof


def _loader(url: str, options: Any = None) -> dict[str, Any]:
    if url not in CONTEXT_FILES:
        raise jsonld.JsonLdError(
            f"unknown context {url}", "jsonld.LoadDocumentError", code="loading document failed"
        )
    document = json.loads((STANDARDS / CONTEXT_FILES[url]).read_text(encoding="utf-8"))
    return {"contextUrl": None, "documentUrl": url, "document": document}


def _canonical(document: Mapping[str, Any]) -> bytes:
    nquads: str = jsonld.normalize(
        copy.deepcopy(dict(document)),
        {"algorithm": "URDNA2015", "format": "application/n-quads", "documentLoader": _loader},
    )
    return nquads.encode("utf-8")


def multikey_public_key(multibase: str) -> Ed25519PublicKey:
    raw = base58.b58decode(multibase[1:]) if multibase.startswith("z") else b""
    if len(raw) != 34 or raw[:2] != b"\xed\x01":
        raise NotVerified("the verification method is not an Ed25519 Multikey")
    return Ed25519PublicKey.from_public_bytes(raw[2:])


def verify_data_integrity(document: Mapping[str, Any], public_key: Ed25519PublicKey) -> None:
    proof = document.get("proof")
    if not isinstance(proof, Mapping):
        raise NotVerified("no proof")
    if (proof.get("type"), proof.get("cryptosuite"), proof.get("proofPurpose")) != (
        "DataIntegrityProof",
        "eddsa-rdfc-2022",
        "assertionMethod",
    ):
        raise NotVerified("not an eddsa-rdfc-2022 assertion proof")
    unsecured = {key: value for key, value in document.items() if key != "proof"}
    options = {key: value for key, value in proof.items() if key != "proofValue"}
    options["@context"] = document["@context"]
    hash_data = hashlib.sha256(_canonical(options)).digest() + hashlib.sha256(_canonical(unsecured)).digest()
    try:
        public_key.verify(base58.b58decode(proof["proofValue"][1:]), hash_data)
    except (InvalidSignature, ValueError):
        raise NotVerified("the Data Integrity proof does not verify") from None


def verify_credential(credential: Mapping[str, Any], fetch: Fetch) -> None:
    """The proof of a ``credential.json``, its key dereferenced and controlled by the issuer."""
    method_url = credential.get("proof", {}).get("verificationMethod", "")
    method = fetch(method_url)
    if method.get("id") != method_url or method.get("type") != "Multikey":
        raise NotVerified("the verification method does not dereference to a Multikey")
    issuer = credential["issuer"]["id"] if isinstance(credential["issuer"], Mapping) else credential["issuer"]
    if method.get("controller") != issuer:
        raise NotVerified("the key is not controlled by the credential's issuer")
    verify_data_integrity(credential, multikey_public_key(method["publicKeyMultibase"]))


# ------------------------------------------------------------------------------------- VC-JWT


def verify_vc_jwt(token: str, fetch: Fetch) -> dict[str, Any]:
    """The VC-JWT, its key fetched from the ``kid`` URL; returns the claims (the credential)."""
    try:
        header = jwt.get_unverified_header(token)
    except jwt.DecodeError as exc:
        raise NotVerified(f"not a JWT ({exc})") from None
    if header.get("alg") not in ("EdDSA", "ES256") or header.get("typ") != "JWT":
        raise NotVerified(f"unexpected JOSE header {header}")
    jwk = fetch(header["kid"])
    if jwk.get("kid") != header["kid"]:
        raise NotVerified("the kid does not dereference to the key it names")
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            key=jwt.PyJWK(jwk),
            algorithms=[header["alg"]],
            options={"require": ["iss", "jti", "nbf", "sub"]},
        )
    except jwt.InvalidTokenError as exc:
        raise NotVerified(f"the VC-JWT does not verify ({exc})") from None
    if claims["sub"] != claims["credentialSubject"].get("id"):
        raise NotVerified("sub is not credentialSubject.id")
    issuer = claims["issuer"]["id"] if isinstance(claims["issuer"], Mapping) else claims["issuer"]
    if claims["iss"] != issuer or claims["jti"] != claims["id"]:
        raise NotVerified("iss/jti do not match the credential")
    return claims


# ------------------------------------------------------------------------------- baked files


def png_credential(png: bytes) -> str | None:
    """The ``openbadgecredential`` iTXt chunk's text (PNG spec 11.3.4.5), read chunk by chunk."""
    if not png.startswith(b"\x89PNG\r\n\x1a\n"):
        return None
    position = 8
    while position + 8 <= len(png):
        length, kind = struct.unpack(">I4s", png[position : position + 8])
        data = png[position + 8 : position + 8 + length]
        position += 12 + length
        if kind == b"iTXt":
            keyword, _, rest = data.partition(b"\x00")
            if keyword == b"openbadgecredential":
                compressed, _method = rest[0], rest[1]
                _language, _, rest = rest[2:].partition(b"\x00")
                _translated, _, text = rest.partition(b"\x00")
                return (zlib.decompress(text) if compressed else text).decode("utf-8")
        if kind == b"IEND":
            break
    return None


def pdf_credential(pdf: bytes) -> str | None:
    """The ``credential.jwt`` attachment of a PDF (an associated file of the document)."""
    import pypdf

    reader = pypdf.PdfReader(io.BytesIO(pdf))
    for name, contents in reader.attachments.items():
        if name == "credential.jwt":
            return contents[0].decode("utf-8")
    return None


def main(argv: list[str]) -> int:
    verify_url = argv[0].rstrip("/")
    base, _, code = verify_url.rpartition("/certs/verify/")
    answer = fetch_json(f"{base}/certs/api/v1/verify/{code}/")
    signed = verify_snapshot(answer, fetch_json(f"{base}/certs/issuer/keys.json"))
    sys.stdout.write(f"snapshot signature: valid ({signed['learner_name']}, {signed['course_title']})" + "\n")
    options = dict(zip(argv[1::2], argv[2::2], strict=False))
    if "--credential" in options:
        verify_credential(fetch_json(options["--credential"]), fetch_json)
        sys.stdout.write("credential.json Data Integrity proof: valid\n")
    if "--file" in options:
        data = Path(options["--file"]).read_bytes()
        token = pdf_credential(data) if data.startswith(b"%PDF") else png_credential(data)
        if token is None:
            raise NotVerified("the file carries no credential")
        claims = verify_vc_jwt(token, fetch_json)
        sys.stdout.write(f"embedded VC-JWT: valid ({claims['name']})" + "\n")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except NotVerified as exc:
        sys.stderr.write(f"NOT VERIFIED: {exc}\n")
        sys.exit(1)
