"""Certificates as files: what a learner downloads, what staff edit, what a verifier scans.

These run the whole path: real signals issue the certificate, the render task
stores its PDF and PNG, and the download views serve them.
"""

from __future__ import annotations

import io

import pypdf
import pytest
import zxingcpp
from django.test import Client
from django.urls import reverse
from PIL import Image

from cert_plugin import api, codes
from cert_plugin.credentials import pades
from cert_plugin.models import Certificate, RenderedFile
from cert_plugin.rendering import pdf as pdf_module

TEMPLATE_HTML = """<main>
  <h1>{{ issuer_name }} certifies {{ version_mark }}</h1>
  <p class="name" dir="auto">{{ learner_name }}</p>
  <p>{{ course_title }} ({{ hours }} hours) on {{ issued_at }}</p>
  <p>{{ verification_code }}</p>
  <div style="width: 30mm">{{ qr_svg }}</div>
</main>"""


def _template_html(mark: str) -> str:
    return TEMPLATE_HTML.replace("{{ version_mark }}", mark)


def _issued(lms, *, name="Amelia Okafor", title="Python for Data Analysis", template=None):
    course = lms.course(title=title)
    api.configure_course(course.course_key, template=template)
    learner = lms.learner(course, name=name)
    lms.pass_all_quizzes(learner, course)
    lms.complete_all(learner, course)
    [certificate] = api.certificates_for(learner)
    return course, learner, certificate


def _text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(content)).pages)


def _client(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _pdf_url(certificate) -> str:
    return reverse("cert_plugin:download-pdf", args=[certificate.formatted_code])


def _png_url(certificate) -> str:
    return reverse("cert_plugin:download-png", args=[certificate.formatted_code])


@pytest.fixture
def render_calls(monkeypatch):
    """Counts real renders (the renderer still runs)."""
    calls = []
    real = pdf_module.render_pdf

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(pdf_module, "render_pdf", counting)
    return calls


def test_issuing_renders_and_stores_the_pdf_and_png(lms):
    _, learner, certificate = _issued(lms)

    stored = {f.kind for f in RenderedFile.objects.filter(certificate=certificate, revision=1)}
    assert stored == {"pdf", "png"}
    response = _client(learner).get(_pdf_url(certificate))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment; filename=\"certificate-")
    reader = pypdf.PdfReader(io.BytesIO(response.content))
    page = reader.pages[0]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (842, 595)
    text = " ".join(_text(response.content).split())
    for expected in ("Amelia Okafor", "Python for Data Analysis", certificate.formatted_code):
        assert expected in text
    assert "northwind institute of technology" in text.lower()
    meta = reader.metadata
    assert "Python for Data Analysis" in meta.title
    assert meta.author == "Northwind Institute of Technology"
    assert len(response.content) < 2 * 1024 * 1024


def test_png_download_is_the_page_at_150_dpi(lms):
    _, learner, certificate = _issued(lms)
    response = _client(learner).get(_png_url(certificate))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    image = Image.open(io.BytesIO(response.content))
    assert image.size[0] == pytest.approx(1754, abs=3)
    assert image.size[1] == pytest.approx(1240, abs=3)

    print_quality = _client(learner).get(_png_url(certificate) + "?dpi=300")
    assert Image.open(io.BytesIO(print_quality.content)).size[0] == pytest.approx(3508, abs=4)


def test_qr_code_on_the_png_leads_to_a_valid_verification(lms):
    _, _learner, certificate = _issued(lms)
    image = Image.open(io.BytesIO(api.render_png(certificate)))
    [barcode] = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
    assert barcode.text == f"http://127.0.0.1:8000/certs/verify/{certificate.formatted_code}/"
    verification = api.verify(codes.normalize(barcode.text) or "")
    assert verification.status == "valid"
    assert verification.certificate == certificate
    assert verification.signature_valid is True


def test_downloads_are_only_for_the_owner_staff_or_once_public(lms):
    course, learner, certificate = _issued(lms)
    other = lms.learner(course, name="Someone Else")
    staff = lms.staff(course)
    missing = "0000-0000-0000-0000"

    assert _client(learner).get(_pdf_url(certificate)).status_code == 200
    assert _client(staff).get(_pdf_url(certificate)).status_code == 200
    for client in (_client(), _client(other)):
        private = client.get(_pdf_url(certificate))
        unknown = client.get(reverse("cert_plugin:download-pdf", args=[missing]))
        assert private.status_code == unknown.status_code == 404
        assert client.get(_png_url(certificate)).status_code == 404

    Certificate.objects.filter(pk=certificate.pk).update(is_public=True)
    assert _client().get(_pdf_url(certificate)).status_code == 200
    assert _client().get(_png_url(certificate)).status_code == 200


