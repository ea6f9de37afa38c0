"""Checking a certificate by its file (issue 15, part 4): ``verify-file`` and ``api-verify-file``.

Anyone drops the PDF or PNG they were handed; the answer comes from the credential the file
carries (verified with this issuer's keys only), the certificate it names (revoked? expired?)
and, for a PDF, the institution's PAdES signature. Junk of any kind is answered, never a 500,
and nothing is stored.
"""

from __future__ import annotations

import io
import os
from datetime import timedelta
from pathlib import Path

import pypdf
import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from cert_plugin import api
from cert_plugin.credentials import baking, keys, pades
from cert_plugin.models import Certificate
from tests.helpers import client_for, edited_pdf, html_of, issued, squash

API = "cert_plugin:api-verify-file"
PAGE = "cert_plugin:verify-file"


@pytest.fixture
def earned(lms):
    return issued(lms)


def _post(name: str, content: bytes, filename: str = "certificate.pdf", client=None):
    upload = SimpleUploadedFile(filename, content, content_type="application/octet-stream")
    return (client or client_for()).post(reverse(name), {"file": upload})


def _answer(content: bytes, filename: str = "certificate.pdf") -> dict:
    response = _post(API, content, filename)
    assert response.status_code == 200, response.content[:300]
    assert response["Cache-Control"] == "no-store"
    return response.json()


def _jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), "orange").save(buffer, format="JPEG")
    return buffer.getvalue()


def _tampered(png: bytes) -> bytes:
    """The PNG re-baked with its credential's payload changed by one character."""
    header, payload, signature = baking.png_credential(png).split(".")
    middle = len(payload) // 2
    swapped = payload[:middle] + ("A" if payload[middle] != "A" else "B") + payload[middle + 1:]
    return baking.bake_png(png, f"{header}.{swapped}.{signature}")


def _row_counts() -> dict[str, int]:
    models = apps.get_app_config("cert_plugin").get_models()
    return {model.__name__: model.objects.count() for model in models}


def _stored_files() -> set[str]:
    root = Path(django_settings.MEDIA_ROOT)
    return {str(path) for path in root.rglob("*")} if root.exists() else set()


# --------------------------------------------------------------------------- the JSON twin


def test_the_certificate_pdf_is_valid_and_so_is_its_signature(earned):
    _, _, certificate = earned

    answer = _answer(api.render_pdf(certificate))

    assert answer == {
        "status": "valid", "code": certificate.formatted_code, "learner_name": "Amelia Okafor",
        "course_title": certificate.course_title,
        "issued_at": certificate.issued_at.isoformat().replace("+00:00", "Z"), "pdf_signature": "valid",
    }


@pytest.mark.parametrize("dpi", [150, 300])
def test_the_certificate_png_is_valid(earned, dpi):
    _, _, certificate = earned

    answer = _answer(api.render_png(certificate, dpi=dpi), "certificate.png")

    assert answer["status"] == "valid"
    assert answer["code"] == certificate.formatted_code
    assert answer["pdf_signature"] == "absent"


def test_the_small_png_copy_is_valid_too(earned):
    _, learner, certificate = earned
    small = client_for(learner).get(reverse("cert_plugin:download-png", args=[certificate.formatted_code])
                                    + "?width=600").content

    assert _answer(small, "small.png")["status"] == "valid"


def test_a_revoked_certificates_files_say_revoked(earned):
    _, _, certificate = earned
    pdf, png = api.render_pdf(certificate), api.render_png(certificate)

    api.revoke(certificate, reason="Issued in error")

    assert _answer(pdf)["status"] == "revoked"
    assert _answer(png, "c.png")["status"] == "revoked"


def test_an_expired_certificates_file_says_expired(lms):
    _, _, certificate = issued(lms, validity_days=365)
    pdf = api.render_pdf(certificate)
    Certificate.objects.filter(pk=certificate.pk).update(expires_at=timezone.now() - timedelta(days=1))

    answer = _answer(pdf)

    assert answer["status"] == "expired"
    assert answer["code"] == certificate.formatted_code


