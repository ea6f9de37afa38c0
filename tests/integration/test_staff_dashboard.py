"""The course staff certificates dashboard: who gets in, the settings form, the
learners table and its actions, jobs, the CSV export and the activity log.

Learners reach "awaiting approval" or qualify through the real signals (the
``lms`` fixture); tests that only need many rows use ``builder`` (one database
transaction, so no certificate is rendered) and issue with ``api.issue``.
"""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.test import Client
from django.urls import reverse

from cert_plugin import api
from tests.conftest import CourseBuilder
from tests.helpers import html_of


@pytest.fixture
def builder(db):
    """Courses and learners inside the test's transaction: fast, and no background work runs."""
    return CourseBuilder()


def _client(user=None, **kwargs) -> Client:
    client = Client(**kwargs)
    if user is not None:
        client.force_login(user)
    return client


def _url(name: str, course, *args) -> str:
    return reverse(f"cert_plugin:{name}", args=[course.course_key, *args])


def _text(response) -> str:
    return " ".join(html_of(response).text_content().split())


def _messages(response) -> str:
    return " ".join(" ".join(m.text_content().split()) for m in html_of(response).xpath("//*[@data-message]"))


def _row(response, user):
    rows = html_of(response).xpath("//tr[@data-learner=$name]", name=user.username)
    return rows[0] if rows else None


def _status(response, user) -> str:
    return _row(response, user).xpath(".//*[@data-status]")[0].get("data-status")


def _post(client, url, data):
    """POST like the browser does: follow the redirect back to the dashboard."""
    response = client.post(url, data, follow=True)
    assert response.redirect_chain, response.status_code
    assert response.redirect_chain[0][1] == 303
    return response


def _pending(lms, *, name="Layla Haddad", **config):
    """A learner who finished everything; the course needs staff approval."""
    course = lms.course(title="Safety Officer Certification")
    api.configure_course(course.course_key, requires_approval=True, **config)
    learner = lms.learner(course, name=name)
    lms.pass_all_quizzes(learner, course)
    lms.complete_all(learner, course)
    assert api.get_progress(learner, course.course_key).status == "pending_approval"
    return course, learner


# --------------------------------------------------------------------------- who gets in


def test_course_staff_see_the_dashboard_with_learners_and_requirements(builder):
    course = builder.course()
    api.configure_course(course.course_key, min_grade=0.8, validity_days=730)
    builder.learner(course, name="Kenji Watanabe", username="kenji")

    response = _client(builder.staff(course)).get(_url("staff-dashboard", course))

    assert response.status_code == 200
    page = html_of(response)
    assert page.xpath("//h1")[0].text_content().strip() == "Python for Data Analysis"
    text = _text(response)
    assert "Kenji Watanabe" in text
    assert "Certificates on" in text
    summary = " ".join(page.xpath("//*[@data-summary]")[0].text_content().split())
    assert "Complete all lessons" in summary
    assert "80%" in summary
    assert "valid for 730 days" in text
    assert response["Cache-Control"].startswith("private") or "private" in response["Cache-Control"]


def test_anonymous_visitors_are_sent_to_log_in(builder):
    course = builder.course()

    response = _client().get(_url("staff-dashboard", course))

    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


@pytest.mark.parametrize("who", ["learner", "staff of another course"])
def test_others_get_a_403_page(builder, who):
    course = builder.course()
    other = builder.course(title="Other course")
    user = builder.learner(course) if who == "learner" else builder.staff(other)

    for name in ("staff-dashboard", "staff-settings", "staff-audit", "staff-export"):
        response = _client(user).get(_url(name, course))
        assert response.status_code == 403, name
    page = _client(user).get(_url("staff-dashboard", course))
    assert "Only the course staff can open this page" in _text(page)
    assert _client(user).post(_url("staff-approve", course), {"user": user.pk}).status_code == 403


@pytest.mark.parametrize("key", ["not-a-course-key", "course-v1:Nobody+X+1"])
def test_a_malformed_or_unknown_course_key_is_a_404(builder, key):
    # Site staff (staff of every course); anyone else gets the 403 of a course they do not staff
    # for an unknown key too, so keys cannot be probed (tests/security/test_authorization_matrix.py).
    staff = builder.staff(builder.course())
    staff.is_staff = True
    staff.save()

    response = _client(staff).get(reverse("cert_plugin:staff-dashboard", args=[key]))

    assert response.status_code == 404


