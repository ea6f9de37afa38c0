"""Key material the demo and the tests create for themselves (nothing is committed)."""

from __future__ import annotations

import datetime as dt
import stat
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import load_pem_private_key, pkcs12
from cryptography.x509.oid import NameOID

from cert_plugin.credentials.keys import ensure_file, generate_ed25519_pem, write_self_signed_pkcs12
from cert_plugin.credentials.signing import load_private_key


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_generate_ed25519_pem_is_unencrypted_pkcs8():
    pem = generate_ed25519_pem()
    assert pem.startswith("-----BEGIN PRIVATE KEY-----\n")
    assert isinstance(load_pem_private_key(pem.encode(), password=None), Ed25519PrivateKey)
    assert isinstance(load_private_key(pem), Ed25519PrivateKey)
    assert generate_ed25519_pem() != pem


def test_self_signed_pkcs12_holds_a_document_signing_certificate(tmp_path):
    path = tmp_path / "signer.p12"
    write_self_signed_pkcs12(path, common_name="Northwind Certificates", organization="Northwind Academy",
                             passphrase="s3cret", days=30)
    assert _mode(path) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["signer.p12"]  # no temporary file left behind

    key, cert, others = pkcs12.load_key_and_certificates(path.read_bytes(), b"s3cret")
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    assert key.curve.name == "secp256r1"
    assert cert is not None
    assert others == []
    assert cert.subject == cert.issuer
    assert cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "Northwind Certificates"
    assert cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == "Northwind Academy"
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage)
    assert usage.critical
    assert usage.value.digital_signature
    assert usage.value.content_commitment  # nonRepudiation
    assert not usage.value.key_cert_sign
    lifetime = cert.not_valid_after_utc - dt.datetime.now(dt.UTC)
    assert dt.timedelta(days=29) < lifetime <= dt.timedelta(days=30)
    cert.verify_directly_issued_by(cert)  # self-signed, and the signature checks out

    with pytest.raises(ValueError, match="Invalid password"):
        pkcs12.load_key_and_certificates(path.read_bytes(), b"wrong")


def test_self_signed_pkcs12_replaces_an_older_file(tmp_path):
    path = tmp_path / "signer.p12"
    path.write_bytes(b"old")
    write_self_signed_pkcs12(str(path), common_name="N", organization="N", passphrase="pw")
    assert path.read_bytes() != b"old"
    assert _mode(path) == 0o600


def test_ensure_file_writes_once_with_mode_0600(tmp_path):
    calls: list[int] = []

    def make() -> str:
        calls.append(1)
        return generate_ed25519_pem()

    path = tmp_path / "var" / "signing_key.pem"  # the directory does not exist yet
    assert ensure_file(path, make) == path
    first = path.read_text()
    assert _mode(path) == 0o600
    assert ensure_file(str(path), make) == path
    assert path.read_text() == first
    assert len(calls) == 1
    assert [p.name for p in path.parent.iterdir()] == ["signing_key.pem"]


def test_ensure_file_accepts_bytes_and_keeps_an_existing_file(tmp_path):
    path = tmp_path / "blob"
    ensure_file(path, lambda: b"\x00\x01")
    assert path.read_bytes() == b"\x00\x01"
    ensure_file(path, lambda: b"other")
    assert path.read_bytes() == b"\x00\x01"


def test_ensure_file_race_keeps_the_first_file(tmp_path):
    path = tmp_path / "signing_key.pem"

    def make_while_another_process_writes() -> str:
        path.write_text("written by the other process")
        return "ours"

    ensure_file(path, make_while_another_process_writes)
    assert path.read_text() == "written by the other process"
    assert [p.name for p in tmp_path.iterdir()] == ["signing_key.pem"]