def test_a_pdf_edited_after_signing_is_altered(earned):
    _, _, certificate = earned

    answer = _answer(edited_pdf(api.render_pdf(certificate)))

    assert answer["status"] == "altered"
    assert answer["pdf_signature"] == "invalid"


def _unsigned(pdf: bytes) -> bytes:
    """The PDF's pages written anew, without the signature, with its genuine credential.jwt attached
    again: how one would hide an edit to what the page shows."""
    writer = pypdf.PdfWriter()
    for page in pypdf.PdfReader(io.BytesIO(pdf)).pages:
        if "/Annots" in page:  # the signature's widget, which holds the signature
            del page["/Annots"]
        writer.add_page(page)
    writer.add_attachment("credential.jwt", baking.pdf_credential(pdf).encode())
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_a_pdf_whose_signature_was_removed_is_altered(earned):
    _, _, certificate = earned
    stripped = _unsigned(api.render_pdf(certificate))
    assert baking.pdf_credential(stripped) is not None  # the genuine credential is still inside

    answer = _answer(stripped)

    assert answer["pdf_signature"] == "absent"
    assert answer["status"] == "altered"


def test_an_unsigned_pdf_this_site_rendered_before_it_signed_pdfs_is_valid(earned, settings):
    _, _, certificate = earned
    signing = settings.CERT_PLUGIN["PDF_SIGNING"]
    assert signing
    settings.CERT_PLUGIN = {**settings.CERT_PLUGIN, "PDF_SIGNING": None}
    api.reissue(certificate, reason="rendered while PDFs were not signed")
    certificate.refresh_from_db()
    unsigned = api.render_pdf(certificate)
    settings.CERT_PLUGIN = {**settings.CERT_PLUGIN, "PDF_SIGNING": signing}

    answer = _answer(unsigned)

    assert (answer["status"], answer["pdf_signature"]) == ("valid", "absent")


def _other_institution(tmp_path, name: str = "Someone Else") -> dict:
    path = tmp_path / f"{name}.p12"
    keys.write_self_signed_pkcs12(path, common_name=name, organization=name, passphrase="pw")
    return {"PKCS12": str(path), "PASSPHRASE": "pw"}


def test_replacing_the_institution_certificate_keeps_earlier_pdfs_valid(earned, settings, tmp_path):
    _, _, certificate = earned
    issued_pdf = api.render_pdf(certificate)  # signed with the certificate of the time, and kept
    settings.CERT_PLUGIN = {**settings.CERT_PLUGIN, "PDF_SIGNING": _other_institution(tmp_path, "Renewed")}

    answer = _answer(issued_pdf)

    assert (answer["status"], answer["pdf_signature"]) == ("valid", "valid")


def test_a_pdf_signed_again_by_someone_else_is_altered(earned, tmp_path):
    _, _, certificate = earned
    forger = _other_institution(tmp_path)
    resigned = pades.sign_pdf(_unsigned(api.render_pdf(certificate)), pkcs12_path=forger["PKCS12"],
                              passphrase=forger["PASSPHRASE"])

    answer = _answer(resigned)

    assert (answer["status"], answer["pdf_signature"]) == ("altered", "invalid")


def test_a_png_whose_credential_was_tampered_with_is_altered(earned):
    _, _, certificate = earned

    answer = _answer(_tampered(api.render_png(certificate)), "c.png")

    assert answer == {"status": "altered", "code": None, "learner_name": None, "course_title": None,
                      "issued_at": None, "pdf_signature": "absent"}


def test_a_credential_whose_key_is_not_among_the_issuers_keys_is_altered(earned, monkeypatch):
    from cert_plugin.domain import file_check

    _, _, certificate = earned
    png = api.render_png(certificate)
    published = api.issuer_jwks()
    # Only this issuer's keys count: the same file checked by a site that publishes other keys.
    monkeypatch.setattr(file_check, "issuer_jwks", lambda: {"keys": [
        {**key, "x": key["x"][::-1]} for key in published["keys"]]})

    assert _answer(png, "c.png")["status"] == "altered"


