"""Issue 14, points 1, 4 and 5: a refusal's reason reaches the learner, who may ask for a review;
a recertification asks what the course asks now; revoked and refused learners are not "in progress".

Learners go through the demo LMS (lessons completed, quizzes taken: the real signals); pages are read
as a learner or a staff member reads them (the "My certificates" card, the course page, the staff
dashboard, the activity log) and the REST answers as an MFE reads them.
"""

from __future__ import annotations

from datetime import timedelta

import lxml.html
import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from cert_plugin import api
from cert_plugin.models import AuditEvent, Certificate
from tests.helpers import html_of, squash

DASHBOARD = "/certs/"
REASON = "The final project was copied from another learner."


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _api(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def _cards(response) -> dict[str, lxml.html.HtmlElement]:
    return {squash(card.xpath(".//h3")[0].text_content()): card
            for card in html_of(response).xpath("//article[@data-course]")}


def _section_of(card) -> str:
    """The heading of the section a card is listed under."""
    return squash(card.xpath("ancestor::section[1]/h2")[0].text_content())


def _messages(response) -> str:
    return " ".join(squash(m.text_content()) for m in html_of(response).xpath("//*[@data-message]"))


def _earn(lms, learner, course) -> None:
    lms.complete_all(learner, course)
    lms.pass_all_quizzes(learner, course)


def _progress_json(user, course) -> dict:
    response = _api(user).get(reverse("cert_plugin:api-course-progress", args=[str(course.course_key)]))
    assert response.status_code == 200
    return response.json()


@pytest.fixture
def refused(lms):
    """A course that issues after staff approval; Amelia met everything else and staff refused her."""
    course = lms.course(title="Safety Officer Certification")
    api.configure_course(course.course_key, requires_approval=True)
    staff = lms.staff(course)
    learner = lms.learner(course, name="Amelia Okafor", username="amelia")
    _earn(lms, learner, course)
    api.reject(learner, course.course_key, by=staff, reason=REASON)
    return course, staff, learner


# --------------------------------------------------------------------------- 1. the refusal's reason


def test_a_refused_learner_reads_the_reason_on_the_card_the_course_page_and_the_progress_json(refused):
    course, _staff, learner = refused

    card = _cards(_client(learner).get(DASHBOARD))["Safety Officer Certification"]
    [reason] = card.xpath(".//*[@data-refusal]//*[@data-refusal-reason]")
    assert squash(reason.text_content()) == REASON
    assert "The course staff did not approve your certificate." in squash(card.text_content())
    assert card.xpath(".//*[@data-status]")[0].get("data-status") == "not_approved"

    course_page = html_of(_client(learner).get(reverse("lms:course", args=[str(course.course_key)])))
    [on_course_page] = course_page.xpath("//*[@data-refusal]//*[@data-refusal-reason]")
    assert squash(on_course_page.text_content()) == REASON
    assert course_page.xpath("//*[@data-refusal]//button[normalize-space()='Ask for review']")

    body = _progress_json(learner, course)
    assert body["refusal"]["reason"] == REASON
    assert body["refusal"]["review_requested_at"] is None
    assert body["refusal"]["review_url"].endswith(
        reverse("cert_plugin:api-course-review-request", args=[str(course.course_key)]))
    approval = next(item for item in body["items"] if item["key"] == "approval")
    assert approval["detail"] == f"Not approved: {REASON}"
    assert REASON.rstrip(".") in body["message"]
    [row] = _api(learner).get(reverse("cert_plugin:api-my-certificates")).json()
    assert (row["status"], row["refusal"]["reason"]) == ("not_approved", REASON)


def test_ask_for_review_is_one_request_that_staff_see_on_their_dashboard_and_in_the_activity_log(refused):
    course, staff, learner = refused
    client = _client(learner)
    [form] = _cards(client.get(DASHBOARD))["Safety Officer Certification"].xpath(".//form[@data-review-form]")
    assert form.get("action") == reverse("cert_plugin:ask-for-review", args=[str(course.course_key)])

    response = client.post(form.get("action"), {"message": "I wrote it myself; here is my draft history."},
                           follow=True)
    client.post(form.get("action"), {"message": "Sent twice"})  # a double submit

    assert response.redirect_chain[0][1] == 303
    assert "Review requested on" in _messages(response)
    card = _cards(response)["Safety Officer Certification"]
    assert "You asked them to reconsider on" in squash(card.text_content())
    assert not card.xpath(".//form[@data-review-form]")
    events = AuditEvent.objects.filter(user=learner, action=AuditEvent.REVIEW_REQUESTED)
    assert [(e.reason, e.actor) for e in events] == [
        ("I wrote it myself; here is my draft history.", learner)]

    staff_client = _client(staff)
    page = html_of(staff_client.get(reverse("cert_plugin:staff-dashboard", args=[course.course_key])))
    [request] = page.xpath("//section[@id='reviews']//li[@data-review='amelia']")
    text = squash(request.text_content())
    assert REASON in text
    assert "I wrote it myself; here is my draft history." in text
    assert request.xpath(".//button[contains(., 'Approve')]")
    log = squash(html_of(staff_client.get(reverse("cert_plugin:staff-audit", args=[course.course_key])))
                  .text_content())
    assert log.count("Asked to reconsider the refusal") == 1
    assert api.review_requests(course.course_key)[0].user == learner

    body = _progress_json(learner, course)
    assert body["refusal"]["review_requested_at"] is not None
    assert body["refusal"]["review_url"] is None


def test_ask_for_review_through_the_rest_api_is_idempotent_and_refused_without_a_refusal(refused, lms):
    course, _staff, learner = refused
    url = reverse("cert_plugin:api-course-review-request", args=[str(course.course_key)])

    first = _api(learner).post(url, {"message": "Please look again"}, format="json")
    again = _api(learner).post(url, {"message": "Again"}, format="json")

    assert first.status_code == again.status_code == 200
    assert first.json()["refusal"]["review_requested_at"] == again.json()["refusal"]["review_requested_at"]
    assert AuditEvent.objects.filter(user=learner, action=AuditEvent.REVIEW_REQUESTED).count() == 1

    never_refused = lms.learner(course, name="Kenji Watanabe")
    answer = _api(never_refused).post(url, {}, format="json")
    assert answer.status_code == 400
    assert answer.json()["error"].startswith("There is no refusal to reconsider")
    too_long = _api(learner).post(url, {"message": "x" * 2001}, format="json")
    assert too_long.status_code == 400


def test_a_refused_learners_staff_row_offers_approve_and_approving_issues_the_certificate(refused):
    course, staff, learner = refused
    client = _client(staff)
    dashboard = reverse("cert_plugin:staff-dashboard", args=[course.course_key])
    page = html_of(client.get(dashboard))
    [row] = page.xpath("//tr[@data-learner='amelia']")
    assert row.xpath(".//*[@data-status]")[0].get("data-status") == "not_approved"
    assert REASON in squash(row.xpath(".//*[@data-refusal]")[0].text_content())
    [approve] = row.xpath(".//form[.//button[contains(., 'Approve')]]")
    assert approve.get("action") == reverse("cert_plugin:staff-approve", args=[course.course_key])
    chips = {chip.get("data-status"): squash(chip.text_content())
             for chip in page.xpath("//a[@data-status]")}
    assert chips["not_approved"] == "Not approved 1"

    response = client.post(approve.get("action"), {"user": learner.pk}, follow=True)

    assert "certificate is issued" in _messages(response)
    assert api.active_certificate(learner, course.course_key).status == Certificate.ISSUED
    card = _cards(_client(learner).get(DASHBOARD))["Safety Officer Certification"]
    assert _section_of(card) == "Earned"


def test_refusing_again_answers_the_review_request_with_the_new_reason(refused):
    course, staff, learner = refused
    api.request_review(learner, course.course_key, message="Please look again")

    api.reject(learner, course.course_key, by=staff, reason="The project still does not cite its sources.")

    assert api.review_requests(course.course_key) == []
    body = _progress_json(learner, course)
    assert body["refusal"]["reason"] == "The project still does not cite its sources."
    assert body["refusal"]["review_url"] is not None  # the learner may ask again


# --------------------------------------------------------------------------- 4. recertification


@pytest.fixture
def expired_approval(lms, time_machine):
    """A course with staff approval, a staff-confirmed requirement and 30 days' validity: Amelia was
    approved and certified; the certificate expired yesterday."""
    course = lms.course(title="Forklift Safety")
    api.configure_course(course.course_key, requires_approval=True, validity_days=30,
                         additional_requirements=[{"key": "drill", "label": "Fire drill led on site"}])
    staff = lms.staff(course)
    learner = lms.learner(course, name="Amelia Okafor", username="amelia")
    _earn(lms, learner, course)
    api.mark_requirement_met(learner, course.course_key, "drill", by=staff)
    first = api.approve(learner, course.course_key, by=staff)
    assert first is not None
    time_machine.move_to(first.expires_at + timedelta(days=1))
    return course, staff, learner, first


def test_resubmitting_old_answers_after_expiry_does_not_recertify_without_new_staff_decisions(
        expired_approval, lms):
    course, staff, learner, first = expired_approval

    lms.pass_all_quizzes(learner, course)  # the same answers again: grade events, an evaluation
    api.backfill(course.course_key)  # and staff's "Issue to all qualified"

    assert list(Certificate.objects.filter(user=learner)) == [first]
    progress = api.get_progress(learner, course.course_key)
    assert progress.expired == first
    missing = {item.key: item.detail for item in progress.missing}
    assert missing == {"req:drill": "Staff confirm it again for each recertification",
                       "approval": "Staff approve each recertification again, once the other requirements "
                                   "are met"}
    assert "To recertify: Fire drill led on site; Approval by the course staff." in progress.message

    api.mark_requirement_met(learner, course.course_key, "drill", by=staff)  # confirmed again

    assert list(Certificate.objects.filter(user=learner)) == [first]
    assert api.awaiting_approval(course.course_key) == [learner]
    second = api.approve(learner, course.course_key, by=staff)
    assert second is not None
    assert second.pk != first.pk
    assert second.status == Certificate.ISSUED
    trail = [(event.action, event.actor) for event in api.audit_trail(course.course_key, user=learner)]
    assert trail[:3] == [("issued", None), ("expired", None), ("approved", staff)]


def test_the_expired_card_says_exactly_what_remains_and_that_earlier_work_counts(expired_approval, lms):
    course, staff, learner, _first = expired_approval
    api.mark_requirement_met(learner, course.course_key, "drill", by=staff)
    lms.pass_all_quizzes(learner, course)  # now awaiting the recertification's approval

    card = _cards(_client(learner).get(DASHBOARD))["Forklift Safety"]

    assert card.xpath(".//*[@data-status]")[0].get("data-status") == "expired"
    [remaining] = card.xpath(".//*[@data-recertification]//*[@data-remaining]")
    assert [squash(li.text_content()) for li in remaining.xpath("./li")] == [
        "Approval by the course staff — Waiting for the course staff to approve your recertification"]
    assert card.xpath(".//*[@data-earlier-work]")  # the LMS cannot tell when grades were earned
    meter = squash(card.xpath(".//*[contains(@class, 'cp-learner__count')]")[0].text_content())
    assert meter == "3 of 4 requirements met"
    assert _section_of(card) == "In progress"

    body = _progress_json(learner, course)
    assert body["status"] == "pending_approval"
    recertification = body["recertification"]
    assert [item["key"] for item in recertification["remaining"]] == ["approval"]
    assert recertification["earlier_work_counts"] is True
    assert recertification["recertify_url"] is None
    staff_page = html_of(_client(staff).get(reverse("cert_plugin:staff-dashboard", args=[course.course_key])))
    [row] = staff_page.xpath("//tr[@data-learner='amelia']")
    assert row.xpath(".//*[@data-status]")[0].get("data-status") == "pending_approval"


def test_staff_may_refuse_a_recertification_and_the_expired_card_shows_the_reason(expired_approval):
    course, staff, learner, first = expired_approval

    api.reject(learner, course.course_key, by=staff, reason="Your forklift licence lapsed.")

    card = _cards(_client(learner).get(DASHBOARD))["Forklift Safety"]
    assert "Your forklift licence lapsed." in squash(card.xpath(".//*[@data-refusal]")[0].text_content())
    assert card.xpath(".//form[@data-review-form]")
    first.refresh_from_db()
    assert first.active
    assert first.status == Certificate.EXPIRED


def test_with_nothing_left_the_expired_card_offers_recertify_now(lms, time_machine):
    course = lms.course(title="Forklift Safety")
    api.configure_course(course.course_key, validity_days=30)
    learner = lms.learner(course)
    _earn(lms, learner, course)
    [first] = api.certificates_for(learner)
    time_machine.move_to(first.expires_at + timedelta(days=1))
    client = _client(learner)

    card = _cards(client.get(DASHBOARD))["Forklift Safety"]
    assert "You meet every requirement again." in squash(card.text_content())
    [form] = card.xpath(".//form[.//button[contains(., 'Recertify now')]]")
    body = _progress_json(learner, course)
    assert body["recertification"]["remaining"] == []
    assert body["recertification"]["recertify_url"].endswith(
        reverse("cert_plugin:api-course-recertify", args=[str(course.course_key)]))

    response = client.post(form.get("action"), follow=True)

    second = api.active_certificate(learner, course.course_key)
    assert second.pk != first.pk
    assert second.status == Certificate.ISSUED
    assert f"Recertified: your new certificate is ready to download (code {second.formatted_code})." in (
        _messages(response))
    assert _section_of(_cards(response)["Forklift Safety"]) == "Earned"


# --------------------------------------------------------------------------- 5. not "in progress"


def test_revoked_and_refused_learners_are_not_listed_in_progress_nor_told_to_continue(refused, lms):
    _course, _staff, learner = refused
    python = lms.course(title="Python for Data Analysis")
    api.configure_course(python.course_key)
    from devhost.lms.models import Enrollment

    Enrollment.objects.create(user=learner, course=python)
    _earn(lms, learner, python)
    [certificate] = api.certificates_for(learner)
    api.revoke(certificate, reason="Exam misconduct", by=lms.staff(python))

    cards = _cards(_client(learner).get(DASHBOARD))

    for title in ("Safety Officer Certification", "Python for Data Analysis"):
        card = cards[title]
        assert _section_of(card) == "Revoked or not approved", title
        text = squash(card.text_content())
        assert "Continue the course" not in text, title
        assert "requirements met" not in text, title
        assert not card.xpath(".//*[@data-next-step]"), title
    statuses = {row["course_title"]: row["status"]
                for row in _api(learner).get(reverse("cert_plugin:api-my-certificates")).json()}
    assert statuses == {"Safety Officer Certification": "not_approved", "Python for Data Analysis": "revoked"}
