"""Right-to-left: an Arabic-speaking verifier or learner gets a mirrored page, and Arabic names read right.

The browser asks for Arabic (``locale="ar"``: Chromium sends ``Accept-Language: ar``); the
host's LocaleMiddleware activates it and ``base.html`` derives ``<html dir>`` from
``LANGUAGE_BIDI``. What these tests check is the direction, the mirrored layout and the learner's
name; tests/e2e/test_languages.py checks that the words are Arabic.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from cert_plugin import api
from tests.e2e.conftest import SCREENSHOTS
from tests.helpers import issued

ARABIC_NAME = "ليلى حداد"  # Layla Haddad
PHONE = {"width": 390, "height": 844}

# Where the text of an element sits inside the element's own box, in CSS pixels.
_TEXT_SIDES = """element => {
    const range = document.createRange();
    range.selectNodeContents(element);
    const text = range.getBoundingClientRect(), box = element.getBoundingClientRect();
    const style = getComputedStyle(element);
    return {left: text.left - box.left - parseFloat(style.paddingLeft),
            right: box.right - text.right - parseFloat(style.paddingRight),
            direction: style.direction};
}"""

# Whether the page's font draws ``text`` with real glyphs: a string of characters no font has
# (unassigned code points) draws as "missing glyph" boxes; real glyphs draw differently.
_DRAWS_REAL_GLYPHS = """([selector, text]) => {
    const font = getComputedStyle(document.querySelector(selector)).font;
    const draw = value => {
        const canvas = document.createElement("canvas");
        canvas.width = 400; canvas.height = 80;
        const context = canvas.getContext("2d");
        context.font = font; context.fillStyle = "#000"; context.fillText(value, 10, 50);
        return Array.from(context.getImageData(0, 0, 400, 80).data).join();
    };
    const missing = Array.from(text).map(ch => ch === " " ? " " : "\\u0378").join("");
    return draw(text) !== draw(missing);
}"""


def _verify_url(certificate) -> str:
    return reverse("cert_plugin:verify", args=[certificate.formatted_code])


def _page_url(certificate) -> str:
    return reverse("cert_plugin:certificate", args=[certificate.formatted_code])


def _direction(page) -> tuple[str, str]:
    lang, direction = page.evaluate("[document.documentElement.lang, document.documentElement.dir]")
    return lang, direction


@pytest.mark.parametrize(("locale", "lang", "direction"), [("ar", "ar", "rtl"), ("en-US", "en", "ltr")])
def test_the_verify_page_is_mirrored_for_a_right_to_left_language(lms, new_context, locale, lang, direction):
    _, _, certificate = issued(lms, name=ARABIC_NAME)
    page = new_context(locale=locale, viewport=PHONE).new_page()

    page.goto(_verify_url(certificate))

    assert _direction(page) == (lang, direction)
    # A heading shorter than its card starts on the reading side: the right in Arabic.
    title = page.locator("#cp-details-title").element_handle()
    sides = title.evaluate(_TEXT_SIDES)
    start, end = ("right", "left") if direction == "rtl" else ("left", "right")
    assert sides["direction"] == direction
    assert abs(sides[start]) <= 2, sides
    assert sides[end] > 40, sides
    # The status icon comes first in reading order: right of the title in Arabic, left of it in English.
    icon = page.locator(".cp-status__icon").bounding_box()
    heading = page.get_by_role("heading", level=1).bounding_box()
    assert (icon["x"] > heading["x"]) == (direction == "rtl"), (icon, heading)


def test_an_arabic_name_reads_right_to_left_with_real_glyphs(lms, new_context):
    _, _, certificate = issued(lms, name=ARABIC_NAME)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page = new_context(locale="ar", viewport=PHONE, device_scale_factor=2).new_page()

    page.goto(_verify_url(certificate))

    name = page.locator(".cp-facts dd strong").filter(has_text=ARABIC_NAME)
    assert name.inner_text() == ARABIC_NAME  # the right characters, in logical order
    assert name.evaluate("element => getComputedStyle(element).direction") == "rtl"
    assert page.evaluate(_DRAWS_REAL_GLYPHS, [".cp-facts dd strong", ARABIC_NAME]), "Arabic drawn as boxes"
    page.screenshot(path=str(SCREENSHOTS / "verify-rtl-phone.png"), full_page=True)


def test_the_certificate_page_is_right_to_left_for_an_arabic_learner(lms, new_context):
    _, learner, certificate = issued(lms, name=ARABIC_NAME)
    page = new_context(learner, locale="ar", viewport=PHONE).new_page()

    page.goto(_page_url(certificate))

    assert _direction(page) == ("ar", "rtl")
    sides = page.locator("#cp-details-heading").element_handle().evaluate(_TEXT_SIDES)
    assert abs(sides["right"]) <= 2, sides
    assert sides["left"] > 40, sides
    learner_name = page.locator(".cp-cert__learner [dir=auto]")
    assert learner_name.inner_text() == ARABIC_NAME
    assert learner_name.evaluate("element => getComputedStyle(element).direction") == "rtl"
    # An English course title is shown as written inside the right-to-left page.
    assert page.get_by_role("heading", level=1).inner_text() == certificate.course_title


@pytest.mark.parametrize("locale", ["en-US", "ar"])
def test_an_arabic_name_inside_the_verify_sentence_is_isolated_from_the_words_around_it(lms, new_context,
                                                                                        locale):
    """Without isolation the bidi algorithm lets the name's direction spill over the words next to it."""
    _, _, certificate = issued(lms, name=ARABIC_NAME)
    page = new_context(locale=locale, viewport=PHONE).new_page()

    page.goto(_verify_url(certificate))

    sentence = page.locator(".cp-status__text").first
    assert ARABIC_NAME in sentence.inner_text()
    name = sentence.locator("bdi").filter(has_text=ARABIC_NAME)
    style = name.evaluate("element => { const style = getComputedStyle(element);"
                          " return [style.unicodeBidi, style.direction]; }")
    assert style == ["isolate", "rtl"]


@pytest.mark.parametrize(("locale", "direction"), [("ar", "rtl"), ("en-US", "ltr")])
def test_arrows_point_the_way_the_learner_reads(lms, new_context, locale, direction):
    course = lms.course()
    api.configure_course(course.course_key)
    learner = lms.learner(course, name=ARABIC_NAME)
    lms.complete(learner, lms.lessons(course)[0])
    page = new_context(learner, locale=locale, viewport=PHONE).new_page()

    page.goto(reverse("cert_plugin:learner-dashboard"))

    # "Continue the course →" in English, "← متابعة المقرر" in Arabic: the arrow's tip is on the side
    # the learner reads towards (an SVG arrow drawn pointing right, mirrored for right to left).
    arrow = page.locator(".cp-learner__course-link .cp-icon--arrow")
    tip_on_the_right = arrow.evaluate("""(icon) => {
        const matrix = new DOMMatrix(getComputedStyle(icon).transform);
        return matrix.a > 0;
    }""")
    assert tip_on_the_right == (direction == "ltr")