def test_a_second_download_is_served_from_storage_and_revalidates(lms, render_calls):
    _, learner, certificate = _issued(lms)
    renders_at_issue = len(render_calls)
    assert renders_at_issue == 1  # the render task after issue

    client = _client(learner)
    first = client.get(_pdf_url(certificate))
    second = client.get(_pdf_url(certificate))
    assert len(render_calls) == renders_at_issue
    assert first.content == second.content
    assert first["ETag"] == second["ETag"]
    assert first["Last-Modified"]

    not_modified = client.get(_pdf_url(certificate), HTTP_IF_NONE_MATCH=first["ETag"])
    assert not_modified.status_code == 304
    assert not_modified.content == b""


def test_a_missing_stored_file_is_rendered_again(lms, render_calls):
    _, learner, certificate = _issued(lms)
    stored = RenderedFile.objects.get(certificate=certificate, kind="pdf")
    from django.core.files.storage import storages

    storages["default"].delete(stored.path)
    response = _client(learner).get(_pdf_url(certificate))
    assert response.status_code == 200
    assert "Amelia Okafor" in _text(response.content)
    assert len(render_calls) == 2


def test_editing_the_template_leaves_issued_pdfs_unchanged_until_reissue(lms):
    template = api.create_template("Northwind classic", html=_template_html("EDITION-ONE"), org="Northwind")
    _, learner, certificate = _issued(lms, template=template)
    before = api.render_pdf(certificate)
    assert "EDITION-ONE" in _text(before)

    api.update_template(template, html=_template_html("EDITION-TWO"))
    certificate.refresh_from_db()
    assert api.render_pdf(certificate) == before

    reissued = api.reissue(certificate)
    assert reissued.verification_code == certificate.verification_code
    assert reissued.revision == 2
    after = _client(learner).get(_pdf_url(reissued)).content
    assert "EDITION-TWO" in _text(after)
    assert "EDITION-ONE" not in _text(after)
    assert api.verify(certificate.verification_code).signature_valid is True


def test_a_name_with_markup_and_template_syntax_prints_literally(lms):
    name = '<b>Ana</b> {{ issuer_name }} {% now "Y" %} <script>x</script>'
    _, _, certificate = _issued(lms, name=name)
    text = _text(api.render_pdf(certificate))
    assert '<b>Ana</b> {{ issuer_name }} {% now "Y" %} <script>x</script>' in text.replace("\n", " ")


@pytest.mark.parametrize("name", ["محمد عبد الله", "יעל כהן", "王小明", "山田太郎"])
def test_right_to_left_and_cjk_names_come_out_right(lms, name):
    _, _, certificate = _issued(lms, name=name)
    assert name in _text(api.render_pdf(certificate))


def test_the_pdf_carries_the_institutions_pades_signature(lms, settings):
    _, _, certificate = _issued(lms)
    content = api.render_pdf(certificate)
    config = settings.CERT_PLUGIN["PDF_SIGNING"]
    trust = pades.certificate_pem_from_pkcs12(config["PKCS12"], config["PASSPHRASE"])
    result = pades.validate_pdf_signature(content, trust_pem=trust)
    assert result["signed"]
    assert result["intact"]
    assert result["valid"]
    assert result["trusted"]
    assert "Northwind" in result["signer"]

    tampered = bytearray(content)
    position = content.index(b"Amelia") if b"Amelia" in content else len(content) // 3
    tampered[position] ^= 0x01
    assert not pades.validate_pdf_signature(bytes(tampered), trust_pem=trust)["intact"]


# --------------------------------------------------------------------------- failures