@pytest.mark.parametrize(("content", "filename"), [
    (_jpeg(), "cat.jpg"), (_jpeg(), "cat.png"), (os.urandom(5000), "random.pdf"), (b"", "empty.pdf"),
    (b"%PDF-1.7\n" + os.urandom(3000), "broken.pdf"), (b"\x89PNG\r\n\x1a\n" + os.urandom(300), "broken.png"),
    (b"GIF89a" + os.urandom(100), "x.gif"),
])
def test_anything_else_carries_no_credential(lms, content, filename):
    answer = _answer(content, filename)

    assert answer["status"] == "no_credential"
    assert answer["code"] is None
    assert answer["pdf_signature"] in {"absent", "invalid"}


def test_a_plain_png_and_an_unsigned_pdf_carry_no_credential(lms):
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), "navy").save(buffer, format="PNG")
    assert _answer(buffer.getvalue(), "plain.png")["status"] == "no_credential"
    plain_pdf = pypdf.PdfWriter()
    plain_pdf.add_blank_page(100, 100)
    out = io.BytesIO()
    plain_pdf.write(out)
    assert _answer(out.getvalue()) == {"status": "no_credential", "code": None, "learner_name": None,
                                       "course_title": None, "issued_at": None, "pdf_signature": "absent"}


def test_an_oversized_file_is_a_clear_413(lms):
    response = _post(API, b"%PDF-1.7\n" + b"0" * (api.MAX_CHECKED_FILE_BYTES + 1))

    assert response.status_code == 413
    assert "10 MB" in response.json()["error"]


def test_a_file_just_under_the_limit_is_read(lms):
    response = _post(API, b"%PDF-1.7\n" + b"0" * (api.MAX_CHECKED_FILE_BYTES - 100))

    assert response.status_code == 200
    assert response.json()["status"] == "no_credential"


@pytest.mark.parametrize("body", [{}, {"other": "x"}])
def test_no_file_is_a_clear_400(lms, body):
    response = client_for().post(reverse(API), body)

    assert response.status_code == 400
    assert '"file"' in response.json()["error"]


def test_a_json_body_is_a_clear_400(lms):
    response = client_for().post(reverse(API), data=b'{"file": "x"}', content_type="application/json")

    assert response.status_code == 400


def test_nothing_is_stored(earned):
    _, _, certificate = earned
    pdf, png = api.render_pdf(certificate), api.render_png(certificate)
    rows, files = _row_counts(), _stored_files()

    for content, name in [(pdf, "c.pdf"), (png, "c.png"), (edited_pdf(pdf), "e.pdf"),
                          (_tampered(png), "t.png"), (_jpeg(), "cat.jpg")]:
        assert _post(API, content, name).status_code == 200
        assert _post(PAGE, content, name).status_code == 200

    assert _row_counts() == rows
    assert _stored_files() == files


def test_it_shares_the_verify_rate_limit(earned, settings, one_window):
    settings.CERT_PLUGIN = {**settings.CERT_PLUGIN, "VERIFY_RATE": "2/m"}
    client = client_for()
    client.get(reverse("cert_plugin:api-verify", args=[earned[2].formatted_code]))
    assert _post(API, _jpeg(), client=client).status_code == 200

    response = _post(API, _jpeg(), client=client)

    assert response.status_code == 429
    assert response.json()["status"] == "rate_limited"
    assert int(response["Retry-After"]) >= 1
    assert _post(PAGE, _jpeg(), client=client).status_code == 429


def test_a_signed_in_visitor_needs_no_csrf_token(earned):
    _, learner, certificate = earned
    client = client_for(learner)
    client.handler.enforce_csrf_checks = True

    response = _post(API, api.render_pdf(certificate), client=client)

    assert response.status_code == 200
    assert response.json()["status"] == "valid"


