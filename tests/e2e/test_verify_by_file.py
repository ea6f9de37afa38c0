"""Issue 15, part 4 in a real browser: checking a certificate by dropping (or choosing) its file.

The demo certificate's PDF dropped on the verify form's drop zone (a DataTransfer carried by real
dragenter/dragover/drop events) answers "valid"; its PNG chosen with the file input, sent from the
keyboard, too; the same form works with JavaScript turned off. Each state is photographed on a
desktop and a phone screen.
"""

from __future__ import annotations

import base64
import io

import pytest
from django.urls import reverse
from PIL import Image

from cert_plugin import api
from tests.e2e.conftest import SCREENSHOTS
from tests.e2e.helpers import in_language
from tests.helpers import edited_pdf, issued

SIZES = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}

_DROP = """async ({data, name, type}) => {
  const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
  const transfer = new DataTransfer();
  transfer.items.add(new File([bytes], name, {type}));
  return transfer;
}"""


def _drop(page, content: bytes, name: str, mime: str) -> None:
    """Drag a file over the drop zone and drop it, as a person dragging it from their desktop does."""
    transfer = page.evaluate_handle(_DROP, {"data": base64.b64encode(content).decode(), "name": name,
                                            "type": mime})
    page.dispatch_event("[data-dropzone]", "dragenter", {"dataTransfer": transfer})
    page.dispatch_event("[data-dropzone]", "dragover", {"dataTransfer": transfer})
    assert "cp-dropzone--over" in page.get_attribute("[data-dropzone]", "class")
    with page.expect_navigation():
        page.dispatch_event("[data-dropzone]", "drop", {"dataTransfer": transfer})


def _cat() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (320, 240), "orange").save(buffer, format="JPEG")
    return buffer.getvalue()


@pytest.mark.parametrize("size", SIZES)
def test_dropping_the_certificate_pdf_says_valid(lms, new_context, size):
    _, _, certificate = issued(lms)
    page = new_context(viewport=SIZES[size]).new_page()
    page.goto(reverse("cert_plugin:verify-form"))
    assert page.locator("[data-drop-target]").is_visible()  # the drop hint shows where JS runs
    page.screenshot(path=str(SCREENSHOTS / f"verify-file-form-{size}.png"), full_page=True)

    _drop(page, api.render_pdf(certificate), "certificate.pdf", "application/pdf")

    assert page.url.endswith(reverse("cert_plugin:verify-file"))
    assert page.get_attribute("[data-file-status]", "data-file-status") == "valid"
    assert page.get_by_role("heading", level=1).inner_text() == "This certificate file is valid"
    assert page.get_by_text(certificate.formatted_code).is_visible()
    assert page.get_by_text("Signed by the institution, unchanged").is_visible()
    page.screenshot(path=str(SCREENSHOTS / f"verify-file-valid-{size}.png"), full_page=True)


def test_choosing_the_png_with_the_keyboard_says_valid(lms, new_context):
    _, _, certificate = issued(lms)
    page = new_context(viewport=SIZES["desktop"]).new_page()
    page.goto(reverse("cert_plugin:verify-form"))

    page.get_by_label("Certificate file (PDF or PNG, up to 10 MB)").set_input_files(
        files=[{"name": "certificate.png", "mimeType": "image/png", "buffer": api.render_png(certificate)}])
    page.get_by_label("Certificate file (PDF or PNG, up to 10 MB)").focus()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Check the file"
    with page.expect_navigation():
        page.keyboard.press("Enter")

    assert page.get_attribute("[data-file-status]", "data-file-status") == "valid"
    assert page.get_by_text(certificate.formatted_code).is_visible()


