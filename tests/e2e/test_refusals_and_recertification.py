"""Issue 14 in a real browser, in English and Brazilian Portuguese: a refused learner reads staff's
reason and asks for a review, which staff see and answer with "Approve"; an expired certificate says
exactly what remains to recertify; revoked and refused courses are not "In progress".

The Portuguese runs find the new controls by their place in the page (``data-*`` hooks, the
sections' ids) rather than by English words: their texts are translated after this change, and
the runs check what a Portuguese reader gets (the page in pt-br, staff's own words, the sections,
the existing translated labels).
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse

from cert_plugin import api
from cert_plugin.models import Certificate
from tests.e2e.conftest import SCREENSHOTS
from tests.e2e.helpers import in_language

REASON = "The final project was copied from another learner."
DESKTOP = {"width": 1280, "height": 900}
LOCALES = [("en-US", "en"), ("pt-BR", "pt-br")]


def _earn(lms, learner, course) -> None:
    lms.complete_all(learner, course)
    lms.pass_all_quizzes(learner, course)


def _refused_and_revoked(lms):
    """Amelia: refused in "Safety Officer Certification" (approval course), revoked in "Python for Data
    Analysis", still working on "Data Visualisation"."""
    from devhost.lms.models import Enrollment

    safety = lms.course(title="Safety Officer Certification")
    api.configure_course(safety.course_key, requires_approval=True)
    staff = lms.staff(safety)
    learner = lms.learner(safety, name="Amelia Okafor", username="amelia")
    _earn(lms, learner, safety)
    api.reject(learner, safety.course_key, by=staff, reason=REASON)
    python = lms.course(title="Python for Data Analysis")
    api.configure_course(python.course_key)
    Enrollment.objects.create(user=learner, course=python)
    _earn(lms, learner, python)
    [certificate] = api.certificates_for(learner)
    api.revoke(certificate, reason="Exam misconduct", by=lms.staff(python))
    charts = lms.course(title="Data Visualisation")
    api.configure_course(charts.course_key)
    Enrollment.objects.create(user=learner, course=charts)
    lms.complete(learner, lms.lessons(charts)[0])
    return safety, staff, learner


def _card(page, course):
    return page.locator(f"article[data-course='{course.course_key}']")


