"""PAdES signatures on certificate PDFs: a reader's PDF software can tell who signed it and
whether it changed since, and PDF/A files stay PDF/A."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import os
import re
import threading
from pathlib import Path

import pypdf
import pytest
import weasyprint
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from cert_plugin.credentials import pades
from cert_plugin.credentials.keys import write_self_signed_pkcs12
from cert_plugin.credentials.pades import (
    PdfSigningError,
    certificate_pem_from_pkcs12,
    sign_pdf,
    signature_status,
    validate_pdf_signature,
)
from tests.credentials.conftest import PASSPHRASE

HTML = "<h1>Certificate of completion</h1><p>Amelia Okafor — مريم الحسيني — 李小龙</p>"


@pytest.fixture(scope="module")
def plain_pdf() -> bytes:
    return weasyprint.HTML(string=HTML).write_pdf()


@pytest.fixture(scope="module")
def pdfa_pdf() -> bytes:
    return weasyprint.HTML(string=HTML).write_pdf(pdf_variant="pdf/a-3b")


@pytest.fixture(scope="module")
def signed_pdfa(pdfa_pdf, pkcs12_path) -> bytes:
    return sign_pdf(pdfa_pdf, pkcs12_path=pkcs12_path, passphrase=PASSPHRASE, signer_name="Registrar",
                    location="Lagos")


def _byte_range(signed: bytes) -> list[int]:
    match = re.search(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", signed)
    assert match, "no /ByteRange in the signed PDF"
    return [int(n) for n in match.groups()]


@pytest.mark.parametrize("variant", ["plain_pdf", "pdfa_pdf"])
def test_signed_pdf_validates_intact_valid_and_trusted(request, variant, pkcs12_path, trust_pem):
    original = request.getfixturevalue(variant)
    signed = sign_pdf(original, pkcs12_path=pkcs12_path, passphrase=PASSPHRASE)

    assert signed.startswith(original)  # an incremental update: the rendered bytes are untouched
    result = validate_pdf_signature(signed, trust_pem=trust_pem)
    assert [result[k] for k in ("signed", "intact", "valid", "trusted")] == [True, True, True, True]
    assert result["modified"] is False
    assert result["signer"] == "Northwind Certificates"
    assert abs(result["signed_at"] - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=1)
    assert result["timestamp"] is None  # no timestamp authority configured: PAdES B-B
    start, _first, second, rest = _byte_range(signed)
    assert (start, second + rest) == (0, len(signed))  # the signature covers the whole file


def test_signature_is_invisible_pades_in_a_named_field(signed_pdfa):
    reader = pypdf.PdfReader(io.BytesIO(signed_pdfa))
    fields = reader.get_fields() or {}
    assert list(fields) == ["CertificateSignature"]
    value = fields["CertificateSignature"]["/V"]
    assert value["/SubFilter"] == "/ETSI.CAdES.detached"
    assert value["/Reason"] == "Certificate issued"
    assert value["/Location"] == "Lagos"
    assert value["/Name"] == "Registrar"
    widget = reader.pages[0]["/Annots"][0].get_object()
    assert [float(n) for n in widget["/Rect"]] == [0, 0, 0, 0]


def test_pdfa_identification_and_metadata_survive_signing(pdfa_pdf, signed_pdfa):
    before = pypdf.PdfReader(io.BytesIO(pdfa_pdf))
    after = pypdf.PdfReader(io.BytesIO(signed_pdfa))
    xmp = after.xmp_metadata
    assert xmp is not None
    packet = xmp.stream.get_data()
    assert re.search(rb'pdfaid:part="3"|<pdfaid:part>3<', packet)
    assert re.search(rb'pdfaid:conformance="B"|<pdfaid:conformance>B<', packet)
    # ISO 19005 wants the info dictionary and XMP to agree: both stay as WeasyPrint wrote them.
    assert packet == before.xmp_metadata.stream.get_data()
    assert after.metadata == before.metadata
    # PDF/A-3 is PDF 1.x: the catalog must not be bumped to PDF 2.0.
    assert "/Version" not in after.trailer["/Root"]
    assert signed_pdfa.startswith(b"%PDF-1.")


def test_without_trusting_the_certificate_it_is_intact_but_not_trusted(signed_pdfa, tmp_path):
    result = validate_pdf_signature(signed_pdfa)
    assert (result["signed"], result["intact"], result["valid"]) == (True, True, True)
    assert result["trusted"] is False

    stranger = tmp_path / "stranger.p12"
    write_self_signed_pkcs12(stranger, common_name="Northwind Certificates", organization="Northwind Academy",
                             passphrase="x")
    other = validate_pdf_signature(signed_pdfa, trust_pem=certificate_pem_from_pkcs12(stranger, "x"))
    assert other["intact"] is True
    assert other["trusted"] is False


def test_one_flipped_byte_in_the_signed_range_breaks_integrity(signed_pdfa, trust_pem):
    _start, first, _second, _rest = _byte_range(signed_pdfa)
    # A byte inside the first stream's data (the ICC profile): the file still parses.
    offset = signed_pdfa.index(b"stream\n") + len(b"stream\n") + 40
    assert offset < first
    tampered = bytearray(signed_pdfa)
    tampered[offset] ^= 0xFF
    result = validate_pdf_signature(bytes(tampered), trust_pem=trust_pem)
    assert result["signed"] is True
    assert result["intact"] is False


def test_content_appended_after_signing_is_reported(signed_pdfa, trust_pem):
    writer = pypdf.PdfWriter(io.BytesIO(signed_pdfa), incremental=True)
    writer.add_blank_page()
    out = io.BytesIO()
    writer.write(out)
    result = validate_pdf_signature(out.getvalue(), trust_pem=trust_pem)
    assert result["intact"] is True  # the signed revision itself is untouched...
    assert result["modified"] is True  # ...but the document shown is not the one signed


def test_unsigned_pdf(plain_pdf):
    assert validate_pdf_signature(plain_pdf) == {
        "signed": False, "intact": False, "valid": False, "trusted": False, "signer": "", "signed_at": None,
        "timestamp": None, "modified": False,
    }


def test_signing_a_signed_pdf_adds_a_second_field(signed_pdfa, pkcs12_path, trust_pem):
    twice = sign_pdf(signed_pdfa, pkcs12_path=pkcs12_path, passphrase=PASSPHRASE)
    fields = pypdf.PdfReader(io.BytesIO(twice)).get_fields() or {}
    assert sorted(fields) == ["CertificateSignature", "CertificateSignature2"]
    assert validate_pdf_signature(twice, trust_pem=trust_pem)["intact"]


def test_wrong_passphrase(plain_pdf, pkcs12_path):
    with pytest.raises(PdfSigningError, match="wrong passphrase"):
        sign_pdf(plain_pdf, pkcs12_path=pkcs12_path, passphrase="not it")
    with pytest.raises(PdfSigningError, match="wrong passphrase"):
        sign_pdf(plain_pdf, pkcs12_path=pkcs12_path, passphrase=None)


def test_missing_or_bogus_pkcs12_file(plain_pdf, tmp_path):
    with pytest.raises(PdfSigningError, match=r"cannot be read.*PDF_SIGNING"):
        sign_pdf(plain_pdf, pkcs12_path=str(tmp_path / "nowhere.p12"), passphrase=PASSPHRASE)
    bogus = tmp_path / "bogus.p12"
    bogus.write_bytes(b"not a pkcs12 file")
    with pytest.raises(PdfSigningError, match="could not be opened"):
        sign_pdf(plain_pdf, pkcs12_path=str(bogus), passphrase=PASSPHRASE)


@pytest.mark.parametrize("garbage", [b"", b"not a pdf at all", b"%PDF-1.7\n%%EOF\n"])
def test_bad_pdf(garbage, pkcs12_path):
    with pytest.raises(PdfSigningError, match="not a readable PDF"):
        sign_pdf(garbage, pkcs12_path=pkcs12_path, passphrase=PASSPHRASE)
    with pytest.raises(PdfSigningError, match="not a readable PDF"):
        validate_pdf_signature(garbage)


def test_the_loaded_signer_is_reused(plain_pdf, pkcs12_path, trust_pem):
    pades._load_signer.cache_clear()
    first = sign_pdf(plain_pdf, pkcs12_path=pkcs12_path, passphrase=PASSPHRASE)
    second = sign_pdf(plain_pdf, pkcs12_path=pkcs12_path, passphrase=PASSPHRASE.encode())
    info = pades._load_signer.cache_info()
    assert (info.misses, info.hits) == (1, 1)
    # The room for the signature, measured on the first one, fits the next ones.
    assert pades._signer_for(pkcs12_path, PASSPHRASE).reserved_room[""]
    assert len(second) == len(first)
    assert validate_pdf_signature(second, trust_pem=trust_pem)["intact"] is True


def test_a_replaced_pkcs12_file_is_picked_up(plain_pdf, tmp_path):
    path = tmp_path / "renewed.p12"
    write_self_signed_pkcs12(path, common_name="Old", organization="N", passphrase="pw")
    signed = sign_pdf(plain_pdf, pkcs12_path=str(path), passphrase="pw")
    assert validate_pdf_signature(signed)["signer"] == "Old"
    write_self_signed_pkcs12(path, common_name="Renewed", organization="N", passphrase="pw")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))  # even within one clock tick
    signed = sign_pdf(plain_pdf, pkcs12_path=str(path), passphrase="pw")
    assert validate_pdf_signature(signed)["signer"] == "Renewed"


def test_sync_call_works_inside_a_running_event_loop_and_in_threads(plain_pdf, pkcs12_path, trust_pem):
    async def view() -> bytes:  # async code calling the sync API directly
        return sign_pdf(plain_pdf, pkcs12_path=pkcs12_path, passphrase=PASSPHRASE)

    assert validate_pdf_signature(asyncio.run(view()), trust_pem=trust_pem)["trusted"]

    results: list[bytes] = []
    threads = [
        threading.Thread(target=lambda: results.append(
            sign_pdf(plain_pdf, pkcs12_path=pkcs12_path, passphrase=PASSPHRASE)))
        for _ in range(3)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 3
    assert all(validate_pdf_signature(r, trust_pem=trust_pem)["intact"] for r in results)


def _rsa_pkcs12(tmp_path):
    """A bare self-signed RSA certificate (no extensions at all) in a PKCS#12 file, passphrase pw."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Registrar (RSA)")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(minutes=1))
        .not_valid_after(now + dt.timedelta(days=1)).sign(key, hashes.SHA256())
    )
    path = tmp_path / "rsa.p12"
    path.write_bytes(pkcs12.serialize_key_and_certificates(
        b"rsa", key, cert, None, serialization.BestAvailableEncryption(b"pw")))
    return path, key, cert