@pytest.mark.parametrize("size", SIZES)
def test_an_edited_pdf_and_a_cat_picture_are_told_apart(lms, new_context, size):
    _, _, certificate = issued(lms)
    page = new_context(viewport=SIZES[size]).new_page()
    page.goto(reverse("cert_plugin:verify-form"))

    _drop(page, edited_pdf(api.render_pdf(certificate)), "certificate.pdf", "application/pdf")
    assert page.get_attribute("[data-file-status]", "data-file-status") == "altered"
    assert page.get_by_text("Changed after signing").is_visible()
    page.screenshot(path=str(SCREENSHOTS / f"verify-file-altered-{size}.png"), full_page=True)

    page.get_by_role("link", name="Check another file").click()
    _drop(page, _cat(), "cat.jpg", "image/jpeg")
    assert page.get_attribute("[data-file-status]", "data-file-status") == "no_credential"
    assert page.get_by_role("heading", level=1).inner_text() == "This is not a certificate file"
    page.screenshot(path=str(SCREENSHOTS / f"verify-file-not-a-certificate-{size}.png"), full_page=True)


def test_without_javascript_the_form_still_checks_the_file(lms, new_context):
    _, _, certificate = issued(lms)
    page = new_context(java_script_enabled=False).new_page()
    page.goto(reverse("cert_plugin:verify-form"))
    assert not page.locator("[data-drop-target]").is_visible()  # no promise of dropping without JS

    page.get_by_role("button", name="Check the file").click()  # nothing chosen: the browser asks first
    assert page.url.endswith(reverse("cert_plugin:verify-form"))
    page.get_by_label("Certificate file (PDF or PNG, up to 10 MB)").set_input_files(
        files=[{"name": "c.pdf", "mimeType": "application/pdf", "buffer": api.render_pdf(certificate)}])
    page.get_by_role("button", name="Check the file").click()

    assert page.get_attribute("[data-file-status]", "data-file-status") == "valid"


def test_the_answer_speaks_portuguese(lms, new_context):
    _, _, certificate = issued(lms)
    page = new_context(locale="pt-BR", viewport=SIZES["phone"]).new_page()
    page.goto(reverse("cert_plugin:verify-form"))
    assert page.get_by_role("heading", name=in_language("pt-br", "Check a certificate file")).is_visible()

    _drop(page, api.render_pdf(certificate), "certificado.pdf", "application/pdf")

    expected = in_language("pt-br", "This certificate file is valid")
    assert page.get_by_role("heading", level=1).inner_text() == expected
    page.screenshot(path=str(SCREENSHOTS / "verify-file-valid-pt-br-phone.png"), full_page=True)


def test_a_file_over_the_limit_is_refused_on_the_form_with_the_reason(lms, new_context):
    page = new_context(viewport=SIZES["phone"]).new_page()
    page.goto(reverse("cert_plugin:verify-form"))
    page.get_by_label("Certificate file (PDF or PNG, up to 10 MB)").set_input_files(files=[
        {"name": "huge.pdf", "mimeType": "application/pdf",
         "buffer": b"%PDF-1.7\n" + b"0" * (api.MAX_CHECKED_FILE_BYTES + 1)}])
    page.get_by_role("button", name="Check the file").click()

    assert page.get_by_text("That file is larger than 10 MB.", exact=False).is_visible()
    field = page.get_by_label("Certificate file (PDF or PNG, up to 10 MB)")
    assert field.get_attribute("aria-invalid") == "true"
    page.screenshot(path=str(SCREENSHOTS / "verify-file-too-large-phone.png"), full_page=True)


def test_the_same_pdf_dropped_after_revocation_says_revoked(lms, new_context):
    _, _, certificate = issued(lms)
    pdf = api.render_pdf(certificate)
    page = new_context(viewport=SIZES["desktop"]).new_page()
    page.goto(reverse("cert_plugin:verify-form"))
    _drop(page, pdf, "certificate.pdf", "application/pdf")
    assert page.get_attribute("[data-file-status]", "data-file-status") == "valid"

    api.revoke(certificate, reason="Issued in error")
    page.get_by_role("link", name="Check another file").click()
    _drop(page, pdf, "certificate.pdf", "application/pdf")

    assert page.get_attribute("[data-file-status]", "data-file-status") == "revoked"
    assert page.get_by_role("heading", level=1).inner_text() == "This certificate has been revoked"
    assert page.get_by_text(certificate.formatted_code).is_visible()