# --------------------------------------------------------------------------- the page


def test_the_verify_form_offers_a_file_form_that_works_without_javascript(lms):
    page = html_of(client_for().get(reverse("cert_plugin:verify-form")))

    [form] = page.xpath("//*[@id='cp-file']//form")
    assert form.get("method") == "post"
    assert form.get("action") == reverse(PAGE)
    assert form.get("enctype") == "multipart/form-data"
    [field] = form.xpath(".//input[@type='file'][@name='file']")
    assert page.xpath(f"//label[@for='{field.get('id')}']")
    assert form.xpath(".//button[@type='submit']")
    assert "Check a certificate file" in squash(page.text_content())
    assert [src for src in page.xpath("//script/@src") if src.endswith("verify_file.js")]
    assert not [script for script in page.xpath("//script") if (script.text or "").strip()]  # none inline


def test_the_page_says_valid_with_the_certificates_details(earned):
    _, _, certificate = earned
    client = client_for()
    client.handler.enforce_csrf_checks = True  # anonymous, straight from the form: no token needed

    response = _post(PAGE, api.render_pdf(certificate), client=client)

    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")
    text = squash(html_of(response).text_content())
    assert "This certificate file is valid" in text
    assert "Amelia Okafor" in text
    assert certificate.formatted_code in text
    assert "Signed by the institution, unchanged" in text
    verify_url = reverse("cert_plugin:verify", args=[certificate.formatted_code])
    assert html_of(response).xpath(f"//a[@href='{verify_url}']")


@pytest.mark.parametrize(("make", "filename", "expected"), [
    (lambda c: api.render_png(c), "c.png", "This certificate file is valid"),
    (lambda c: edited_pdf(api.render_pdf(c)), "c.pdf", "This file has been altered"),
    (lambda c: _tampered(api.render_png(c)), "c.png", "This file has been altered"),
    (lambda c: _jpeg(), "cat.jpg", "This is not a certificate file"),
    (lambda c: b"%PDF-1.4\n%%EOF", "c.pdf", "No credential in this file"),
])
def test_the_page_answers_every_file(earned, make, filename, expected):
    response = _post(PAGE, make(earned[2]), filename)

    assert response.status_code == 200
    assert expected in squash(html_of(response).text_content())


def test_the_page_says_revoked(earned):
    _, _, certificate = earned
    pdf = api.render_pdf(certificate)
    api.revoke(certificate, reason="Issued in error")

    text = squash(html_of(_post(PAGE, pdf)).text_content())

    assert "This certificate has been revoked" in text


def test_no_file_or_too_large_returns_to_the_form_with_the_reason(lms):
    missing = client_for().post(reverse(PAGE), {})
    assert missing.status_code == 400
    page = html_of(missing)
    assert "Choose a certificate file (PDF or PNG) first." in squash(page.text_content())
    assert page.xpath("//*[@id='cp-file-input'][@aria-invalid='true']")

    large = _post(PAGE, b"%PDF-" + b"0" * (api.MAX_CHECKED_FILE_BYTES + 10))
    assert large.status_code == 413
    assert "larger than 10 MB" in squash(html_of(large).text_content())


def test_a_get_goes_back_to_the_form(lms):
    response = client_for().get(reverse(PAGE))

    assert response.status_code == 303
    assert response["Location"] == reverse("cert_plugin:verify-form") + "#cp-file"


def test_the_page_speaks_the_visitors_language(earned):
    _, _, certificate = earned
    client = client_for()

    response = client.post(reverse(PAGE), {"file": SimpleUploadedFile("c.pdf", api.render_pdf(certificate))},
                           HTTP_ACCEPT_LANGUAGE="pt-br")

    assert "This certificate file is valid" not in squash(html_of(response).text_content())
    assert html_of(response).get("lang") == "pt-br"
