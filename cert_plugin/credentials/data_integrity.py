"""Data Integrity proofs (W3C VC Data Integrity 1.0) with the ``eddsa-rdfc-2022`` cryptosuite.

Pure code on plain values, written from W3C "Data Integrity EdDSA Cryptosuites v1.0", section 3.3:

- *Transformation*: the document without its ``proof``, and the proof options (the proof without
  ``proofValue``, carrying the document's ``@context``), are each canonicalised with RDFC-1.0
  (pyld's URDNA2015, the same algorithm under its earlier name) to N-Quads.
- *Hashing*: ``SHA-256(canonical proof options) || SHA-256(canonical document)``, 64 bytes.
- *Proof*: the Ed25519 signature of those bytes, multibase-encoded (``z`` + base58btc).

Contexts are never fetched: :func:`document_loader` serves the copies shipped in
``cert_plugin/credentials/contexts/`` and refuses every other URL, so a document that names an
unknown context fails to canonicalise instead of reaching out to the network.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import base58
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from pyld import jsonld

__all__ = [
    "CRYPTOSUITE",
    "MULTIKEY_CONTEXT",
    "ProofError",
    "canonical_nquads",
    "document_loader",
    "multikey",
    "public_key_multibase",
    "raw_public_key",
    "sign",
    "verify",
]

CRYPTOSUITE = "eddsa-rdfc-2022"
PROOF_TYPE = "DataIntegrityProof"
MULTIKEY_CONTEXT = "https://w3id.org/security/multikey/v1"
_ED25519_MULTICODEC = b"\xed\x01"  # the multicodec prefix of an Ed25519 public key
_CONTEXTS = Path(__file__).with_name("contexts")
# Context URL -> file shipped with the package (copied unchanged; contexts/SOURCE.md says whence).
_SHIPPED = {
    "https://www.w3.org/ns/credentials/v2": "credentials-v2.jsonld",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json": "ob-v3p0-context-3.0.3.json",
}


class ProofError(ValueError):
    """A Data Integrity proof is missing, malformed, of another suite, or does not verify."""


@functools.cache
def _context(url: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((_CONTEXTS / _SHIPPED[url]).read_text(encoding="utf-8"))
    return loaded


Contexts = Mapping[str, Mapping[str, Any]]


def document_loader(extra: Contexts | None = None) -> Any:
    """pyld's document loader: the shipped contexts (and ``extra``, URL -> document), nothing else:
    no network, ever."""

    def load(url: str, options: Any = None) -> dict[str, Any]:
        if extra and url in extra:
            document = copy.deepcopy(dict(extra[url]))
        elif url in _SHIPPED:
            document = copy.deepcopy(_context(url))
        else:
            raise jsonld.JsonLdError(
                f"the context {url} is not shipped with cert_plugin and is never fetched",
                "jsonld.LoadDocumentError",
                code="loading document failed",
            )
        return {"contextUrl": None, "documentUrl": url, "document": document}

    return load


def canonical_nquads(document: Mapping[str, Any], *, contexts: Contexts | None = None) -> str:
    """RDFC-1.0 canonical N-Quads of a JSON-LD document, with only the shipped contexts (and ``contexts``)."""
    try:
        nquads: str = jsonld.normalize(
            dict(document),
            {
                "algorithm": "URDNA2015",
                "format": "application/n-quads",
                "documentLoader": document_loader(contexts),
            },
        )
    except jsonld.JsonLdError as exc:
        raise ProofError(f"the document is not valid JSON-LD with the shipped contexts ({exc})") from None
    return nquads


def _hash_data(document: Mapping[str, Any], options: Mapping[str, Any], contexts: Contexts | None) -> bytes:
    unsecured = {key: value for key, value in document.items() if key != "proof"}
    config = {key: value for key, value in options.items() if key != "proofValue"}
    config["@context"] = document.get("@context")
    return (
        hashlib.sha256(canonical_nquads(config, contexts=contexts).encode("utf-8")).digest()
        + hashlib.sha256(canonical_nquads(unsecured, contexts=contexts).encode("utf-8")).digest()
    )


def sign(
    document: Mapping[str, Any],
    private_key: Ed25519PrivateKey,
    *,
    verification_method: str,
    created: datetime,
) -> dict[str, Any]:
    """``document`` with an ``eddsa-rdfc-2022`` proof for ``assertionMethod`` added (a new dict).

    The proof is deterministic for the same document, key, method and ``created`` (Ed25519 is).
    """
    if created.tzinfo is None:
        raise ValueError("created must be timezone-aware")
    options = {
        "type": PROOF_TYPE,
        "cryptosuite": CRYPTOSUITE,
        "created": created.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "verificationMethod": verification_method,
        "proofPurpose": "assertionMethod",
    }
    unsecured = {key: value for key, value in document.items() if key != "proof"}
    signature = private_key.sign(_hash_data(unsecured, options, None))
    return {
        **unsecured,
        "proof": {**options, "proofValue": "z" + base58.b58encode(signature).decode("ascii")},
    }


def verify(
    document: Mapping[str, Any], public_key: Ed25519PublicKey, *, contexts: Contexts | None = None
) -> dict[str, Any]:
    """Check the document's ``eddsa-rdfc-2022`` proof with ``public_key``; return the proof.

    ``contexts`` (URL -> document) adds contexts to the shipped ones, e.g. a specification's
    examples context for its test vectors.

    Raises :class:`ProofError` saying what is wrong. Which key the ``verificationMethod`` names,
    and whether its controller is the issuer, is the caller's business.
    """
    proof = document.get("proof")
    if not isinstance(proof, Mapping):
        raise ProofError("the document carries no proof (or more than one)")
    if proof.get("type") != PROOF_TYPE or proof.get("cryptosuite") != CRYPTOSUITE:
        raise ProofError(f"the proof is not a {PROOF_TYPE} with the {CRYPTOSUITE} cryptosuite")
    if proof.get("proofPurpose") != "assertionMethod":
        raise ProofError("the proof's purpose is not assertionMethod")
    value = proof.get("proofValue")
    if not isinstance(value, str) or not value.startswith("z"):
        raise ProofError("proofValue is not a base58btc multibase string")
    try:
        signature = base58.b58decode(value[1:])
    except ValueError:
        raise ProofError("proofValue is not valid base58btc") from None
    if len(signature) != 64:
        raise ProofError("proofValue is not a 64-byte Ed25519 signature")
    try:
        public_key.verify(signature, _hash_data(document, proof, contexts))
    except InvalidSignature:
        raise ProofError("the proof does not verify: the document changed or another key signed it") from None
    return dict(proof)


def raw_public_key(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def public_key_multibase(public_key: Ed25519PublicKey) -> str:
    """The Multikey ``publicKeyMultibase`` of an Ed25519 key: ``z`` + base58btc(0xed01 + key)."""
    return "z" + base58.b58encode(_ED25519_MULTICODEC + raw_public_key(public_key)).decode("ascii")


def public_key_from_multibase(value: str) -> Ed25519PublicKey:
    """The Ed25519 key of a ``publicKeyMultibase`` (ProofError when it is not one)."""
    try:
        raw = base58.b58decode(value[1:]) if value.startswith("z") else b""
    except ValueError:
        raw = b""
    if len(raw) != 34 or not raw.startswith(_ED25519_MULTICODEC):
        raise ProofError("not an Ed25519 publicKeyMultibase")
    return Ed25519PublicKey.from_public_bytes(raw[2:])


def multikey(public_key: Ed25519PublicKey, *, id: str, controller: str) -> dict[str, Any]:
    """The verification method document (W3C Controlled Identifiers ``Multikey``) of a key."""
    return {
        "@context": MULTIKEY_CONTEXT,
        "id": id,
        "type": "Multikey",
        "controller": controller,
        "publicKeyMultibase": public_key_multibase(public_key),
    }
