"""Key material for set-up: the demo and the tests generate their own, nothing is committed.

Files holding private keys are created with mode 0600 and appear atomically: a reader never sees
half a key, and two processes starting at once never end up with two different keys.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

__all__ = ["ensure_file", "generate_ed25519_pem", "generate_p256_pem", "write_self_signed_pkcs12"]

# id-kp-documentSigning (RFC 9336): the key purpose of a document-signing certificate.
_DOCUMENT_SIGNING = x509.ObjectIdentifier("1.3.6.1.5.5.7.3.36")
# Key purposes of the generated PDF-signing certificate. NSS (Poppler's pdfsig, Evince, Okular,
# Firefox) checks PDF signers as e-mail signers and rejects a certificate whose extended key usage
# lacks id-kp-emailProtection ("Unknown issue with Certificate"), though documentSigning alone is
# what RFC 9336 intends. Adobe Acrobat's documented list of signing key purposes includes
# emailProtection (not tested here); pyHanko checks no extended key usage by default.
_PDF_SIGNER_PURPOSES = [_DOCUMENT_SIGNING, ExtendedKeyUsageOID.EMAIL_PROTECTION]


def generate_ed25519_pem() -> str:
    """A new Ed25519 private key as an unencrypted PKCS#8 PEM (the ``SIGNING_KEY`` setting)."""
    key = Ed25519PrivateKey.generate()
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode("ascii")


def generate_p256_pem() -> str:
    """A new ECDSA P-256 private key as an unencrypted PKCS#8 PEM (the ``P256_SIGNING_KEY`` setting:
    ES256 VC-JWTs, which 1EdTech's validator accepts)."""
    key = ec.generate_private_key(ec.SECP256R1())
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode("ascii")


def write_self_signed_pkcs12(
    path: str | Path, *, common_name: str, organization: str, passphrase: str, days: int = 825
) -> None:
    """Write a PKCS#12 file with a new ECDSA P-256 key and a self-signed document-signing certificate.

    The certificate asserts the key usages a PDF signature needs (digitalSignature and
    nonRepudiation) and, as extended key usages, the RFC 9336 document-signing purpose together with
    emailProtection, without which NSS-based readers (Poppler's pdfsig, Evince, Okular) call the
    certificate faulty rather than merely untrusted. A self-signed certificate is
    trusted by whoever is told to trust it (see ``pades.certificate_pem_from_pkcs12``); production
    installations would rather use a certificate from a CA their readers already trust.
    The file is written atomically with mode 0600, replacing any previous one.
    """
    if days < 1:
        raise ValueError("days must be at least 1")
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization),
        ]
    )
    now = dt.datetime.now(dt.UTC)
    public_key = key.public_key()
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))  # tolerate clocks a little behind
        .not_valid_after(now + dt.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,  # nonRepudiation
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage(_PDF_SIGNER_PURPOSES), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .sign(key, hashes.SHA256())
    )
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(passphrase.encode("utf-8"))
        if passphrase
        else serialization.NoEncryption()
    )
    data = pkcs12.serialize_key_and_certificates(
        common_name.encode("utf-8"), key, certificate, None, encryption
    )
    _write_atomically(Path(path), data, replace=True)


def ensure_file(path: str | Path, make: Callable[[], bytes | str]) -> Path:
    """Create ``path`` with the output of ``make()`` (mode 0600) unless it already exists.

    Returns the path. Used by the demo settings to create ``var/signing_key.pem`` on first start;
    when two processes race, the first file written wins and both read the same key afterwards.
    Missing parent directories are created (mode 0700).
    """
    target = Path(path)
    if target.exists():
        return target
    content = make()
    data = content.encode("utf-8") if isinstance(content, str) else content
    _write_atomically(target, data, replace=False)
    return target


def _write_atomically(target: Path, data: bytes, *, replace: bool) -> None:
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    # mkstemp creates the file with mode 0600, in the target's directory so the rename is atomic.
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if replace:
            os.replace(tmp, target)
        else:
            try:
                os.link(tmp, target)  # atomic and never overwrites: FileExistsError if a racer won
            except FileExistsError:
                pass
            except OSError:  # a file system without hard links: narrow the race as far as it goes
                if not target.exists():
                    os.replace(tmp, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