def test_get_on_an_action_url_is_refused(builder):
    course = builder.course()
    staff = builder.staff(course)
    for name in ("staff-approve", "staff-reject", "staff-requirement", "staff-bulk", "staff-issue",
                 "staff-revoke", "staff-reissue", "staff-retry-render"):
        assert _client(staff).get(_url(name, course)).status_code == 405, name


def test_actions_need_the_csrf_token(builder):
    course = builder.course()
    api.configure_course(course.course_key)
    learner = builder.learner(course)
    client = _client(builder.staff(course), enforce_csrf_checks=True)

    response = client.post(_url("staff-issue", course), {"user": learner.pk, "reason": "Attended on site"})

    assert response.status_code == 403
    assert api.active_certificate(learner, course.course_key) is None


# --------------------------------------------------------------------------- settings


def _settings(course, **changes):
    data = {"enabled": "on", "template": api.builtin_templates()[0].pk, "min_completion": "100",
            "min_grade": "", "min_quiz_score": "70", "additional_requirements": "", "validity_days": "",
            "hours": ""}
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_settings_form_saves_and_the_summary_says_it_in_plain_words(builder):
    course = builder.course()
    staff = builder.staff(course)
    quiz = builder.quizzes(course)[1]
    client = _client(staff)

    form = client.get(_url("staff-settings", course))
    assert form.status_code == 200
    page = html_of(form)
    assert {i.get("value") for i in page.xpath("//input[@name='required_quizzes']")} == {
        str(b.usage_key) for b in builder.quizzes(course)}
    assert page.xpath("//label[contains(., 'Quiz 2')]")

    response = _post(client, _url("staff-settings", course), _settings(
        course, min_completion="80", min_grade="75", required_quizzes=[str(quiz.usage_key)],
        min_quiz_score="90", requires_approval="on",
        additional_requirements=("project | Final project accepted\n"
                                 "attend_3_live_classes | Attend 3 live classes"),
        validity_days="365", hours="12.5"))

    assert "Saved. Certificates are on" in _messages(response)
    config = api.get_config(course.course_key)
    assert config.enabled
    assert config.min_completion == pytest.approx(0.8)
    assert config.min_grade == pytest.approx(0.75)
    assert config.required_quizzes == [str(quiz.usage_key)]
    assert config.min_quiz_score == pytest.approx(0.9)
    assert config.requires_approval
    assert config.additional_requirements == [
        {"key": "project", "label": "Final project accepted"},
        {"key": "attend_3_live_classes", "label": "Attend 3 live classes"}]
    assert config.validity_days == 365
    assert str(config.hours) == "12.50"
    summary = " ".join(html_of(response).xpath("//*[@data-summary]")[0].text_content().split())
    for words in ("80%", "75%", "90% on Quiz 2", "Final project accepted (confirmed by course staff)",
                  "Get approval from the course staff"):
        assert words in summary
    # The form shows what is saved.
    again = html_of(client.get(_url("staff-settings", course)))
    assert again.xpath("//input[@name='min_grade']")[0].get("value") == "75"
    [checked] = again.xpath("//input[@name='required_quizzes' and @checked]")
    assert checked.get("value") == str(quiz.usage_key)
    [textarea] = again.xpath("//textarea[@name='additional_requirements']")
    assert "project | Final project accepted" in textarea.text


def test_every_settings_problem_is_reported_at_once_each_with_its_line(builder):
    """Issue 14, point 9: the form said one problem per attempt, without the line, and took a line
    without "|" silently."""
    course = builder.course()
    api.configure_course(course.course_key, min_completion=1.0)
    lesson = builder.lessons(course)[0]

    response = _client(builder.staff(course)).post(_url("staff-settings", course), _settings(
        course, min_completion="50", min_grade="120", validity_days="0",
        required_quizzes=[str(lesson.usage_key)],
        additional_requirements="\nproject | Final project\nAttend 3 live classes\n | No key\nsurvey |\n"
                                "project | Project again"))

    assert response.status_code == 400
    problems = [" ".join(li.text_content().split())
                for li in html_of(response).xpath("//*[@data-problem-list]/li")]
    assert problems == [
        "Minimum course grade (%): Ensure this value is less than or equal to 100.",
        "Quizzes that must be passed: Required quiz " + str(lesson.usage_key)
        + " is not a graded block of this course.",
        ("Additional requirements confirmed by staff: Line 3 has no “|”: write it as “key | label”, for "
         "example “attend_3_live_classes | Attend 3 live classes”."),
        "Additional requirements confirmed by staff: Line 4 has no key before the “|”.",
        ("Additional requirements confirmed by staff: Line 5 has no label after the “|”: write what the "
         "learner must do."),
        ("Additional requirements confirmed by staff: Line 6: the key “project” is already used on line 2; "
         "each requirement needs a key of its own."),
        ("Valid for (days): Validity must be a whole number of days from 1 to 36500 (100 years), or empty "
         "for no expiry."),
    ]
    assert "Correct these 7 problems, then save again:" in _text(response)
    page = html_of(response)
    for field in ("min_grade", "additional_requirements", "validity_days"):
        assert page.xpath("//*[@name=$f]", f=field)[0].get("aria-invalid") == "true"
    # each summary line links to its field
    assert [a.get("href") for a in page.xpath("//*[@data-problem-list]//a")][:3] == [
        "#id_min_grade", "#st-quizzes", "#id_additional_requirements"]
    assert api.get_config(course.course_key).min_completion == 1.0  # nothing saved


