"""The learner's "My certificates" tab and name-change reissue requests.

Certificates are issued through the real signals (lessons completed, quizzes
taken in the demo LMS); the tab is read as a learner reads it: which courses,
in which order, what each says and which buttons it offers.
"""

from __future__ import annotations

from datetime import timedelta

import lxml.html
import pytest
from django.test import Client
from django.urls import reverse

from cert_plugin import api
from tests.helpers import html_of, squash

DASHBOARD = "/certs/"


def _client(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _cards(response) -> dict[str, lxml.html.HtmlElement]:
    """Each course card of the tab, by its title, in page order."""
    return {squash(card.xpath(".//h3")[0].text_content()): card
            for card in html_of(response).xpath("//article[@data-course]")}


def _card_text(card) -> str:
    return squash(card.text_content())


def _links(card) -> dict[str, str]:
    return {squash(a.text_content()): a.get("href") for a in card.xpath(".//a")}


def _earn(lms, learner, course):
    lms.pass_all_quizzes(learner, course)
    lms.complete_all(learner, course)


def _rename(user, name: str) -> None:
    from devhost.lms.models import Profile

    Profile.objects.filter(user=user).update(full_name=name)  # the learner edits their LMS profile


@pytest.fixture
def two_courses(lms):
    """Amelia earned "Python for Data Analysis" and is 2 lessons into "Safety Officer Certification"."""
    python = lms.course(title="Python for Data Analysis")
    api.configure_course(python.course_key)
    safety = lms.course(title="Safety Officer Certification", lessons=3, quizzes=1)
    api.configure_course(safety.course_key, required_quizzes=[str(lms.quizzes(safety)[0].usage_key)])
    learner = lms.learner(python, name="Amelia Okafor")
    from devhost.lms.models import Enrollment

    Enrollment.objects.create(user=learner, course=safety)
    _earn(lms, learner, python)
    lms.complete_all(learner, safety, but=1)
    return learner, python, safety


# --------------------------------------------------------------------------- who sees the tab


def test_anonymous_visitors_are_sent_to_the_login_page_and_back():
    response = _client().get(DASHBOARD)

    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/certs/"


def test_a_learner_without_any_certificate_course_sees_the_empty_state(lms):
    course = lms.course(title="No Certificate Here")  # never configured: offers no certificate
    learner = lms.learner(course)

    response = _client(learner).get(DASHBOARD)

    assert response.status_code == 200
    text = squash(html_of(response).text_content())
    assert "No certificates yet" in text
    assert "No Certificate Here" not in text
    assert _cards(response) == {}
    # The help box is there for the learner who expected one.
    assert "I completed the course but did not receive a certificate" in text


def test_other_learners_certificates_are_never_shown(lms, two_courses):
    learner, python, _ = two_courses
    other = lms.learner(python, name="Kenji Watanabe")
    _earn(lms, other, python)
    [theirs] = api.certificates_for(other)

    response = _client(learner).get(DASHBOARD)

    assert "Kenji Watanabe" not in response.content.decode()
    assert theirs.formatted_code not in response.content.decode()
    mine = _client(other).get(DASHBOARD)
    assert list(_cards(mine)) == ["Python for Data Analysis"]
    assert "Amelia Okafor" not in squash(html_of(mine).text_content())


# --------------------------------------------------------------------------- earned and in progress


def test_earned_certificates_come_first_with_downloads_sharing_and_verify(two_courses):
    learner, _, _ = two_courses
    [certificate] = api.certificates_for(learner)
    code = certificate.formatted_code

    response = _client(learner).get(DASHBOARD)

    assert response.status_code == 200
    assert "private" in response["Cache-Control"]
    cards = _cards(response)
    assert list(cards) == ["Python for Data Analysis", "Safety Officer Certification"]
    earned = cards["Python for Data Analysis"]
    text = _card_text(earned)
    assert "Issued" in text
    assert "Does not expire" in text
    assert code in text
    assert "Private" in text  # not on the public profile yet
    links = _links(earned)
    pdf = reverse("cert_plugin:download-pdf", args=[code])
    png = reverse("cert_plugin:download-png", args=[code])
    assert links["Download PDF (Python for Data Analysis)"] == pdf
    assert links["Download PNG (Python for Data Analysis)"] == png
    assert links["Verify (Python for Data Analysis)"] == reverse("cert_plugin:verify", args=[code])
    assert links["Publish (Python for Data Analysis)"].startswith(reverse("cert_plugin:certificate",
                                                                          args=[code]))
    [thumb] = earned.xpath(".//img")
    assert thumb.get("src") == reverse("cert_plugin:download-png", args=[code]) + "?width=600"  # not 1,754 px
    assert thumb.get("loading") == "lazy"
    assert thumb.get("alt") == "Certificate of completion for Amelia Okafor, Python for Data Analysis"
    assert earned.xpath(".//button[@data-share]")  # shown by the script (Web Share or copy link)
    assert earned.get("data-share-url") == api.verify_url(certificate.verification_code)
    # An earned course shows no checklist.
    assert not earned.xpath(".//*[contains(@class, 'cp-checklist')]")


def test_a_published_certificate_says_it_is_on_the_public_profile(two_courses):
    learner, _, _ = two_courses
    [certificate] = api.certificates_for(learner)
    api.set_public(certificate, True, by=learner)

    response = _client(learner).get(DASHBOARD)

    assert "On your public profile" in _card_text(_cards(response)["Python for Data Analysis"])
    nav = {squash(a.text_content()): a.get("href") for a in html_of(response).xpath("//header//nav//a")}
    assert nav["My public profile"] == reverse("cert_plugin:public-profile", args=[learner.username])


def test_a_course_in_progress_shows_its_checklist_progress_and_next_step(two_courses):
    learner, _, _ = two_courses

    response = _client(learner).get(DASHBOARD)

    card = _cards(response)["Safety Officer Certification"]
    text = _card_text(card)
    assert "In progress" in text
    items = [squash(li.text_content()) for li in card.xpath(".//li[@data-requirement]")]
    assert len(items) == 3
    assert "2 of 3 lessons completed" in items[0]
    assert "Not yet" in items[0]
    assert "Pass the course" in items[1]
    assert "Quiz 1: 0% (needs 70%)" in items[2]
    assert "0 of 3 requirements met" in text
    [bar] = card.xpath(".//*[@role='progressbar']")
    assert bar.get("aria-valuenow") == "0"
    # The first unmet requirement is the next step.
    [next_step] = card.xpath(".//*[@data-next-step]")
    assert squash(next_step.text_content()).startswith("Next step: Complete all lessons")
    assert "2 of 3 lessons completed" in squash(next_step.text_content())
    assert "requirements left" in text  # the one-sentence summary
    assert not card.xpath(".//a[contains(., 'Download PDF')]")


def test_progress_counts_what_is_met(lms, two_courses):
    learner, _, safety = two_courses
    lms.complete_all(learner, safety)  # the last lesson: the grade and the quiz are left

    card = _cards(_client(learner).get(DASHBOARD))["Safety Officer Certification"]

    assert "1 of 3 requirements met" in _card_text(card)
    assert card.xpath(".//*[@role='progressbar']")[0].get("aria-valuenow") == "33"
    [met] = card.xpath(".//li[@data-requirement][contains(@class, 'cp-checklist__item--met')]")
    assert "Done 3 of 3 lessons completed" in squash(met.text_content())
    next_step = squash(card.xpath(".//*[@data-next-step]")[0].text_content())
    assert next_step.startswith("Next step: Pass the course")


def test_pending_approval_says_plainly_that_staff_approval_is_awaited(lms):
    course = lms.course(title="Safety Officer Certification")
    api.configure_course(course.course_key, requires_approval=True)
    learner = lms.learner(course, name="Layla Haddad")
    _earn(lms, learner, course)

    card = _cards(_client(learner).get(DASHBOARD))["Safety Officer Certification"]

    text = _card_text(card)
    assert "Awaiting approval" in text
    assert "Waiting for staff approval." in text
    assert not card.xpath(".//*[@data-next-step]")  # nothing for the learner to do


def test_an_expired_certificate_asks_to_recertify(lms, time_machine):
    course = lms.course(title="Forklift Safety")
    api.configure_course(course.course_key, validity_days=30)
    learner = lms.learner(course)
    _earn(lms, learner, course)
    [certificate] = api.certificates_for(learner)
    time_machine.move_to(certificate.issued_at + timedelta(days=31))

    card = _cards(_client(learner).get(DASHBOARD))["Forklift Safety"]

    text = _card_text(card)
    assert "Expired" in text
    assert "Your certificate expired on" in text
    assert "You meet every requirement again." in text  # nothing remains but the new certificate
    [form] = card.xpath(".//form[.//button[contains(., 'Recertify now')]]")
    assert form.get("action") == reverse("cert_plugin:recertify", args=[str(course.course_key)])
    assert _links(card)["Open the expired certificate (Forklift Safety)"] == reverse(
        "cert_plugin:certificate", args=[certificate.formatted_code])


def test_a_revoked_certificate_says_so_with_its_reason(lms, two_courses):
    learner, python, _ = two_courses
    [certificate] = api.certificates_for(learner)
    api.revoke(certificate, reason="Exam misconduct", by=lms.staff(python))

    cards = _cards(_client(learner).get(DASHBOARD))

    card = cards["Python for Data Analysis"]
    text = _card_text(card)
    assert "Revoked" in text
    assert "is no longer valid" in text
    assert not card.xpath(".//a[contains(., 'Download PDF')]")


# --------------------------------------------------------------------------- name changes


def test_a_name_change_offers_a_reissue_request_that_staff_then_see(two_courses):
    learner, python, _ = two_courses
    [certificate] = api.certificates_for(learner)
    _rename(learner, "Amelia Okafor-Smith")
    client = _client(learner)

    card = _cards(client.get(DASHBOARD))["Python for Data Analysis"]
    assert ("Your profile name is now Amelia Okafor-Smith; your certificate says Amelia Okafor."
            in _card_text(card))
    [form] = card.xpath(".//form[.//button[contains(., 'Request reissue')]]")
    assert form.get("method") == "post"
    assert form.get("action") == reverse("cert_plugin:request-reissue", args=[certificate.formatted_code])

    response = client.post(form.get("action"), follow=True)

    assert response.redirect_chain[0][1] == 303
    assert "Request sent to the course staff." in squash(html_of(response).text_content())
    card = _cards(response)["Python for Data Analysis"]
    assert "Reissue requested on" in _card_text(card)
    assert not card.xpath(".//button[contains(., 'Request reissue')]")
    [request] = api.reissue_requests(python.course_key)
    assert request.requested_name == "Amelia Okafor-Smith"
    [unchanged] = api.certificates_for(learner)
    assert unchanged.learner_name == "Amelia Okafor"


def test_with_automatic_reissue_the_certificate_gets_the_new_name_and_keeps_its_code(two_courses, settings):
    settings.CERT_PLUGIN = {**settings.CERT_PLUGIN, "AUTO_REISSUE_ON_NAME_CHANGE": True}
    learner, python, _ = two_courses
    [certificate] = api.certificates_for(learner)
    _rename(learner, "Amelia Okafor-Smith")

    url = reverse("cert_plugin:request-reissue", args=[certificate.formatted_code])
    response = _client(learner).post(url, follow=True)

    assert "Reissued with your new name: Amelia Okafor-Smith." in squash(html_of(response).text_content())
    [reissued] = api.certificates_for(learner)
    assert reissued.verification_code == certificate.verification_code
    assert reissued.learner_name == "Amelia Okafor-Smith"
    card = _cards(response)["Python for Data Analysis"]
    assert "Your profile name is now" not in _card_text(card)
    assert api.reissue_requests(python.course_key) == []


def test_a_request_without_a_name_change_explains_why_and_changes_nothing(two_courses):
    learner, python, _ = two_courses
    [certificate] = api.certificates_for(learner)

    url = reverse("cert_plugin:request-reissue", args=[certificate.formatted_code])
    response = _client(learner).post(url, follow=True)

    assert response.status_code == 200
    [alert] = html_of(response).xpath("//*[@role='alert']")
    assert "already matches your profile" in alert.text_content()
    assert api.reissue_requests(python.course_key) == []


def test_only_the_owner_may_request_a_reissue_and_only_by_post(lms, two_courses):
    learner, python, _ = two_courses
    [certificate] = api.certificates_for(learner)
    _rename(learner, "Amelia Okafor-Smith")
    url = reverse("cert_plugin:request-reissue", args=[certificate.formatted_code])
    unknown = reverse("cert_plugin:request-reissue", args=["AAAA-BBBB-CCCC-DDDD"])

    for stranger in (None, lms.learner(python, name="Kenji Watanabe"), lms.staff(python)):
        assert _client(stranger).post(url).status_code == 404
    assert _client(learner).post(unknown).status_code == 404
    assert _client(learner).get(url).status_code == 405
    assert api.reissue_requests(python.course_key) == []


def test_the_reissue_form_is_csrf_protected(two_courses):
    learner, _, _ = two_courses
    [certificate] = api.certificates_for(learner)
    _rename(learner, "Amelia Okafor-Smith")
    client = Client(enforce_csrf_checks=True)
    client.force_login(learner)

    response = client.post(reverse("cert_plugin:request-reissue", args=[certificate.formatted_code]))

    assert response.status_code == 403
