"""Course staff editing a certificate template in a real browser: the live preview follows
their typing, a mistake shows inline with its line, and saving makes a new version."""

from __future__ import annotations

import base64

from django.urls import reverse

from tests.e2e.conftest import SCREENSHOTS
from tests.e2e.helpers import northwind

ANCHOR = "has successfully completed the course</p>"


def _preview_bytes(page) -> bytes:
    """The image the preview <img> shows now (a blob: or a server URL), as PNG bytes.

    Drawn through a canvas at its natural size: fetching the blob: URL from the page would be a
    connection the page's Content-Security-Policy (rightly) refuses.
    """
    encoded = page.evaluate("""() => {
        const img = document.querySelector('[data-preview-img]');
        const canvas = document.createElement('canvas');
        canvas.width = img.naturalWidth;
        canvas.height = img.naturalHeight;
        canvas.getContext('2d').drawImage(img, 0, 0);
        return canvas.toDataURL('image/png').split(',')[1];
    }""")
    return base64.b64decode(encoded)


def _put_caret_after(page, text: str) -> None:
    page.evaluate("""(text) => {
        const area = document.getElementById('ed-html');
        const at = area.value.indexOf(text) + text.length;
        area.focus();
        area.setSelectionRange(at, at);
    }""", text)


def test_the_preview_follows_typing_and_a_mistake_shows_inline_with_its_line(lms, new_context):
    _course, staff, template = northwind(lms)
    context = new_context(staff, viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.goto(reverse("cert_plugin:template-edit", args=[template.pk]))
    page.wait_for_function("() => document.querySelector('[data-preview-img]').complete")
    before = _preview_bytes(page)
    first_src = page.get_attribute("[data-preview-img]", "src")

    _put_caret_after(page, ANCHOR)
    page.keyboard.type('\n    <p class="lead">Awarded with pride</p>')

    page.wait_for_function("(old) => document.querySelector('[data-preview-img]')"
                           ".getAttribute('src') !== old", arg=first_src)
    assert page.get_attribute("[data-preview-img]", "src").startswith("blob:")
    assert page.get_by_role("status").filter(has_text="Preview updated").count() == 1
    after = _preview_bytes(page)
    assert after[:8] == b"\x89PNG\r\n\x1a\n"
    assert after != before
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(SCREENSHOTS / "template-editor.png"))

    good_html = page.input_value("#ed-html")
    include_line = good_html.split("\n").index('    <p class="lead">Awarded with pride</p>') + 2
    _put_caret_after(page, "Awarded with pride</p>")
    page.keyboard.type("\n    {% include 'x' %}")

    error = page.locator("[data-preview-error-box]")
    error.wait_for(state="visible")
    assert f"Line {include_line}" in error.inner_text()
    assert "include" in error.inner_text()
    assert page.locator(".ed-gutter .is-error").inner_text() == str(include_line)
    assert page.get_attribute("#ed-html", "aria-invalid") == "true"
    assert "is-stale" in page.get_attribute("[data-preview-frame]", "class")  # the last good one, dimmed
    page.get_by_role("button", name=f"Go to line {include_line}").click()
    selected = page.evaluate("(() => { const a = document.getElementById('ed-html');"
                             " return a.value.slice(a.selectionStart, a.selectionEnd); })()")
    assert selected.strip() == "{% include 'x' %}"
    page.screenshot(path=str(SCREENSHOTS / "template-editor-error.png"))

    page.keyboard.press("Delete")  # removes the selected tag: the line is empty again
    error.wait_for(state="hidden")
    assert "is-stale" not in page.get_attribute("[data-preview-frame]", "class")

    page.get_by_role("button", name="Save new version").first.click()
    page.get_by_text("Saved as version 2").wait_for()
    version = template.current_version
    assert version.number == 2
    assert "Awarded with pride" in version.html
    assert "include" not in version.html
    page.wait_for_function("() => document.querySelector('[data-preview-img]').complete")
    page.screenshot(path=str(SCREENSHOTS / "template-editor-saved.png"), full_page=True)


def test_clicking_a_variable_inserts_it_at_the_caret(lms, new_context):
    _course, staff, template = northwind(lms)
    page = new_context(staff, viewport={"width": 1280, "height": 800}).new_page()
    page.goto(reverse("cert_plugin:template-edit", args=[template.pk]))
    _put_caret_after(page, ANCHOR)

    page.get_by_role("button", name="course_key", exact=True).click()

    html = page.input_value("#ed-html")
    assert ANCHOR + "{{ course_key }}" in html
    assert page.evaluate("document.activeElement.id") == "ed-html"


def test_screenshots_of_the_template_list_and_branding(lms, new_context):
    _course, staff, _template = northwind(lms)
    page = new_context(staff, viewport={"width": 1280, "height": 800}).new_page()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    page.goto(reverse("cert_plugin:template-list"))
    assert page.get_by_role("heading", name="Certificate templates").count() == 1
    page.screenshot(path=str(SCREENSHOTS / "template-list.png"), full_page=True)
    page.goto(reverse("cert_plugin:branding", args=["Northwind"]))
    page.wait_for_function("() => Array.from(document.images).every((img) => img.complete)")
    page.screenshot(path=str(SCREENSHOTS / "branding.png"), full_page=True)