@pytest.mark.parametrize(("changes", "message", "field"), [
    ({"required_quizzes": ["block-v1:Northwind+C0+2026+type@html+block@lesson1"]},
     "is not a graded block of this course", "required_quizzes"),
    ({"validity_days": "0"}, "Validity must be a whole number of days", "validity_days"),
    ({"min_grade": "120"}, "less than or equal to 100", "min_grade"),
    ({"additional_requirements": "a | One\na | Two"}, "Line 2: the key “a” is already used on line 1",
     "additional_requirements"),
])
def test_invalid_settings_are_explained_and_nothing_is_saved(builder, changes, message, field):
    course = builder.course()
    api.configure_course(course.course_key, min_completion=1.0)
    staff = builder.staff(course)

    response = _client(staff).post(_url("staff-settings", course), _settings(
        course, min_completion="50", **changes))

    assert response.status_code == 400
    assert message in _text(response)
    assert "Nothing was saved." in _text(response)
    assert api.get_config(course.course_key).min_completion == 1.0
    page = html_of(response)
    # What was typed is still there.
    assert page.xpath("//input[@name='min_completion']")[0].get("value") == "50"
    if field != "required_quizzes":
        assert page.xpath("//*[@name=$f]", f=field)[0].get("aria-invalid") == "true"


def test_staff_choose_graded_subsections_or_single_graded_problems_and_read_what_hours_print(
        builder, monkeypatch):
    """In Open edX a quiz is a graded subsection, or one graded problem in it: both are offered, apart."""
    from cert_plugin.host.base import BlockInfo
    from devhost.lms.host import DevHost

    course = builder.course()
    staff = builder.staff(course)
    problem = course.course_key.make_usage_key("problem", "ohm")
    outline = DevHost.outline

    def with_a_problem(self, course_key):
        return [*outline(self, course_key), BlockInfo(problem, "Ohm's law", completable=True, graded=True,
                                                      assignment_type="Quiz", subsection="Quiz 1")]

    monkeypatch.setattr(DevHost, "outline", with_a_problem)
    page = html_of(_client(staff).get(_url("staff-settings", course)))

    [fieldset] = page.xpath("//fieldset[contains(@class, 'st-fieldset--inner')]")
    lists = {" ".join(heading.text_content().split()): [" ".join(label.text_content().split()) for label in
                                                       heading.xpath("following-sibling::ul[1]//label")]
             for heading in fieldset.xpath(".//p[contains(@class, 'st-options__heading')]")}
    assert lists == {"Graded subsections": [f"{b.title} (Quiz)" for b in builder.quizzes(course)],
                     "Single graded problems": ["Ohm's law (in Quiz 1)"]}
    hint = " ".join(page.xpath("//*[@id='id_hours-hint']")[0].text_content().split())
    assert "total hours" in hint
    assert "“Hours of effort per week” is not used" in hint

    response = _post(_client(staff), _url("staff-settings", course), _settings(
        course, min_completion="0", required_quizzes=[str(problem)], hours="40"))
    assert "Saved." in _messages(response)
    assert api.get_config(course.course_key).required_quizzes == [str(problem)]


def test_the_template_picker_offers_the_organizations_templates_and_links_to_the_editor(builder):
    course = builder.course()
    staff = builder.staff(course)
    page = html_of(_client(staff).get(_url("staff-settings", course)))

    options = [o.text_content() for o in page.xpath("//select[@name='template']/option")]
    assert any("built-in" in option for option in options)
    assert page.xpath("//a[@href=$url]", url=reverse("cert_plugin:template-list"))


