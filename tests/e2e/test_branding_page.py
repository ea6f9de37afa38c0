"""The branding page as a person uses it (issue 14, point 11), in English and Brazilian Portuguese, on a
desktop and a phone: after "Branding saved" the page shows the new logo at once (it showed the old one
for a minute), and the display name saved there is the issuer the editor's preview and the learner's
certificate name (the preview said "Northwind Academy", the certificate the platform's name)."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from PIL import Image

from cert_plugin import api
from tests.e2e.conftest import SCREENSHOTS

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
RED, BLUE = (200, 30, 30), (30, 60, 200)
DISPLAY_NAME = "Northwind Polytechnic Institute"


def _png(color) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (300, 120), color).save(buffer, "PNG")
    return buffer.getvalue()


def _logo_color(page) -> list[int]:
    """The colour in the middle of the logo the page shows (drawn through a canvas, as displayed)."""
    page.wait_for_function("() => { const i = document.querySelector('.ed-logo__img');"
                           " return i && i.complete && i.naturalWidth > 0; }")
    return page.evaluate("""() => {
        const img = document.querySelector('.ed-logo__img');
        const canvas = document.createElement('canvas');
        canvas.width = img.naturalWidth; canvas.height = img.naturalHeight;
        const context = canvas.getContext('2d');
        context.drawImage(img, 0, 0);
        return Array.from(context.getImageData(canvas.width / 2, canvas.height / 2, 1, 1).data).slice(0, 3);
    }""")


def _save(page, *, logo=None, name=None) -> None:
    if name is not None:
        page.fill("#br-name", name)
    if logo is not None:
        upload = {"name": "logo.png", "mimeType": "image/png", "buffer": logo}
        page.set_input_files("#br-logo", files=[upload])
    page.locator(".ed-save button[type=submit]").click()
    page.locator(".ed-messages [role=status]").first.wait_for()


@pytest.mark.parametrize(("locale", "lang", "viewport"), [
    ("en-US", "en", DESKTOP), ("pt-BR", "pt-br", DESKTOP), ("en-US", "en", PHONE), ("pt-BR", "pt-br", PHONE)],
    ids=["en-desktop", "pt-br-desktop", "en-phone", "pt-br-phone"])
def test_after_saving_the_page_shows_the_new_logo_at_once(lms, new_context, locale, lang, viewport):
    course = lms.course(org="Northwind")
    api.configure_course(course.course_key)
    page = new_context(lms.staff(course), locale=locale, viewport=viewport).new_page()
    page.goto(reverse("cert_plugin:branding", args=["Northwind"]))
    assert page.get_attribute("html", "lang") == lang

    _save(page, logo=_png(RED), name=DISPLAY_NAME)
    assert _logo_color(page) == list(RED)
    _save(page, logo=_png(BLUE))

    assert _logo_color(page) == list(BLUE)
    assert page.input_value("#br-name") == DISPLAY_NAME
    assert DISPLAY_NAME in page.locator(".ed-messages").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shape = "phone" if viewport is PHONE else "desktop"
    page.screenshot(path=str(SCREENSHOTS / f"branding-saved-{lang}-{shape}.png"), full_page=True)


@pytest.mark.parametrize(("locale", "lang"), [("en-US", "en"), ("pt-BR", "pt-br")])
def test_the_display_name_is_the_issuer_in_the_preview_and_on_the_certificate(lms, new_context, locale, lang):
    course = lms.course(org="Northwind")
    api.configure_course(course.course_key)
    staff = lms.staff(course)
    page = new_context(staff, locale=locale, viewport=DESKTOP).new_page()
    page.goto(reverse("cert_plugin:branding", args=["Northwind"]))
    _save(page, name=DISPLAY_NAME)
    base = api.builtin_templates()[0].current_version
    template = api.create_template("Northwind landscape", org="Northwind", html=base.html, css=base.css)
    api.set_course_template(course.course_key, template)

    page.goto(reverse("cert_plugin:template-edit", args=[template.pk]))
    page.locator(".ed-sample summary").click()
    samples = page.locator(".ed-sample__list").inner_text()
    assert DISPLAY_NAME in samples
    assert "Northwind Academy" not in samples

    learner = lms.learner(course, name="Amelia Okafor")
    lms.pass_all_quizzes(learner, course)
    lms.complete_all(learner, course)
    [certificate] = api.certificates_for(learner)
    mine = new_context(learner, locale=locale, viewport=DESKTOP).new_page()
    mine.goto(reverse("cert_plugin:certificate", args=[certificate.formatted_code]))
    assert DISPLAY_NAME in mine.locator(".cp-facts").inner_text()
