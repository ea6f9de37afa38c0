"""Course staff find their courses' certificates (issue 14, point 8), in a real browser.

A member of two course teams, enrolled in nothing, used to read "not enrolled" on the demo's
home, "No certificates yet" on My certificates, and a 404 at ``/certs/staff/``. Now the home
lists the courses they teach, My certificates points to them, and ``/certs/staff/`` is the index
of their courses with what waits for them. In English and in Brazilian Portuguese (the browser
asks for ``pt-BR``; sentences new in this change stay English until the catalogue is updated, so
the Portuguese runs check the Portuguese page around them). Takes the screenshots, desktop and phone.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from cert_plugin import api
from devhost.lms.models import CourseStaff
from tests.e2e.conftest import SCREENSHOTS

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
LANGUAGES = [pytest.param("en-US", "en", "Certificates on", id="en"),
             pytest.param("pt-BR", "pt-br", "Certificados ativados", id="pt-BR")]


def _team_member(lms):
    """Staff of two courses (one needing approval, with two learners awaiting it and one certificate)."""
    safety = lms.course(title="Safety Officer Certification")
    # a course key longer than a phone is wide, unless it wraps
    python = lms.course(title="Python for Data Analysis", org="NorthwindInstituteOfTechnology")
    staff = lms.staff(safety)
    CourseStaff.objects.create(user=staff, course=python)
    api.configure_course(safety.course_key, requires_approval=True, backfill=False)
    for name in ("Layla Haddad", "Kenji Watanabe"):
        learner = lms.learner(safety, name=name)
        lms.pass_all_quizzes(learner, safety)
        lms.complete_all(learner, safety)
    api.issue(lms.learner(safety, name="Amelia Okafor"), safety.course_key, by=staff, reason="On site")
    return staff, safety, python


@pytest.mark.parametrize(("locale", "lang", "on"), LANGUAGES)
def test_from_the_demo_home_to_the_index_to_what_awaits_approval(lms, new_context, no_render_task, locale,
                                                                 lang, on):
    staff, _safety, _python = _team_member(lms)
    for viewport, device in ((DESKTOP, "desktop"), (PHONE, "phone")):
        page = new_context(staff, locale=locale, viewport=viewport).new_page()
        page.goto(reverse("lms:home"))
        teaching = page.locator("[data-teaching]")
        assert "Safety Officer Certification" in teaching.inner_text()
        page.screenshot(path=str(SCREENSHOTS / f"demo-home-staff-{lang}-{device}.png"), full_page=True)

        teaching.get_by_role("link", name="All your courses' certificates").click()

        page.wait_for_url("**/certs/staff/")
        assert page.evaluate("document.documentElement.lang") == lang
        rows = page.locator("tr[data-course]")
        assert rows.count() == 2
        row = rows.filter(has_text="Safety Officer Certification")
        assert row.locator("[data-state]").inner_text().strip() == on
        assert row.locator("[data-issued]").get_attribute("data-issued") == "1"
        assert row.locator("[data-awaiting]").get_attribute("data-awaiting") == "2"
        assert rows.filter(has_text="Python for Data Analysis").locator("[data-state]").get_attribute(
            "data-state") == "none"
        if lang == "en":
            assert page.get_by_role("heading", level=1).inner_text() == "Courses you teach"
            assert "You are course staff of 2 courses." in page.locator("main").inner_text()
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]  # nothing cut off
        page.screenshot(path=str(SCREENSHOTS / f"staff-index-{lang}-{device}.png"), full_page=True)

    row.locator("[data-awaiting] a").click()

    page.wait_for_url("**status=pending_approval*")
    assert page.locator("tr[data-learner] [data-status]").evaluate_all(
        "badges => badges.map(badge => badge.dataset.status)") == ["pending_approval", "pending_approval"]
    assert page.locator("[data-staff-index-link]").get_attribute("href") == reverse("cert_plugin:staff-index")


@pytest.mark.parametrize(("locale", "lang", "on"), LANGUAGES)
def test_my_certificates_points_course_staff_to_their_courses(lms, new_context, no_render_task, locale, lang,
                                                              on):
    staff, safety, _python = _team_member(lms)
    page = new_context(staff, locale=locale, viewport=PHONE).new_page()

    page.goto(reverse("cert_plugin:learner-dashboard"))

    assert page.evaluate("document.documentElement.lang") == lang
    card = page.locator("[data-staff-courses]")
    assert card.is_visible()
    if lang == "en":
        assert "You teach 2 courses here." in card.inner_text()
    page.screenshot(path=str(SCREENSHOTS / f"learner-dashboard-staff-{lang}-phone.png"), full_page=True)
    card.get_by_role("link").click()
    page.wait_for_url("**/certs/staff/")
    page.locator("tr[data-course]").filter(has_text="Safety Officer Certification").get_by_role(
        "link", name="Safety Officer Certification", exact=True).click()
    page.wait_for_url(f"**{reverse('cert_plugin:staff-dashboard', args=[safety.course_key])}")
    assert page.get_by_role("heading", level=1).inner_text() == "Safety Officer Certification"


def test_a_learner_who_teaches_nothing_reads_so(lms, new_context):
    course = lms.course()
    learner = lms.learner(course)
    page = new_context(learner, viewport=PHONE).new_page()

    page.goto(reverse("cert_plugin:staff-index"))

    assert page.locator("[data-teaches-none]").is_visible()
    assert page.locator("tr[data-course]").count() == 0
    page.screenshot(path=str(SCREENSHOTS / "staff-index-none-phone.png"), full_page=True)
    page.goto(reverse("cert_plugin:learner-dashboard"))
    assert page.locator("[data-staff-courses]").count() == 0