# --------------------------------------------------------------------------- approval


def test_approving_a_pending_learner_issues_the_certificate(lms):
    course, learner = _pending(lms)
    staff = lms.staff(course)
    client = _client(staff)
    dashboard = client.get(_url("staff-dashboard", course))
    assert "Awaiting your approval" in _text(dashboard)
    assert _status(dashboard, learner) == "pending_approval"

    response = _post(client, _url("staff-approve", course), {"user": learner.pk})

    certificate = api.active_certificate(learner, course.course_key)
    assert certificate is not None
    assert "Layla Haddad" in _messages(response)
    assert certificate.formatted_code in _messages(response)
    assert _status(response, learner) == "issued"
    assert "Awaiting your approval" not in _text(response)


def test_rejecting_needs_a_reason_the_learner_then_sees(lms):
    course, learner = _pending(lms)
    client = _client(lms.staff(course))

    refused = _post(client, _url("staff-reject", course), {"user": learner.pk, "reason": "  "})
    assert "Say why" in _messages(refused)
    assert api.get_progress(learner, course.course_key).status == "pending_approval"

    response = _post(client, _url("staff-reject", course),
                     {"user": learner.pk, "reason": "Project incomplete"})

    assert "Not approved" in _messages(response)
    assert api.active_certificate(learner, course.course_key) is None
    [event] = [e for e in api.audit_trail(course.course_key) if e.action == "rejected"]
    assert event.reason == "Project incomplete"


def test_approving_someone_not_enrolled_says_so(builder):
    course = builder.course()
    stranger = builder.learner(builder.course(title="Elsewhere"))

    response = _post(_client(builder.staff(course)), _url("staff-approve", course), {"user": stranger.pk})

    assert "not enrolled in this course" in _messages(response)


# --------------------------------------------------------------------------- additional requirements


def test_marking_the_last_requirement_met_issues_the_certificate(lms):
    course = lms.course()
    api.configure_course(course.course_key, additional_requirements=[
        {"key": "project", "label": "Final project accepted"}])
    learner = lms.learner(course)
    lms.pass_all_quizzes(learner, course)
    lms.complete_all(learner, course)
    client = _client(lms.staff(course))
    row = _row(client.get(_url("staff-dashboard", course)), learner)
    assert "Mark “Final project accepted” met" in row.text_content()

    response = _post(client, _url("staff-requirement", course),
                     {"user": learner.pk, "requirement": "project", "met": "1"})

    assert "certificate issued" in _messages(response)
    assert _status(response, learner) == "issued"


def test_bulk_marking_a_requirement_issues_to_those_who_met_everything_else(lms):
    course = lms.course()
    api.configure_course(course.course_key, additional_requirements=[
        {"key": "attendance", "label": "Attend 3 live classes"}])
    done = lms.learner(course, name="Amelia Okafor")
    lms.pass_all_quizzes(done, course)
    lms.complete_all(done, course)
    halfway = lms.learner(course, name="Kenji Watanabe")
    client = _client(lms.staff(course))

    response = _post(client, _url("staff-bulk", course), {
        "action": "requirement", "requirement": "attendance", "users": [done.pk, halfway.pk]})

    assert ("Marked “Attend 3 live classes” as met for 2 learners; 1 certificate issued."
            in _messages(response))
    assert _status(response, done) == "issued"
    assert _status(response, halfway) == "in_progress"
    assert "Mark “Attend 3 live classes” not met" in _row(response, halfway).text_content()


def test_bulk_without_a_selection_says_what_to_do(builder):
    course = builder.course()
    response = _post(_client(builder.staff(course)), _url("staff-bulk", course), {"action": "approve"})
    assert "Select at least one learner first." in _messages(response)


def test_bulk_approve(lms):
    course, first = _pending(lms)
    second = lms.learner(course, name="Second Learner")
    lms.pass_all_quizzes(second, course)
    lms.complete_all(second, course)

    response = _post(_client(lms.staff(course)), _url("staff-bulk", course),
                     {"action": "approve", "users": [first.pk, second.pk]})

    assert "Approved 2 learners; 2 certificates issued." in _messages(response)