def test_an_rsa_pkcs12_from_a_ca_works_too(plain_pdf, tmp_path):
    # Installers may bring their own certificate (often RSA) instead of the generated one. It has no
    # key usage extension: trusted directly, it is trusted on every supported pyHanko (0.26 too).
    path, _key, cert = _rsa_pkcs12(tmp_path)
    signed = sign_pdf(plain_pdf, pkcs12_path=str(path), passphrase="pw")
    trust = cert.public_bytes(serialization.Encoding.PEM).decode()
    result = validate_pdf_signature(signed, trust_pem=trust)
    assert [result[k] for k in ("intact", "valid", "trusted")] == [True, True, True]
    assert result["signer"] == "Registrar (RSA)"


def test_an_rsa_key_signs_with_pss_when_pss_is_preferred(tmp_path):
    """The RSASSA-PSS branch of the signer (padding and digests read from the mechanism's parameters)."""
    path, key, _cert = _rsa_pkcs12(tmp_path)
    signer = pades._load_signer(str(path), b"pw", 0)
    signer.prefer_pss = True
    assert signer.get_signature_mechanism_for_digest("sha256")["algorithm"].native == "rsassa_pss"
    signature = signer.sign_raw(b"certificate bytes", "sha256")
    key.public_key().verify(signature, b"certificate bytes",
                            padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.AUTO),
                            hashes.SHA256())


