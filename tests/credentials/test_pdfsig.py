"""What Poppler's ``pdfsig`` (NSS underneath, as in Evince and Okular) says of a certificate PDF.

A reader opening the file in those viewers must see a valid signature over the whole document
whose only remark on the certificate is that nobody told NSS to trust its issuer, never that the
certificate is faulty. ``pdfsig`` comes from Debian's poppler-utils (scripts/system-deps.sh); when
it is missing these tests fail, they never skip.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID

from cert_plugin import api
from cert_plugin.credentials import keys
from cert_plugin.credentials.keys import write_self_signed_pkcs12
from cert_plugin.credentials.pades import certificate_pem_from_pkcs12, validate_pdf_signature

PASSPHRASE = "pdfsig"
DOCUMENT_SIGNING = x509.ObjectIdentifier("1.3.6.1.5.5.7.3.36")
# pdfsig's verdict on a self-signed certificate NSS has not been told to trust (the only acceptable
# remark), and the one on a certificate NSS refuses for what it is (SEC_ERROR_INADEQUATE_CERT_TYPE).
UNTRUSTED_ISSUER = "  - Certificate Validation: Certificate issuer is unknown."
FAULTY_CERTIFICATE = "  - Certificate Validation: Unknown issue with Certificate or corrupted data."


def _pdfsig(pdf: bytes, directory: Path) -> list[str]:
    executable = shutil.which("pdfsig")
    if executable is None:
        pytest.fail("These tests need Poppler's pdfsig: run scripts/system-deps.sh (Debian package "
                    "'poppler-utils').", pytrace=False)
    path = directory / "certificate.pdf"
    path.write_bytes(pdf)
    # A HOME of its own: no NSS database of whoever runs the tests takes part (NSS starts without
    # one), and -no-ocsp: no network.
    done = subprocess.run([executable, "-no-ocsp", str(path)], capture_output=True, text=True, check=True,
                          timeout=60, env={"HOME": str(directory), "PATH": "/usr/bin:/bin"})
    return done.stdout.splitlines()


def _render(lms, settings, pkcs12_path: Path, **extra: str) -> bytes:
    """A certificate PDF as the plugin renders it, signed with the PKCS#12 file at ``pkcs12_path``."""
    settings.CERT_PLUGIN = {**settings.CERT_PLUGIN,
                            "PDF_SIGNING": {"PKCS12": str(pkcs12_path), "PASSPHRASE": PASSPHRASE, **extra}}
    course = lms.course()
    api.configure_course(course.course_key)
    learner = lms.learner(course, name="Amelia Okafor")
    lms.complete_all(learner, course)
    lms.pass_all_quizzes(learner, course)
    [certificate] = api.certificates_for(learner)
    return api.render_pdf(certificate)


def test_the_generated_certificate_names_document_signing_and_email_protection(tmp_path):
    path = tmp_path / "signer.p12"
    write_self_signed_pkcs12(path, common_name="Northwind", organization="Northwind", passphrase=PASSPHRASE)
    _key, certificate, _others = pkcs12.load_key_and_certificates(path.read_bytes(), PASSPHRASE.encode())
    assert certificate is not None
    purposes = certificate.extensions.get_extension_for_class(x509.ExtendedKeyUsage)
    assert list(purposes.value) == [DOCUMENT_SIGNING, ExtendedKeyUsageOID.EMAIL_PROTECTION]
    assert not purposes.critical


def test_pdfsig_finds_the_signature_valid_and_the_certificate_only_untrusted(lms, settings, tmp_path):
    path = tmp_path / "signer.p12"
    write_self_signed_pkcs12(path, common_name="Northwind Institute of Technology",
                             organization="Northwind Institute of Technology", passphrase=PASSPHRASE)
    pdf = _render(lms, settings, path)
    # pyHanko, trusting the certificate, agrees.
    result = validate_pdf_signature(pdf, trust_pem=certificate_pem_from_pkcs12(path, PASSPHRASE))
    assert [result[k] for k in ("intact", "valid", "trusted")] == [True, True, True]

    report = _pdfsig(pdf, tmp_path)
    assert report[1:] == [
        "Signature #1:",
        "  - Signature Field Name: CertificateSignature",
        "  - Signer Certificate Common Name: Northwind Institute of Technology",
        ("  - Signer full Distinguished Name: "
         "O=Northwind Institute of Technology,CN=Northwind Institute of Technology"),
        *[line for line in report if line.startswith("  - Signing Time: ")],
        "  - Signing Hash Algorithm: SHA-256",
        "  - Signature Type: ETSI.CAdES.detached",
        *[line for line in report if line.startswith("  - Signed Ranges: ")],
        "  - Total document signed",
        "  - Signature Validation: Signature is Valid.",
        UNTRUSTED_ISSUER,
    ]


def test_pdfsig_reports_the_old_document_signing_only_certificate_as_faulty(lms, settings, tmp_path,
                                                                           monkeypatch):
    # What write_self_signed_pkcs12 made before: id-kp-documentSigning as the only key purpose.
    monkeypatch.setattr(keys, "_PDF_SIGNER_PURPOSES", [DOCUMENT_SIGNING])
    path = tmp_path / "old.p12"
    write_self_signed_pkcs12(path, common_name="Northwind", organization="Northwind", passphrase=PASSPHRASE)
    report = _pdfsig(_render(lms, settings, path), tmp_path)
    assert "  - Signature Validation: Signature is Valid." in report
    assert FAULTY_CERTIFICATE in report
    assert UNTRUSTED_ISSUER not in report


def test_pdfsig_accepts_a_timestamped_signature(lms, settings, tmp_path, timestamp_authority):
    path = tmp_path / "signer.p12"
    write_self_signed_pkcs12(path, common_name="Northwind", organization="Northwind", passphrase=PASSPHRASE)
    pdf = _render(lms, settings, path, TSA_URL=timestamp_authority.url)
    assert validate_pdf_signature(pdf)["timestamp"] is not None

    report = _pdfsig(pdf, tmp_path)
    # Poppler 22.12 (Debian 12) shows no timestamp line of its own: the token must simply not
    # disturb it (same verdicts as without one).
    assert "  - Total document signed" in report
    assert "  - Signature Validation: Signature is Valid." in report
    assert report[-1] == UNTRUSTED_ISSUER