def test_bulk_approve_on_a_course_without_approval_is_refused_and_not_offered(lms):
    """Issue 14, point 9: it reported "2 certificates issued" when none were."""
    course = lms.course()
    api.configure_course(course.course_key)
    staff = lms.staff(course)
    holders = []
    for name in ("Amelia Okafor", "Kenji Watanabe"):
        learner = lms.learner(course, name=name)
        lms.pass_all_quizzes(learner, course)
        lms.complete_all(learner, course)
        holders.append(learner)
    client = _client(staff)
    assert "Approve selected" not in _text(client.get(_url("staff-dashboard", course)))

    response = _post(client, _url("staff-bulk", course),
                     {"action": "approve", "users": [holder.pk for holder in holders]})

    assert _messages(response) == ("This course does not ask staff to approve certificates, so there is "
                                   "nothing to approve: learners receive theirs as soon as they meet the "
                                   "requirements.")
    assert not [e for e in api.audit_trail(course.course_key) if e.action == "approved"]


def test_bulk_approve_counts_only_new_certificates_and_skips_holders_and_revoked_learners(lms):
    """Issue 14, point 9: a revoked learner was logged "approved" and holders counted as issued."""
    course, pending = _pending(lms)
    staff = lms.staff(course)
    holder = lms.learner(course, name="Kenji Watanabe")
    api.issue(holder, course.course_key, by=staff, reason="Certified on site")
    revoked = lms.learner(course, name="José Ñúñez")
    api.revoke(api.issue(revoked, course.course_key, by=staff, reason="x"), reason="Misconduct", by=staff)
    halfway = lms.learner(course, name="Mei Chen")  # approved ahead: issued once the rest is met

    response = _post(_client(staff), _url("staff-bulk", course),
                     {"action": "approve", "users": [pending.pk, holder.pk, revoked.pk, halfway.pk]})

    assert _messages(response) == (
        "Approved 2 learners; 1 certificate issued. Skipped Kenji Watanabe, who already has a certificate. "
        "Skipped José Ñúñez: the certificate was revoked, and approving does not undo that. To give a new "
        "certificate, use “Issue now” in the learner's row.")
    assert _status(response, pending) == "issued"
    assert _status(response, revoked) == "revoked"
    approved = {e.user_id for e in api.audit_trail(course.course_key) if e.action == "approved"}
    assert approved == {pending.pk, halfway.pk}


def test_bulk_approve_where_nobody_can_be_approved_says_so_as_a_problem(lms):
    course, pending = _pending(lms)
    staff = lms.staff(course)
    api.approve(pending, course.course_key, by=staff)

    response = _post(_client(staff), _url("staff-bulk", course), {"action": "approve", "users": [pending.pk]})

    [message] = html_of(response).xpath("//*[@data-message]")
    assert "cp-notice--danger" in message.get("class")
    assert " ".join(message.text_content().split()) == (
        "Skipped Layla Haddad, who already has a certificate.")


def test_bulk_marking_counts_no_certificate_for_a_learner_who_already_held_one(lms):
    course = lms.course()
    api.configure_course(course.course_key, additional_requirements=[
        {"key": "attendance", "label": "Attend 3 live classes"}])
    staff = lms.staff(course)
    holder = lms.learner(course, name="Amelia Okafor")
    api.issue(holder, course.course_key, by=staff, reason="Certified on site")

    response = _post(_client(staff), _url("staff-bulk", course),
                     {"action": "requirement", "requirement": "attendance", "users": [holder.pk]})

    assert _messages(response) == ("Marked “Attend 3 live classes” as met for 1 learner; "
                                   "no new certificate issued.")


# --------------------------------------------------------------------------- revoke, reissue, issue now


def test_revoking_needs_a_reason_then_the_verify_page_says_revoked(builder):
    course = builder.course()
    api.configure_course(course.course_key)
    staff = builder.staff(course)
    learner = builder.learner(course)
    certificate = api.issue(learner, course.course_key, by=staff)
    client = _client(staff)

    refused = _post(client, _url("staff-revoke", course), {"code": certificate.formatted_code, "reason": ""})
    assert "Say why the certificate is revoked." in _messages(refused)
    assert api.verify(certificate.verification_code).status == "valid"

    response = _post(client, _url("staff-revoke", course), {
        "code": certificate.formatted_code, "reason": "Plagiarised final project", "publish_reason": "1"})

    assert "is revoked" in _messages(response)
    assert _status(response, learner) == "revoked"
    verify = _client().get(reverse("cert_plugin:verify", args=[certificate.formatted_code]))
    assert "This certificate has been revoked" in _text(verify)
    assert "Plagiarised final project" in _text(verify)