def test_a_trust_pem_that_is_not_a_certificate(signed_pdfa):
    broken = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"
    with pytest.raises(PdfSigningError, match=r"not a PEM X\.509 certificate"):
        validate_pdf_signature(signed_pdfa, trust_pem=broken)


def test_certificate_pem_from_pkcs12(pkcs12_path):
    pem = certificate_pem_from_pkcs12(Path(pkcs12_path), PASSPHRASE)
    assert pem.startswith("-----BEGIN CERTIFICATE-----")
    with pytest.raises(PdfSigningError, match="wrong passphrase"):
        certificate_pem_from_pkcs12(pkcs12_path, "nope")


# ------------------------------------------------------------------ signature_status (verify by file)


@pytest.fixture(scope="module")
def signed_readable(pkcs12_path) -> bytes:
    """A signed PDF whose page content is not compressed, so a test can change what it shows."""
    original = weasyprint.HTML(string=HTML).write_pdf(pdf_variant="pdf/a-3b", uncompressed_pdf=True)
    return sign_pdf(original, pkcs12_path=pkcs12_path, passphrase=PASSPHRASE)


def test_status_of_a_signed_pdf_is_valid_for_its_signer_or_any(signed_readable, trust_pem):
    assert signature_status(signed_readable, certificate_pem=trust_pem) == "valid"
    assert signature_status(signed_readable, certificate_pem=None) == "valid"


