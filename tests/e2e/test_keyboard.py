"""Keyboard alone (issue 17): a verifier, a learner and course staff do their whole errand with Tab,
Enter and Space, and always see where they are.

Each step moves the focus with the Tab key only, as a person without a mouse does; every element
the focus lands on must show a visible focus indicator (an outline or a ring). Results are announced
through live regions (``role="status"``), which is what a screen reader speaks.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from cert_plugin import api
from tests.e2e import axe
from tests.e2e.helpers import northwind
from tests.helpers import issued

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}

# The focused element: its tag, accessible name (roughly) and whether focusing it draws an indicator:
# an outline, a ring or a border colour that it, or a box around it (``:focus-within``), does not have
# unfocused (a button's ever-present shadow does not count). Paragon (the MFE widgets) draws its
# buttons' focus ring as the border of a ``::before`` box, so the element's pseudo-elements count too.
_FOCUSED = """() => {
    const e = document.activeElement;
    if (!e || e === document.body) return null;
    const boxes = [[e, null], [e, '::before'], [e, '::after']];
    let node = e.parentElement;
    while (node && boxes.length < 6 && node !== document.body) {
        boxes.push([node, null]);
        node = node.parentElement;
    }
    const look = () => boxes.map(([node, pseudo]) => {
        const style = getComputedStyle(node, pseudo);
        if (pseudo && style.content === 'none') return '';
        const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
        const border = pseudo && style.borderTopStyle !== 'none' && parseFloat(style.borderTopWidth) > 0;
        return [outline ? style.outlineStyle + style.outlineWidth + style.outlineColor : '',
                style.boxShadow, border || !pseudo ? style.borderTopColor : ''].join('|');
    });
    const focused = look();
    e.blur();
    const unfocused = look();
    e.focus({focusVisible: true});
    const label = e.labels && e.labels.length ? e.labels[0].innerText : '';
    const name = (e.getAttribute('aria-label') || label || e.innerText || e.value || '')
        .replace(/\\s+/g, ' ').trim();
    const indicator = focused.some((value, i) => value !== unfocused[i]);
    return {tag: e.tagName.toLowerCase(), name, indicator, focused, unfocused};
}"""


def tab_to(page: Any, name: str | re.Pattern[str], *, limit: int = 80,
           backwards: bool = False) -> dict[str, Any]:
    """Press Tab until the focus is on an element whose name matches; every stop shows its focus."""
    visited = []
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        focused = page.evaluate(_FOCUSED)
        if focused is None:
            continue
        visited.append(focused["name"][:40])
        assert focused["indicator"], f"no visible focus indicator on {focused}"
        if (name.search(focused["name"]) if isinstance(name, re.Pattern) else name in focused["name"]):
            return focused
    raise AssertionError(f"{name!r} is not reachable with Tab; the focus visited: {visited}")


def test_a_verifier_checks_a_code_and_a_file_with_the_keyboard_alone(lms, new_context, tmp_path):
    _, _learner, certificate = issued(lms)
    pdf = Path(tmp_path, "certificate.pdf")
    pdf.write_bytes(api.render_pdf(certificate))
    page = new_context(viewport=PHONE).new_page()
    page.goto(reverse("cert_plugin:verify-form"))

    tab_to(page, "Verification code")
    page.keyboard.type(certificate.verification_code.lower())
    page.keyboard.press("Enter")

    page.get_by_role("heading", level=1, name="This certificate is valid").wait_for()
    assert page.get_by_role("status").filter(has_text="This certificate is valid").count() == 1
    tab_to(page, "Verify another certificate")
    page.keyboard.press("Enter")
    page.get_by_role("heading", level=1).filter(has_text=re.compile("Verify")).first.wait_for()

    # The file: the drop zone's keyboard way is the file field and its button. Space on the field
    # opens the browser's own file chooser, which is not ours to test: the file is handed to the
    # focused field directly.
    tab_to(page, "Certificate file")
    assert page.evaluate("document.activeElement.type") == "file"
    page.locator("input[type=file]:focus").set_input_files(str(pdf))
    tab_to(page, "Check the file")
    page.keyboard.press("Enter")
    page.get_by_role("status").filter(has_text=re.compile("valid", re.IGNORECASE)).first.wait_for()
    axe.assert_accessible(page, "the file check's answer")


def test_a_learner_downloads_shares_and_publishes_with_the_keyboard_alone(lms, new_context):
    _, learner, certificate = issued(lms)
    context = new_context(learner, viewport=DESKTOP)
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = context.new_page()
    page.goto(reverse("cert_plugin:learner-dashboard"))

    tab_to(page, "Download PDF")
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    assert download.value.suggested_filename.endswith(".pdf")

    tab_to(page, "Share")
    page.keyboard.press("Enter")
    status = page.locator("[data-share-status]")
    status.filter(has_text=re.compile(r"\S")).wait_for()
    assert status.get_attribute("role") == "status"

    tab_to(page, "Publish")
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Your public profile").wait_for()
    tab_to(page, "Show on my public profile")
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Hide from my public profile").wait_for()
    certificate.refresh_from_db()
    assert certificate.is_public


def test_course_staff_revoke_from_the_row_menu_with_the_keyboard_alone(lms, new_context):
    course, _learner, certificate = issued(lms, name="Amelia Okafor")
    staff = lms.staff(course)
    page = new_context(staff, viewport=DESKTOP).new_page()
    page.goto(reverse("cert_plugin:staff-dashboard", args=[course.course_key]))

    tab_to(page, "Actions for Amelia Okafor")
    page.keyboard.press("Enter")  # opens the row's menu
    axe.assert_accessible(page, "the staff dashboard with a row's menu open")
    tab_to(page, "Reason for revoking")
    page.keyboard.type("Issued to the wrong person")
    tab_to(page, "Show the reason on the public verify page")
    page.keyboard.press("Space")
    tab_to(page, "Revoke certificate")
    page.keyboard.press("Enter")

    page.get_by_role("status").filter(has_text=re.compile("[Rr]evoked")).first.wait_for()
    certificate.refresh_from_db()
    assert certificate.state == certificate.REVOKED
    assert certificate.revoke_reason_public
    axe.assert_accessible(page, "the staff dashboard after a revocation")


def test_course_staff_edit_a_template_with_the_keyboard_alone(lms, new_context):
    """Into the HTML box, to its end, a variable inserted from the list just before the box (Shift+Tab;
    the focus returns to the box, after what was inserted), and saved: a new version."""
    _course, staff, template = northwind(lms)
    page = new_context(staff, viewport=DESKTOP).new_page()
    page.goto(reverse("cert_plugin:template-edit", args=[template.pk]))

    tab_to(page, re.compile(r"^HTML"))
    assert page.evaluate("document.activeElement.id") == "ed-html"
    page.keyboard.press("Control+End")
    page.keyboard.type("\n<!-- ")  # a note for the next author: the layout stays on one page
    tab_to(page, "course_key", backwards=True)  # the variables sit just before the box
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "ed-html"
    page.keyboard.type(" -->")
    assert page.input_value("#ed-html").endswith("<!-- {{ course_key }} -->")
    tab_to(page, re.compile(r"^Save"))
    page.keyboard.press("Enter")

    page.get_by_role("status").filter(has_text="Saved as version 2").first.wait_for()
    template.refresh_from_db()
    assert template.current_version.html.endswith("<!-- {{ course_key }} -->")


def test_a_page_whose_focus_cannot_be_seen_fails_the_check(lms, new_context):
    """The focus check is real: with every focus style removed, the first Tab stop fails it."""
    page = new_context(viewport=DESKTOP).new_page()
    page.goto(reverse("cert_plugin:verify-form"))
    page.evaluate("""() => {
        const sheet = new CSSStyleSheet();
        sheet.replaceSync('*:focus, *:focus-visible { outline: none !important; '
                          + 'box-shadow: none !important; }');
        document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
    }""")
    with pytest.raises(AssertionError, match="no visible focus indicator"):
        tab_to(page, "Verification code")