def test_reissue_keeps_the_code_and_bumps_the_revision(builder):
    course = builder.course()
    api.configure_course(course.course_key)
    staff = builder.staff(course)
    learner = builder.learner(course, name="Amelia Okafor")
    certificate = api.issue(learner, course.course_key, by=staff)
    learner.lms_profile.full_name = "Amelia N. Okafor"  # corrected in the LMS profile
    learner.lms_profile.save()

    response = _post(_client(staff), _url("staff-reissue", course), {"code": certificate.formatted_code})

    fresh = api.active_certificate(learner, course.course_key)
    assert fresh.verification_code == certificate.verification_code
    assert fresh.revision == certificate.revision + 1
    assert fresh.learner_name == "Amelia N. Okafor"
    assert "revision 2" in _messages(response)


def test_a_code_of_another_course_is_refused(builder):
    course = builder.course()
    other = builder.course(title="Other")
    api.configure_course(other.course_key)
    foreign = api.issue(builder.learner(other), other.course_key)

    response = _post(_client(builder.staff(course)), _url("staff-revoke", course),
                     {"code": foreign.formatted_code, "reason": "No"})

    assert "no certificate with that code" in _messages(response)
    assert api.verify(foreign.verification_code).status == "valid"


def test_issue_now_is_an_override_with_a_reason(builder):
    course = builder.course()
    api.configure_course(course.course_key)
    learner = builder.learner(course)
    client = _client(builder.staff(course))

    refused = _post(client, _url("staff-issue", course), {"user": learner.pk, "reason": ""})
    assert "Say why" in _messages(refused)
    assert api.active_certificate(learner, course.course_key) is None

    response = _post(client, _url("staff-issue", course),
                     {"user": learner.pk, "reason": "Recognition of prior learning"})

    assert "Certificate issued to" in _messages(response)
    assert _status(response, learner) == "issued"


# --------------------------------------------------------------------------- the table


def test_search_filter_and_pagination_over_many_learners(builder):
    course = builder.course()
    api.configure_course(course.course_key)
    staff = builder.staff(course)
    learners = [builder.learner(course, name=f"Learner {n:02d}", username=f"learner_{n:02d}")
                for n in range(60)]
    for learner in learners[:12]:
        api.issue(learner, course.course_key, by=staff)
    client = _client(staff)
    url = _url("staff-dashboard", course)

    first = client.get(url)
    chips = {a.get("data-status"): a.text_content().split()[-1]
             for a in html_of(first).xpath("//a[@data-status]")}
    assert chips["all"] == "60"
    assert chips["issued"] == "12"
    assert chips["in_progress"] == "48"
    assert len(html_of(first).xpath("//tbody/tr")) == 25
    assert "60 learners" in html_of(first).xpath("//caption")[0].text_content()
    pager = html_of(first).xpath("//nav[contains(@class, 'st-pager')]")[0]
    numbers = [a.text_content().replace("Page", "").strip() for a in pager.xpath(".//a[not(@rel)]")]
    assert numbers == ["1", "2", "3"]

    third = client.get(url, {"page": 3})
    assert len(html_of(third).xpath("//tbody/tr")) == 10
    assert html_of(third).xpath("//a[@aria-current='page' and contains(., '3')]")

    issued = client.get(url, {"status": "issued"})
    assert len(html_of(issued).xpath("//tbody/tr")) == 12
    assert {_status(issued, learner) for learner in learners[:12]} == {"issued"}

    found = client.get(url, {"q": "learner_4"})
    assert sorted(r.get("data-learner") for r in html_of(found).xpath("//tbody/tr")) == [
        f"learner_{n}" for n in range(40, 50)]
    nothing = client.get(url, {"q": "zzz"})
    assert "No learner matches" in _text(nothing)
    # Nonsense in the query never breaks the page.
    assert client.get(url, {"page": "x", "status": "bogus"}).status_code == 200


def test_an_action_goes_back_to_the_same_page_of_the_table(builder):
    course = builder.course()
    api.configure_course(course.course_key)
    learner = builder.learner(course)

    response = _client(builder.staff(course)).post(_url("staff-issue", course), {
        "user": learner.pk, "reason": "Override", "back": "status=in_progress&page=2&evil=1"})

    assert response.status_code == 303
    assert response["Location"] == _url("staff-dashboard", course) + "?status=in_progress&page=2#learners"


# --------------------------------------------------------------------------- export


