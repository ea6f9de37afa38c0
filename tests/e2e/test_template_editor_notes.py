"""What a person sees in the template editor when a template would go wrong without a word (issue 14,
point 10), in English and in Brazilian Portuguese, on a desktop and on a phone: a remote image is
listed under the preview with its line ("will never be loaded"), a Django tag left open and a CSS
syntax error are shown with their line instead of printing as typed or spilling over several pages."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cert_plugin import api
from tests.e2e.conftest import SCREENSHOTS

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
HTML = ("<main>\n"
        "  <h1>{{ learner_name }}</h1>\n"
        "  <p>{{ course_title }}</p>\n"
        "</main>")
CSS = "main { padding: 20mm; }\nh1 { font-size: 28pt; }"
WITH_IMAGE = HTML.replace("</main>", '  <img src="https://cdn.example.com/seal.png" alt="Seal">\n</main>')


def _template(lms):
    course = lms.course(org="Northwind")
    api.configure_course(course.course_key)
    template = api.create_template("Northwind plain", html=HTML, css=CSS, org="Northwind")
    return lms.staff(course), template


def _replace(page, area: str, text: str) -> None:
    """Select everything in a code area and type ``text`` over it, as a person would."""
    page.click(f"#{area}")
    page.keyboard.press("Control+A")
    page.keyboard.insert_text(text)


def _selected(page, area: str) -> str:
    return page.evaluate("(id) => { const a = document.getElementById(id);"
                         " return a.value.slice(a.selectionStart, a.selectionEnd); }", area)


@pytest.mark.parametrize(("locale", "lang"), [("en-US", "en"), ("pt-BR", "pt-br")])
def test_the_editor_shows_what_would_pass_silently_with_its_line(lms, new_context, locale, lang):
    staff, template = _template(lms)
    page = new_context(staff, locale=locale, viewport=DESKTOP).new_page()
    page.goto(reverse("cert_plugin:template-edit", args=[template.pk]))
    assert page.get_attribute("html", "lang") == lang
    notes = page.locator("[data-preview-notes]")
    assert notes.is_hidden()

    # A remote image: the preview still renders, and the note under it names the address and the line.
    _replace(page, "ed-html", WITH_IMAGE)
    notes.wait_for(state="visible")
    assert "https://cdn.example.com/seal.png" in notes.inner_text()
    goto = notes.locator("button[data-goto-line]")
    assert goto.get_attribute("data-goto-line") == "4"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.locator(".ed-preview").screenshot(path=str(SCREENSHOTS / f"editor-note-remote-image-{lang}.png"))
    goto.click()
    assert _selected(page, "ed-html").strip() == '<img src="https://cdn.example.com/seal.png" alt="Seal">'

    # A variable left open: an error at its line, not the text printed on the certificate.
    _replace(page, "ed-html", HTML.replace("{{ course_title }}", "{{ course_title"))
    error = page.locator("[data-preview-error-box]")
    error.wait_for(state="visible")
    assert "{{ course_title" in error.inner_text()
    assert page.locator(".ed-gutter .is-error").inner_text() == "3"
    assert page.locator("[data-preview-error-goto]").get_attribute("data-goto-line") == "3"
    page.locator(".ed-preview").screenshot(path=str(SCREENSHOTS / f"editor-error-unclosed-tag-{lang}.png"))

    # A CSS rule never closed: an error at its CSS line, not "runs over 3 pages".
    _replace(page, "ed-html", HTML)
    error.wait_for(state="hidden")
    _replace(page, "ed-css", "main { padding: 20mm;\nh1 { font-size: 28pt; }")
    error.wait_for(state="visible")
    assert page.locator("[data-preview-error-goto]").get_attribute("data-goto-target") == "ed-css"
    assert page.locator("[data-preview-error-goto]").get_attribute("data-goto-line") == "1"
    assert page.get_attribute("#ed-css", "aria-invalid") == "true"
    page.locator(".ed-preview").screenshot(path=str(SCREENSHOTS / f"editor-error-css-{lang}.png"))

    # Saving a template with a remote image works, and says so where the person looks.
    _replace(page, "ed-css", CSS)
    error.wait_for(state="hidden")
    _replace(page, "ed-html", WITH_IMAGE)
    notes.wait_for(state="visible")
    page.locator(".ed-save button[name=save]").click()
    page.wait_for_url(f"**{reverse('cert_plugin:template-edit', args=[template.pk])}")
    assert template.current_version.number == 2
    warning = page.locator(".ed-messages .cp-notice--warning")
    assert warning.count() == 1
    assert "1" in warning.inner_text()
    assert page.locator("[data-preview-notes]").is_visible()
    assert page.locator("[data-preview-notes] button[data-goto-line]").get_attribute("data-goto-line") == "4"
    page.screenshot(path=str(SCREENSHOTS / f"editor-saved-with-note-{lang}.png"), full_page=True)


def test_on_a_phone_the_notes_and_errors_fit_the_screen(lms, new_context):
    staff, template = _template(lms)
    page = new_context(staff, viewport=PHONE).new_page()
    page.goto(reverse("cert_plugin:template-edit", args=[template.pk]))

    seal = '  <img src="https://cdn.example.com/a-rather-long-file-name-for-a-seal-image.png" alt="Seal">\n'
    _replace(page, "ed-html", HTML.replace("</main>", seal + "</main>"))
    notes = page.locator("[data-preview-notes]")
    notes.wait_for(state="visible")
    box = notes.bounding_box()
    assert box is not None
    assert box["x"] >= 0
    assert box["x"] + box["width"] <= PHONE["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    notes.scroll_into_view_if_needed()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "editor-note-phone.png"))

    _replace(page, "ed-css", "main { padding: 20mm;\nh1 { font-size: 28pt; }")
    error = page.locator("[data-preview-error-box]")
    error.wait_for(state="visible")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    error.scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / "editor-error-css-phone.png"))