def _shot(page, locator, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    locator.scroll_into_view_if_needed()
    locator.screenshot(path=str(SCREENSHOTS / name))


@pytest.mark.parametrize(("locale", "lang"), LOCALES)
def test_a_refused_learner_reads_the_reason_asks_for_review_and_staff_approve(lms, new_context, locale, lang):
    safety, staff, learner = _refused_and_revoked(lms)
    page = new_context(learner, locale=locale, viewport=DESKTOP).new_page()
    page.goto("/certs/")
    assert page.evaluate("document.documentElement.lang") == lang

    card = _card(page, safety)
    stopped = page.locator("section", has=page.locator("#cp-stopped-heading"))
    in_progress = page.locator("section", has=page.locator("#cp-progress-heading"))
    assert stopped.locator("article").count() == 2  # the refused course and the revoked one
    assert in_progress.locator("article").count() == 1  # only the course still being worked on
    assert card.locator("[data-refusal-reason]").inner_text() == REASON
    assert card.locator("[data-status]").get_attribute("data-status") == "not_approved"
    for stopped_card in stopped.locator("article").all():
        to_continue = stopped_card.locator(".cp-learner__course-link, .cp-learner__meter, [data-next-step]")
        assert to_continue.count() == 0
    _shot(page, card, f"learner-refused-{lang}.png")
    page.screenshot(path=str(SCREENSHOTS / f"learner-dashboard-refused-{lang}.png"), full_page=True)

    card.locator("[data-review-form] textarea").fill("I wrote it myself; my drafts show it.")
    card.locator("[data-review-form] button[type=submit]").click()

    page.locator("[data-message]").wait_for()
    assert card.locator("[data-review-requested]").is_visible()
    assert card.locator("[data-review-form]").count() == 0
    _shot(page, card, f"learner-review-requested-{lang}.png")

    staff_page = new_context(staff, locale=locale, viewport=DESKTOP).new_page()
    staff_page.goto(reverse("cert_plugin:staff-dashboard", args=[safety.course_key]))
    review = staff_page.locator("#reviews li[data-review='amelia']")
    assert REASON in review.inner_text()
    assert "I wrote it myself; my drafts show it." in review.inner_text()
    row = staff_page.locator("tr[data-learner='amelia']")
    assert row.locator("[data-status]").get_attribute("data-status") == "not_approved"
    assert REASON in row.locator("[data-refusal]").inner_text()
    _shot(staff_page, staff_page.locator("#reviews"), f"staff-review-request-{lang}.png")
    _shot(staff_page, row, f"staff-refused-row-{lang}.png")
    approve = "Approve Amelia Okafor" if lang == "en" else "Aprovar Amelia Okafor"

    row.get_by_role("button", name=approve).click()

    staff_page.locator("[data-message]").first.wait_for()
    assert row.locator("[data-status]").get_attribute("data-status") == "issued"
    page.reload()
    earned = page.locator("section", has=page.locator("#cp-earned-heading"))
    assert earned.locator(f"article[data-course='{safety.course_key}']").is_visible()
    assert api.active_certificate(learner, safety.course_key).status == Certificate.ISSUED


def test_the_course_page_shows_the_reason_and_takes_the_review_request(lms, new_context):
    safety, _staff, learner = _refused_and_revoked(lms)
    page = new_context(learner, viewport=DESKTOP).new_page()
    page.goto(f"/courses/{safety.course_key}/")
    section = page.get_by_role("region", name="Certification progress")
    assert section.locator("[data-refusal-reason]").inner_text() == REASON
    assert section.get_by_text("Not approved", exact=True).is_visible()
    _shot(page, section, "course-page-refused-en.png")

    section.get_by_label("Anything to add for the course staff? (optional)").fill("Please look again")
    section.get_by_role("button", name="Ask for review").click()

    page.get_by_role("status").filter(has_text="Review requested on").wait_for()
    assert page.url.endswith(f"/courses/{safety.course_key}/")  # back on the course page
    requested = section.locator("[data-review-requested]").inner_text()
    assert re.match(r"You asked them to reconsider on ", requested)


@pytest.mark.parametrize(("locale", "lang"), LOCALES)
def test_an_expired_certificate_says_what_remains_and_recertifies(lms, new_context, time_machine, locale,
                                                                  lang):
    from devhost.lms.models import Enrollment

    forklift = lms.course(title="Forklift Safety")
    api.configure_course(forklift.course_key, requires_approval=True, validity_days=30)
    staff = lms.staff(forklift)
    learner = lms.learner(forklift, name="Amelia Okafor", username="amelia")
    _earn(lms, learner, forklift)
    old = api.approve(learner, forklift.course_key, by=staff)
    first_aid = lms.course(title="First Aid at Work")
    api.configure_course(first_aid.course_key, validity_days=30)
    Enrollment.objects.create(user=learner, course=first_aid)
    _earn(lms, learner, first_aid)
    time_machine.move_to(old.expires_at + timedelta(days=2))
    lms.pass_all_quizzes(learner, forklift)  # the same answers again: no new approval, no certificate
    page = new_context(learner, locale=locale, viewport=DESKTOP).new_page()
    page.goto("/certs/")

    forklift_card = _card(page, forklift)
    assert forklift_card.locator("[data-status]").get_attribute("data-status") == "expired"
    remaining = forklift_card.locator("[data-remaining] li")
    assert remaining.count() == 1
    # the checklist's label
    assert remaining.first.inner_text().startswith(in_language(lang, "Approval by the course staff"))
    assert forklift_card.locator("[data-earlier-work]").is_visible()
    assert forklift_card.locator(".cp-learner__count").inner_text().startswith(("2 of 3", "2 de 3"))
    _shot(page, forklift_card, f"learner-expired-awaiting-approval-{lang}.png")
    first_aid_card = _card(page, first_aid)
    assert first_aid_card.locator("[data-remaining]").count() == 0
    _shot(page, first_aid_card, f"learner-expired-nothing-left-{lang}.png")
    page.screenshot(path=str(SCREENSHOTS / f"learner-dashboard-recertify-{lang}.png"), full_page=True)

    first_aid_card.locator("[data-recertification] form button[type=submit]").click()

    page.locator("[data-message]").wait_for()
    earned = page.locator("section", has=page.locator("#cp-earned-heading"))
    assert earned.locator(f"article[data-course='{first_aid.course_key}']").is_visible()
    assert api.active_certificate(learner, first_aid.course_key).status == Certificate.ISSUED
    assert len(api.certificates_for(learner)) == 3  # Forklift's expired one, First Aid's old and new