def test_csv_export_streams_every_learner(builder):
    course = builder.course()
    api.configure_course(course.course_key)
    staff = builder.staff(course)
    holder = builder.learner(course, name="José Ñúñez", username="jose")
    builder.learner(course, name="=HYPERLINK(\"x\")", username="sneaky")
    certificate = api.issue(holder, course.course_key, by=staff)

    response = _client(staff).get(_url("staff-export", course))

    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"].startswith("text/csv")
    assert re.fullmatch(r'attachment; filename="certificates-Northwind_C\d+_2026-\d{4}-\d\d-\d\d\.csv"',
                        response["Content-Disposition"])
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(body.removeprefix("\ufeff"))))
    by_user = {row["username"]: row for row in rows}
    assert set(by_user) == {"jose", "sneaky"}
    assert by_user["jose"]["name_on_certificate"] == "José Ñúñez"
    assert by_user["jose"]["verification_code"] == certificate.formatted_code
    assert by_user["jose"]["status"] == "issued"
    assert by_user["sneaky"]["status"] == "in_progress"


# --------------------------------------------------------------------------- jobs


def test_reissue_all_asks_first_then_runs_and_reports_progress_as_json(lms):
    course = lms.course()
    api.configure_course(course.course_key)
    staff = lms.staff(course)
    learner = lms.learner(course)
    api.issue(learner, course.course_key, by=staff)
    learner.lms_profile.full_name = "Amelia N. Okafor"  # the reissue prints the corrected name
    learner.lms_profile.save()
    client = _client(staff)

    confirm = client.get(_url("staff-job-start", course), {"kind": "reissue_all"})
    assert confirm.status_code == 200
    assert "1 current certificate is printed again" in _text(confirm)
    assert not api.recent_jobs(course.course_key)

    response = _post(client, _url("staff-job-start", course), {"kind": "reissue_all"})

    [job] = api.recent_jobs(course.course_key)
    bar = html_of(response).xpath("//*[@role='progressbar' and @data-job-bar]")[0]
    assert bar.get("aria-valuenow") == "100"
    assert "1 of 1 certificate" in _text(response)
    assert "1 reissued" in _text(response)
    status = client.get(_url("staff-job", course, job.pk))
    assert status.status_code == 200
    data = status.json()
    assert {"state", "done", "total", "failed", "percent", "result", "error"} <= set(data)
    assert data["state"] == "done"
    assert (data["done"], data["total"], data["failed"], data["percent"]) == (1, 1, 0, 100)
    assert data["result"]["reissued"] == 1
    assert api.active_certificate(learner, course.course_key).learner_name == "Amelia N. Okafor"


def test_job_status_is_for_course_staff_only(lms):
    course = lms.course()
    api.configure_course(course.course_key)
    job = api.start_job("backfill", course.course_key)
    url = _url("staff-job", course, job.pk)

    assert _client().get(url).status_code == 401
    assert _client(lms.learner(course)).get(url).status_code == 403
    other = lms.course(title="Other")
    assert _client(lms.staff(other)).get(_url("staff-job", other, job.pk)).status_code == 404
    assert _client(lms.staff(course)).get(url).json()["state"] == "done"


def test_backfill_from_the_dashboard_issues_to_those_who_qualify(lms):
    course = lms.course()
    learner = lms.learner(course)
    lms.pass_all_quizzes(learner, course)
    lms.complete_all(learner, course)
    api.configure_course(course.course_key, enabled=False)
    api.configure_course(course.course_key, enabled=True, backfill=False)
    assert api.active_certificate(learner, course.course_key) is None

    response = _post(_client(lms.staff(course)), _url("staff-job-start", course), {"kind": "backfill"})

    assert api.active_certificate(learner, course.course_key) is not None
    assert "1 certificates issued" in _text(response) or "1 certificate" in _text(response)


# --------------------------------------------------------------------------- name changes


