"""Signature timestamps (PAdES B-T) from a real RFC 3161 timestamp authority: OpenSSL's ``ts``
behind HTTP on this machine (``timestamp_authority`` in conftest.py).

A reader's software can tell when the certificate was signed from a third party's word, not only
the institution's clock; a timestamp authority that is down never costs a certificate.
"""

from __future__ import annotations

import datetime as dt
import io
import socket

import pytest
import weasyprint
from asn1crypto import pem, x509
from django.test import Client
from django.urls import reverse
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature as pyhanko_validate
from pyhanko_certvalidator import ValidationContext

from cert_plugin import api, conf
from cert_plugin.credentials.pades import (
    PdfSigningError,
    certificate_pem_from_pkcs12,
    sign_pdf,
    signature_status,
    validate_pdf_signature,
)
from cert_plugin.models import RenderedFile
from tests.credentials.conftest import PASSPHRASE, TimestampAuthority


@pytest.fixture(scope="module")
def pdf() -> bytes:
    return weasyprint.HTML(string="<h1>Certificate of completion</h1><p>Chidi Eze</p>").write_pdf(
        pdf_variant="pdf/a-3b")


def _closed_port_url() -> str:
    with socket.socket() as sock:  # a port the system just handed out and nobody listens on now
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/tsr"


def test_with_a_tsa_the_signature_carries_its_timestamp(pdf, pkcs12_path, trust_pem, timestamp_authority):
    before = dt.datetime.now(dt.UTC).replace(microsecond=0)
    signed = sign_pdf(pdf, pkcs12_path=pkcs12_path, passphrase=PASSPHRASE, tsa_url=timestamp_authority.url)

    result = validate_pdf_signature(signed, trust_pem=trust_pem)
    assert [result[k] for k in ("signed", "intact", "valid", "trusted", "modified")] == [True] * 4 + [False]
    assert result["timestamp"] is not None
    assert before <= result["timestamp"] <= dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1)
    assert result["signed_at"] == result["timestamp"]
    assert signature_status(signed, certificate_pem=trust_pem) == "valid"

    # pyHanko's own verdict on the token: it is the TSA's, over this signature, and chains to its CA.
    embedded = PdfFileReader(io.BytesIO(signed)).embedded_signatures[0]
    status = pyhanko_validate(
        embedded,
        signer_validation_context=ValidationContext(trust_roots=[], allow_fetching=False),
        ts_validation_context=_context(timestamp_authority),
    )
    stamp = status.timestamp_validity
    assert stamp is not None
    assert (stamp.intact, stamp.valid, stamp.trusted) == (True, True, True)
    assert stamp.signing_cert.subject.native["common_name"] == "Test Timestamp Unit"


def _context(authority: TimestampAuthority) -> ValidationContext:
    _type, _headers, der = pem.unarmor(authority.ca_pem.encode())
    return ValidationContext(trust_roots=[x509.Certificate.load(der)], allow_fetching=False)


def test_later_signatures_ask_the_tsa_once_each(pdf, pkcs12_path, trust_pem, timestamp_authority):
    sign_pdf(pdf, pkcs12_path=pkcs12_path, passphrase=PASSPHRASE, tsa_url=timestamp_authority.url)
    asked = len(timestamp_authority.replies)
    signed = sign_pdf(pdf, pkcs12_path=pkcs12_path, passphrase=PASSPHRASE, tsa_url=timestamp_authority.url)
    # The room for the signature and its token is measured once; no size-estimating request after.
    assert len(timestamp_authority.replies) == asked + 1
    assert validate_pdf_signature(signed, trust_pem=trust_pem)["timestamp"] is not None


def test_signing_without_a_tsa_after_signing_with_one_still_fits(pdf, pkcs12_path, trust_pem,
                                                                 timestamp_authority):
    stamped = sign_pdf(pdf, pkcs12_path=pkcs12_path, passphrase=PASSPHRASE, tsa_url=timestamp_authority.url)
    plain = sign_pdf(pdf, pkcs12_path=pkcs12_path, passphrase=PASSPHRASE)
    assert len(plain) < len(stamped)  # its own room, not the timestamped signature's
    assert validate_pdf_signature(plain, trust_pem=trust_pem)["timestamp"] is None
    assert signature_status(plain, certificate_pem=trust_pem) == "valid"