def test_status_when_one_shown_letter_changed_is_invalid(signed_readable, trust_pem):
    # The heading's first glyph becomes another glyph of the embedded font subset.
    offset = signed_readable.index(b"[<0026") + len(b"[<002")  # one glyph per <> or all in one
    assert offset < _byte_range(signed_readable)[1]
    tampered = bytearray(signed_readable)
    tampered[offset : offset + 1] = b"7"
    assert pypdf.PdfReader(io.BytesIO(bytes(tampered))).pages[0].extract_text().startswith("'ertificate")
    assert signature_status(bytes(tampered), certificate_pem=trust_pem) == "invalid"
    assert signature_status(bytes(tampered), certificate_pem=None) == "invalid"


def test_status_with_an_update_or_bytes_after_the_signature_is_invalid(signed_readable, trust_pem):
    writer = pypdf.PdfWriter(io.BytesIO(signed_readable), incremental=True)
    writer.add_blank_page()
    out = io.BytesIO()
    writer.write(out)
    assert signature_status(out.getvalue(), certificate_pem=trust_pem) == "invalid"
    assert signature_status(signed_readable + b"\n", certificate_pem=trust_pem) == "invalid"


def test_status_signed_by_another_certificate_is_invalid(signed_readable, tmp_path):
    other = tmp_path / "other.p12"
    write_self_signed_pkcs12(other, common_name="Northwind Certificates", organization="Northwind Academy",
                             passphrase="x")
    other_pem = certificate_pem_from_pkcs12(other, "x")
    assert signature_status(signed_readable, certificate_pem=other_pem) == "invalid"
    # The same document signed by that other certificate is valid for it (and only for it).
    resigned = sign_pdf(weasyprint.HTML(string=HTML).write_pdf(pdf_variant="pdf/a-3b"),
                        pkcs12_path=str(other), passphrase="x")
    assert signature_status(resigned, certificate_pem=other_pem) == "valid"


def test_status_of_an_unsigned_pdf_is_absent(plain_pdf, trust_pem):
    assert signature_status(plain_pdf, certificate_pem=trust_pem) == "absent"


def test_status_never_raises_on_junk(signed_readable, trust_pem):
    random = os.urandom(4096)
    assert signature_status(b"", certificate_pem=trust_pem) == "absent"
    assert signature_status(b"not a pdf", certificate_pem=trust_pem) == "absent"
    assert signature_status(random, certificate_pem=trust_pem) in ("absent", "invalid")
    assert signature_status(b"%PDF-1.7\n" + random, certificate_pem=None) in ("absent", "invalid")
    _start, first, second, _rest = _byte_range(signed_readable)
    # Cut anywhere (the signature dictionary gone or not, inside the signature's hex or after it):
    # never "valid", never an exception.
    for cut in (100, first // 2, first - 10, first + 500, second + 10, len(signed_readable) - 1):
        assert signature_status(signed_readable[:cut], certificate_pem=trust_pem) in ("absent", "invalid")
    # A signed file cut after its signature dictionary but before its end: the dictionary is there.
    assert signature_status(signed_readable[: len(signed_readable) - 1], certificate_pem=None) == "invalid"
    # Bytes overwritten one at a time across the file: never "valid", never an exception.
    for offset in range(0, len(signed_readable), len(signed_readable) // 40):
        broken = bytearray(signed_readable)
        broken[offset] ^= 0x5A
        assert signature_status(bytes(broken), certificate_pem=trust_pem) in ("invalid", "absent")


def test_status_with_a_certificate_that_is_not_pem(signed_readable):
    with pytest.raises(PdfSigningError, match="not a PEM"):
        signature_status(signed_readable, certificate_pem="not a certificate")
