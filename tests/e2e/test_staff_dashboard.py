"""What course staff do on the certificates dashboard, in a real browser.

Learners reach "awaiting approval" through the real signals; staff approve,
revoke, and reissue every certificate while watching the progress bar. Also
takes the dashboard's screenshots (desktop and phone).
"""

from __future__ import annotations

import re

from django.urls import reverse

from cert_plugin import api
from tests.e2e.conftest import SCREENSHOTS


def _dashboard(course) -> str:
    return reverse("cert_plugin:staff-dashboard", args=[course.course_key])


def _course_with_learners(lms):
    """A course needing approval and a project, with learners at every stage."""
    course = lms.course(title="Safety Officer Certification", lessons=4)
    api.configure_course(course.course_key, requires_approval=True, min_grade=0.7, validity_days=730,
                         additional_requirements=[{"key": "drill", "label": "Fire drill led on site"}])
    staff = lms.staff(course)
    pending = lms.learner(course, name="Layla Haddad", username="layla")
    lms.pass_all_quizzes(pending, course)
    lms.complete_all(pending, course)
    api.mark_requirement_met(pending, course.course_key, "drill", by=staff)
    halfway = lms.learner(course, name="Kenji Watanabe", username="kenji")
    lms.complete_all(halfway, course, but=2)
    lms.take_quiz(halfway, lms.quizzes(course)[0], 0.55)
    holders = []
    for name, username in (("Amelia Okafor", "amelia"), ("José Ñúñez", "jose"), ("Mei Chen", "mei")):
        learner = lms.learner(course, name=name, username=username)
        holders.append(api.issue(learner, course.course_key, by=staff, reason="Certified on site"))
    lms.learner(course, name="Noah Fischer", username="noah")
    return course, staff, pending, holders


def test_staff_approve_a_pending_learner_and_see_the_status_change(lms, new_context):
    course, staff, pending, _ = _course_with_learners(lms)
    page = new_context(staff, viewport={"width": 1280, "height": 800}).new_page()
    page.goto(_dashboard(course))
    row = page.locator("tr[data-learner='layla']")
    assert row.locator("[data-status]").inner_text().strip() == "Awaiting approval"

    page.get_by_role("region", name=re.compile("Awaiting your approval")).get_by_role(
        "button", name="Approve Layla Haddad").click()

    page.get_by_role("status").filter(has_text="Approved").wait_for()
    assert row.locator("[data-status]").inner_text().strip() == "Issued"
    assert page.get_by_role("region", name=re.compile("Awaiting your approval")).count() == 0
    assert api.active_certificate(pending, course.course_key) is not None


def test_staff_revoke_with_a_reason_and_the_verify_page_says_revoked(lms, new_context):
    course, staff, _, holders = _course_with_learners(lms)
    certificate = holders[0]
    page = new_context(staff, viewport={"width": 1280, "height": 800}).new_page()
    page.goto(_dashboard(course))
    row = page.locator("tr[data-learner='amelia']")

    row.get_by_text("Actions").click()
    row.get_by_label("Reason for revoking").fill("Certificate issued to the wrong person")
    row.get_by_label("Show the reason on the public verify page").check()
    top = row.evaluate("row => row.getBoundingClientRect().top + window.scrollY")
    page.screenshot(path=str(SCREENSHOTS / "staff-revoke.png"), full_page=True,
                    clip={"x": 0, "y": top - 8, "width": 1280, "height": 520})
    row.get_by_role("button", name="Revoke certificate").click()

    page.get_by_role("status").filter(has_text="is revoked").wait_for()
    assert page.locator("tr[data-learner='amelia'] [data-status]").inner_text().strip() == "Revoked"
    verifier = new_context().new_page()
    verifier.goto(reverse("cert_plugin:verify", args=[certificate.formatted_code]))
    heading = verifier.get_by_role("heading", level=1).inner_text()
    assert "revoked" in heading.lower()
    assert "Certificate issued to the wrong person" in verifier.content()


def test_reissue_all_shows_the_progress_bar_reaching_100_percent(lms, new_context):
    course, staff, _, holders = _course_with_learners(lms)
    for certificate in holders:  # corrected names: every certificate has something to reissue
        certificate.user.lms_profile.full_name += " Jr."
        certificate.user.lms_profile.save()
    page = new_context(staff, viewport={"width": 1280, "height": 800}).new_page()
    page.goto(_dashboard(course))

    page.get_by_role("link", name="Reissue all with the current template").click()
    assert "3 current certificates are printed again" in page.inner_text("main")
    page.get_by_role("button", name="Yes, reissue all").click()

    bar = page.locator("[data-job-bar]")
    bar.wait_for()
    page.wait_for_function("() => document.querySelector('[data-job-bar]')"
                           ".getAttribute('aria-valuenow') === '100'")
    assert page.locator("[data-job-text]").inner_text() == "3 of 3 certificates"
    assert "3 reissued" in page.locator("[data-job-summary]").inner_text()
    assert page.locator("[data-job-text]").locator("xpath=..").get_attribute("aria-live") == "polite"
    page.locator("#jobs").screenshot(path=str(SCREENSHOTS / "staff-job-progress.png"))
    assert {api.active_certificate(c.user, course.course_key).revision for c in holders} == {2}


def test_the_progress_bar_follows_a_running_job_from_the_status_endpoint(lms, new_context):
    """The page shows a job still running; its script polls the real JSON endpoint until done."""
    course, staff, _, _ = _course_with_learners(lms)
    job = api.start_job("reissue_all", course.course_key, by=staff)
    context = new_context(staff, viewport={"width": 1280, "height": 800})
    polls = []

    def as_if_running(route):  # the page as it was rendered while the job was still running
        html = route.fetch().text()
        html = html.replace('data-state="done"', 'data-state="running"').replace(
            'aria-valuenow="100"', 'aria-valuenow="0"')
        route.fulfill(body=html, content_type="text/html; charset=utf-8")

    context.route(re.compile(re.escape(_dashboard(course)) + r"$"), as_if_running)
    page = context.new_page()
    page.on("request", lambda request: polls.append(request.url) if "/jobs/" in request.url else None)
    page.goto(_dashboard(course))

    page.wait_for_function("() => document.querySelector('[data-job]').getAttribute('data-state') === 'done'")

    assert any(url.endswith(f"/jobs/{job.pk}/") for url in polls)
    assert page.locator("[data-job-bar]").get_attribute("aria-valuenow") == "100"
    assert page.locator("[data-job-state]").inner_text() == "Done"


def test_dashboard_screenshots_desktop_and_phone(lms, new_context):
    course, staff, _, _ = _course_with_learners(lms)
    api.start_job("reissue_all", course.course_key, by=staff)

    desktop = new_context(staff, viewport={"width": 1280, "height": 800}).new_page()
    desktop.goto(_dashboard(course))
    desktop.screenshot(path=str(SCREENSHOTS / "staff-dashboard.png"), full_page=True)
    desktop.goto(reverse("cert_plugin:staff-settings", args=[course.course_key]))
    desktop.screenshot(path=str(SCREENSHOTS / "staff-settings.png"), full_page=True)

    phone = new_context(staff, viewport={"width": 390, "height": 844}, is_mobile=True,
                        device_scale_factor=2).new_page()
    phone.goto(_dashboard(course))
    # Nothing is wider than the screen: no sideways scrolling on a phone.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.screenshot(path=str(SCREENSHOTS / "staff-dashboard-phone.png"), full_page=True)
