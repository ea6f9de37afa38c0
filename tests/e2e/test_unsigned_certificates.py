"""Without a signing key the site issues unsigned certificates, and says so (issue 14, point 15).

The verify page tells a verifier the certificate carries no digital signature; the staff
dashboard tells course staff that certificates are issued unsigned, and marks each unsigned
one. In English and in Brazilian Portuguese (the browser asks for ``pt-BR``: new sentences
stay English until the catalogue is updated, so the Portuguese run checks the page is the
Portuguese one and that the notice is there). Takes the screenshots, desktop and phone.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from cert_plugin import api
from tests.e2e.conftest import SCREENSHOTS

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
LANGUAGES = [("en-US", "en", "Issued without a digital signature"),
             ("pt-BR", "pt-br", "Emitido sem assinatura digital")]


@pytest.fixture
def unsigned_site(settings):
    """The site's settings without CERT_PLUGIN["SIGNING_KEY"] (manage.py check warns: W001)."""
    settings.CERT_PLUGIN = {key: value for key, value in settings.CERT_PLUGIN.items() if key != "SIGNING_KEY"}
    return settings


def _issue(lms, *, name="Amelia Okafor"):
    course = lms.course(title="Safety Officer Certification")
    api.configure_course(course.course_key, backfill=False)
    learner = lms.learner(course, name=name)
    staff = lms.staff(course)
    return course, staff, api.issue(learner, course.course_key, by=staff, reason="Certified on site")


def _verify(certificate) -> str:
    return reverse("cert_plugin:verify", args=[certificate.formatted_code])


@pytest.mark.parametrize(("locale", "lang", "badge"), LANGUAGES)
def test_the_verify_page_says_the_certificate_carries_no_signature(lms, new_context, no_render_task,
                                                                    unsigned_site, locale, lang, badge):
    _, _, certificate = _issue(lms)
    assert certificate.signature == ""
    page = new_context(locale=locale, viewport=PHONE).new_page()

    page.goto(_verify(certificate))

    assert page.evaluate("document.documentElement.lang") == lang
    notice = page.locator("[data-unsigned]")
    assert notice.is_visible()
    if lang == "en":
        assert "This certificate carries no digital signature." in notice.inner_text()
        assert "cannot be checked on its own" in notice.inner_text()
    assert page.get_by_text(badge).is_visible()
    page.screenshot(path=str(SCREENSHOTS / f"verify-unsigned-{lang}-phone.png"), full_page=True)


def test_a_signed_certificate_has_no_such_notice(lms, new_context, no_render_task):
    _, _, certificate = _issue(lms)
    assert certificate.signature
    page = new_context(viewport=DESKTOP).new_page()

    page.goto(_verify(certificate))

    assert page.locator("[data-unsigned]").count() == 0
    assert page.get_by_text("Digital signature verified").is_visible()


@pytest.mark.parametrize(("locale", "lang", "_badge"), LANGUAGES)
def test_the_staff_dashboard_says_certificates_are_issued_unsigned(lms, new_context, no_render_task,
                                                                   unsigned_site, locale, lang, _badge):
    course, staff, certificate = _issue(lms)

    for viewport, device in ((DESKTOP, "desktop"), (PHONE, "phone")):
        page = new_context(staff, locale=locale, viewport=viewport).new_page()
        page.goto(reverse("cert_plugin:staff-dashboard", args=[course.course_key]))

        assert page.evaluate("document.documentElement.lang") == lang
        notice = page.locator("[data-unsigned]")
        assert notice.is_visible()
        row = page.locator("tr[data-learner]").filter(has_text=certificate.formatted_code)
        assert row.locator("[data-unsigned-row]").is_visible()
        if lang == "en":
            assert "Certificates are issued without a digital signature." in notice.inner_text()
            assert 'CERT_PLUGIN["SIGNING_KEY"]' in notice.inner_text()
            assert row.locator("[data-unsigned-row]").inner_text() == "No digital signature"
        page.screenshot(path=str(SCREENSHOTS / f"staff-unsigned-{lang}-{device}.png"), full_page=True)


def test_once_a_key_is_set_the_dashboard_counts_the_certificates_still_unsigned(lms, new_context,
                                                                                no_render_task, settings):
    signed_settings = settings.CERT_PLUGIN
    settings.CERT_PLUGIN = {key: value for key, value in signed_settings.items() if key != "SIGNING_KEY"}
    course, staff, unsigned = _issue(lms)
    settings.CERT_PLUGIN = signed_settings  # the operator sets the key afterwards
    signed = api.issue(lms.learner(course, name="Kenji Watanabe"), course.course_key, by=staff, reason="x")
    page = new_context(staff, viewport=DESKTOP).new_page()

    page.goto(reverse("cert_plugin:staff-dashboard", args=[course.course_key]))

    notice = page.locator("[data-unsigned]")
    assert "1 certificate of this course carries no digital signature" in notice.inner_text()
    rows = page.locator("tr[data-learner]")
    assert rows.filter(has_text=unsigned.formatted_code).locator("[data-unsigned-row]").count() == 1
    assert rows.filter(has_text=signed.formatted_code).locator("[data-unsigned-row]").count() == 0