def test_name_change_requests_are_granted_or_declined(lms):
    course = lms.course()
    api.configure_course(course.course_key)
    staff = lms.staff(course)
    granted = lms.learner(course, name="Amelia Okafor")
    declined = lms.learner(course, name="Kenji Watanabe")
    requests = {}
    for learner, new_name in ((granted, "Amelia N. Okafor"), (declined, "K")):
        certificate = api.issue(learner, course.course_key, by=staff)
        learner.lms_profile.full_name = new_name
        learner.lms_profile.save()
        requests[learner.pk] = api.request_reissue(certificate, by=learner)
    client = _client(staff)
    dashboard = client.get(_url("staff-dashboard", course))
    assert "Name-change requests" in _text(dashboard)
    assert "Amelia N. Okafor" in _text(dashboard)

    ok = _post(client, _url("staff-name-change", course, requests[granted.pk].pk), {"decision": "grant"})
    assert "Reissued with the name Amelia N. Okafor" in _messages(ok)
    assert api.active_certificate(granted, course.course_key).learner_name == "Amelia N. Okafor"

    no_note = _post(client, _url("staff-name-change", course, requests[declined.pk].pk),
                    {"decision": "decline"})
    assert "Say why" in _messages(no_note)
    no = _post(client, _url("staff-name-change", course, requests[declined.pk].pk),
               {"decision": "decline", "note": "Use your full legal name"})
    assert "Declined" in _messages(no)
    assert api.active_certificate(declined, course.course_key).learner_name == "Kenji Watanabe"
    assert "Name-change requests" not in _text(no)
    again = _post(client, _url("staff-name-change", course, requests[declined.pk].pk), {"decision": "grant"})
    assert "already decided" in _messages(again)


# --------------------------------------------------------------------------- activity log


def test_the_activity_log_says_who_did_what_and_why_newest_first(builder):
    course = builder.course()
    api.configure_course(course.course_key)
    staff = builder.staff(course)
    learner = builder.learner(course, name="Amelia Okafor")
    certificate = api.issue(learner, course.course_key, by=staff, reason="Prior learning")
    api.revoke(certificate, reason="Issued by mistake", by=staff)

    response = _client(staff).get(_url("staff-audit", course))

    assert response.status_code == 200
    rows = html_of(response).xpath("//tbody/tr")
    assert [r.get("data-action") for r in rows] == ["revoked", "issued", "configured"]
    first = " ".join(rows[0].text_content().split())
    for words in ("Certificate revoked", "Amelia Okafor", staff.username, "Issued by mistake"):
        assert words in first
    assert "Issued by mistake" in first
    assert "Prior learning" in rows[1].text_content()


@pytest.mark.parametrize("tab", ["staff-dashboard", "staff-settings", "staff-audit"])
def test_every_tab_says_whether_the_course_offers_certificates(builder, tab):
    """Issue 14, point 9: the activity log's header always said "Certificates off"."""
    course = builder.course()
    api.configure_course(course.course_key)
    client = _client(builder.staff(course))

    def badge() -> str:
        [found] = html_of(client.get(_url(tab, course))).xpath("//*[@class='st-head__meta']/*[@class][2]")
        return " ".join(found.text_content().split())

    assert badge() == "Certificates on"
    api.configure_course(course.course_key, enabled=False)
    assert badge() == "Certificates off"


def test_the_requirements_state_the_courses_pass_mark(lms):
    """Issue 14, point 9: "Pass the course" never said which grade passes (the LMS's grade cutoff)."""
    course = lms.course(passing=0.65)
    api.configure_course(course.course_key)
    learner = lms.learner(course)
    lms.pass_all_quizzes(learner, course, score=0.5)

    [grade] = [item for item in api.get_progress(learner, course.course_key).items if item.key == "grade"]
    assert (grade.label, grade.detail) == ("Pass the course (passing grade: 65%)",
                                           "Current grade 50% (needs 65% to pass)")
    response = _client(lms.staff(course)).get(_url("staff-dashboard", course))
    summary = " ".join(html_of(response).xpath("//*[@data-summary]")[0].text_content().split())
    assert "Pass the course (passing grade: 65%)" in summary


def test_the_activity_log_reads_one_page_of_events_from_the_database(builder):
    """A course's log grows with every learner: the page must not load all of it to show 50."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from cert_plugin.models import AuditEvent

    course = builder.course()
    api.configure_course(course.course_key)
    staff = builder.staff(course)
    AuditEvent.objects.bulk_create(
        AuditEvent(action=AuditEvent.CONFIGURED, course_key=course.course_key, actor=staff,
                   reason=f"change {i}") for i in range(120))

    with CaptureQueriesContext(connection) as captured:
        response = _client(staff).get(_url("staff-audit", course) + "?page=2")

    assert response.status_code == 200
    rows = html_of(response).xpath("//tbody/tr")
    assert len(rows) == 50
    events = [q["sql"] for q in captured.captured_queries if "cert_plugin_auditevent" in q["sql"]
              and q["sql"].lstrip().upper().startswith("SELECT") and "COUNT(" not in q["sql"].upper()]
    assert events
    assert all("LIMIT 50" in sql for sql in events), events