def test_a_failed_render_keeps_the_certificate_and_a_retry_succeeds(lms, monkeypatch):
    real = pdf_module.render_pdf

    def broken(*args, **kwargs):
        raise pdf_module.RenderError("the renderer ran out of memory")

    monkeypatch.setattr(pdf_module, "render_pdf", broken)
    _, learner, certificate = _issued(lms)
    certificate.refresh_from_db()
    assert certificate.status == "issued"
    assert "ran out of memory" in certificate.render_error
    assert api.verify(certificate.verification_code).status == "valid"
    assert not RenderedFile.objects.filter(certificate=certificate).exists()

    response = _client(learner).get(_pdf_url(certificate))
    assert response.status_code == 503
    assert "still valid" in response.content.decode()

    monkeypatch.setattr(pdf_module, "render_pdf", real)
    response = _client(learner).get(_pdf_url(certificate))
    assert response.status_code == 200
    certificate.refresh_from_db()
    assert certificate.render_error == ""


def test_a_storage_failure_still_serves_the_file(lms, monkeypatch, caplog):
    from django.core.files.storage import storages

    _, learner, certificate = _issued(lms)
    RenderedFile.objects.filter(certificate=certificate).delete()

    def refuse(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(storages["default"], "save", refuse)
    response = _client(learner).get(_pdf_url(certificate))
    assert response.status_code == 200
    assert "Amelia Okafor" in _text(response.content)
    assert "could not store" in caplog.text


# --------------------------------------------------------------------------- signatures

# What the certificate states, as published in api-verify's signature (ADR 0011: not the grade,
# an education record the public verify answer never shows).
SIGNED_FIELDS = {
    "learner_name": "Mallory",
    "course_title": "A course never taken",
    "course_key": "course-v1:Evil+X+2026",
    "hours": "999",
    "issuer_name": "Another Institute",
    "revision": 7,
    "verification_code": "0000000000000000",
}


@pytest.mark.parametrize(("field", "value"), SIGNED_FIELDS.items())
def test_tampering_with_any_snapshot_field_breaks_the_signature(lms, field, value):
    _, _, certificate = _issued(lms)
    assert api.verify(certificate.verification_code).signature_valid is True
    Certificate.objects.filter(pk=certificate.pk).update(**{field: value})
    code = value if field == "verification_code" else certificate.verification_code
    assert api.verify(code).signature_valid is False


@pytest.mark.parametrize("field", ["issued_at", "expires_at"])
def test_tampering_with_the_dates_breaks_the_signature(lms, field):
    import datetime as dt

    _, _, certificate = _issued(lms)
    Certificate.objects.filter(pk=certificate.pk).update(**{field: dt.datetime(2030, 1, 1, tzinfo=dt.UTC)})
    assert api.verify(certificate.verification_code).signature_valid is False


def test_rotating_the_signing_key_keeps_older_certificates_verifiable(lms, settings):
    from cert_plugin.credentials import keys

    _, _, old = _issued(lms)
    settings.CERT_PLUGIN = {**settings.CERT_PLUGIN, "SIGNING_KEY": keys.generate_ed25519_pem()}
    _, _, new = _issued(lms)
    assert old.signing_key_id != new.signing_key_id
    assert api.verify(old.verification_code).signature_valid is True
    assert api.verify(new.verification_code).signature_valid is True
    assert {k.key_id for k in api.signing_keys()} >= {old.signing_key_id, new.signing_key_id}


def test_without_a_signing_key_certificates_are_issued_unsigned(lms, settings):
    settings.CERT_PLUGIN = {**settings.CERT_PLUGIN, "SIGNING_KEY": None}
    _, _, certificate = _issued(lms)
    assert certificate.signature == ""
    verification = api.verify(certificate.verification_code)
    assert (verification.status, verification.signature_valid) == ("valid", None)


def test_the_render_task_retries_and_records_the_error_for_staff(lms, monkeypatch):
    from cert_plugin import tasks

    real = pdf_module.render_pdf
    attempts = []

    def broken(*args, **kwargs):
        attempts.append(1)
        raise pdf_module.RenderError("font cache locked")

    monkeypatch.setattr(pdf_module, "render_pdf", broken)
    _, _, certificate = _issued(lms)  # the task after issue runs in process and is retried
    assert len(attempts) == 1 + tasks.render_certificate.max_retries
    certificate.refresh_from_db()
    assert "font cache locked" in certificate.render_error

    monkeypatch.setattr(pdf_module, "render_pdf", real)
    result = tasks.render_certificate.apply(args=[certificate.pk])
    assert result.successful()
    certificate.refresh_from_db()
    assert certificate.render_error == ""
    assert {f.kind for f in RenderedFile.objects.filter(certificate=certificate)} == {"pdf", "png"}