def test_an_unreachable_tsa_is_a_clear_error(pdf, pkcs12_path):
    url = _closed_port_url()
    with pytest.raises(PdfSigningError, match=rf"timestamp authority {url} gave no timestamp .*TSA_URL"):
        sign_pdf(pdf, pkcs12_path=pkcs12_path, passphrase=PASSPHRASE, tsa_url=url)


@pytest.mark.parametrize(("path", "message"), [
    ("/error", r"gave no timestamp \(.*500"),  # an HTTP error
    ("/garbage", r"with a timestamp from .*/garbage"),  # a reply that is not a TimeStampResp
])
def test_a_tsa_answering_nonsense_is_a_clear_error(pdf, pkcs12_path, timestamp_authority, path, message):
    url = timestamp_authority.url.replace("/tsr", path)
    with pytest.raises(PdfSigningError, match=message):
        sign_pdf(pdf, pkcs12_path=pkcs12_path, passphrase=PASSPHRASE, tsa_url=url)


def test_a_tsa_that_is_down_costs_no_certificate_and_the_retry_is_timestamped(lms, settings,
                                                                              timestamp_authority):
    signing = settings.CERT_PLUGIN["PDF_SIGNING"]
    settings.CERT_PLUGIN = {**settings.CERT_PLUGIN, "PDF_SIGNING": {**signing, "TSA_URL": _closed_port_url()}}
    course = lms.course()
    api.configure_course(course.course_key)
    learner = lms.learner(course, name="Chidi Eze")
    lms.complete_all(learner, course)
    lms.pass_all_quizzes(learner, course)  # issued; the render task runs after commit and fails
    [certificate] = api.certificates_for(learner)
    certificate.refresh_from_db()

    assert "PdfSigningError" in certificate.render_error
    assert "timestamp authority" in certificate.render_error
    assert not RenderedFile.objects.filter(certificate=certificate).exists()  # no file without its timestamp
    assert api.verify(certificate.verification_code).signature_valid is True
    learner_client = Client()
    learner_client.force_login(learner)
    download = learner_client.get(reverse("cert_plugin:download-pdf", args=[certificate.formatted_code]))
    assert download.status_code == 503
    assert "still valid" in download.content.decode()

    # The TSA is back: the next download renders, signs and timestamps the file.
    settings.CERT_PLUGIN = {**settings.CERT_PLUGIN,
                            "PDF_SIGNING": {**signing, "TSA_URL": timestamp_authority.url}}
    download = learner_client.get(reverse("cert_plugin:download-pdf", args=[certificate.formatted_code]))
    assert download.status_code == 200
    content = b"".join(download.streaming_content) if download.streaming else download.content
    trust = certificate_pem_from_pkcs12(signing["PKCS12"], signing["PASSPHRASE"])
    result = validate_pdf_signature(content, trust_pem=trust)
    assert result["trusted"] is True
    assert result["timestamp"] is not None


@pytest.mark.parametrize("url", ["https://tsa.example.org/tsr", "http://127.0.0.1:3180/", "", None])
def test_tsa_url_setting_accepts_an_http_url_or_nothing(settings, url):
    signing = {**settings.CERT_PLUGIN["PDF_SIGNING"], "TSA_URL": url}
    settings.CERT_PLUGIN = {**settings.CERT_PLUGIN, "PDF_SIGNING": signing}
    assert not [p for p in conf.problems() if "TSA_URL" in p]


@pytest.mark.parametrize("url", ["tsa.example.org", "ftp://tsa.example.org/", "https://", 3180,
                                 "https://tsa.example.org/a b"])
def test_tsa_url_setting_rejects_anything_else(settings, url):
    signing = {**settings.CERT_PLUGIN["PDF_SIGNING"], "TSA_URL": url}
    settings.CERT_PLUGIN = {**settings.CERT_PLUGIN, "PDF_SIGNING": signing}
    assert [p for p in conf.problems() if "TSA_URL" in p] == [(
        'CERT_PLUGIN["PDF_SIGNING"]["TSA_URL"] must be the http(s) URL of an RFC 3161 timestamp authority, '
        'e.g. "https://freetsa.org/tsr", or be left out.'
    )]
