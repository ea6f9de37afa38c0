"""Issuing from real LMS signals: what a learner, staff member or verifier notices."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from cert_plugin import api
from cert_plugin.models import AuditEvent, Certificate


def _items(progress):
    return {item.key: item for item in progress.items}


def test_completing_the_last_lesson_issues_the_certificate_once_grade_passes(lms):
    course = lms.course(lessons=3, quizzes=2)
    api.configure_course(course.course_key)
    learner = lms.learner(course, name="Amelia Okafor")

    lms.pass_all_quizzes(learner, course, score=0.9)
    lms.complete_all(learner, course, but=1)
    progress = api.get_progress(learner, course.course_key)
    assert progress.status == "in_progress"
    assert _items(progress)["lessons"].detail == "2 of 3 lessons completed"
    assert not api.certificates_for(learner)

    lms.complete(learner, lms.lessons(course)[-1])  # one BlockCompletion save

    [certificate] = api.certificates_for(learner)
    assert certificate.status == "issued"
    assert certificate.learner_name == "Amelia Okafor"
    assert certificate.course_title == "Python for Data Analysis"
    assert str(certificate.hours) == "12.00"
    assert certificate.grade == pytest.approx(0.9)
    assert certificate.template_version.template.is_builtin
    assert api.get_progress(learner, course.course_key).status == "issued"
    assert api.verify(certificate.verification_code).status == "valid"


def test_failing_grade_keeps_the_learner_in_progress(lms):
    course = lms.course(passing=0.6)
    api.configure_course(course.course_key)
    learner = lms.learner(course)
    lms.complete_all(learner, course)
    lms.pass_all_quizzes(learner, course, score=0.5)

    progress = api.get_progress(learner, course.course_key)
    assert progress.status == "in_progress"
    assert not progress.eligible
    grade = _items(progress)["grade"]
    assert not grade.met
    assert "50%" in grade.detail
    assert _items(progress)["lessons"].met
    assert api.certificates_for(learner) == []


def test_min_grade_replaces_the_hosts_passing_decision(lms):
    course = lms.course(passing=0.6)
    api.configure_course(course.course_key, min_grade=0.8)
    learner = lms.learner(course)
    lms.complete_all(learner, course)
    lms.pass_all_quizzes(learner, course, score=0.75)

    grade = _items(api.get_progress(learner, course.course_key))["grade"]
    assert (grade.met, grade.detail) == (False, "Current grade 75% (needs 80%)")
    lms.take_quiz(learner, lms.quizzes(course)[0], 0.85)
    lms.take_quiz(learner, lms.quizzes(course)[1], 0.85)
    assert api.get_progress(learner, course.course_key).status == "issued"


def test_required_quiz_below_its_minimum_keeps_it_in_progress(lms):
    course = lms.course(quizzes=2)
    quiz1, quiz2 = lms.quizzes(course)
    api.configure_course(course.course_key, required_quizzes=[str(quiz2.usage_key)], min_quiz_score=0.7)
    learner = lms.learner(course)
    lms.complete_all(learner, course)
    lms.take_quiz(learner, quiz1, 1.0)
    lms.take_quiz(learner, quiz2, 0.55)  # course grade 77.5%: passing, but Quiz 2 is not

    item = _items(api.get_progress(learner, course.course_key))[f"quiz:{quiz2.usage_key}"]
    assert (item.met, item.detail) == (False, "Quiz 2: 55% (needs 70%)")
    assert api.certificates_for(learner) == []

    lms.take_quiz(learner, quiz2, 0.7)
    assert api.get_progress(learner, course.course_key).status == "issued"


def test_unmet_manual_requirement_then_staff_confirm_issues(lms):
    course = lms.course()
    api.configure_course(course.course_key,
                         additional_requirements=[{"key": "project", "label": "Submit the final project"}])
    learner, staff = lms.learner(course), lms.staff(course)
    lms.complete_all(learner, course)
    lms.pass_all_quizzes(learner, course)

    item = _items(api.get_progress(learner, course.course_key))["req:project"]
    assert (item.met, item.label) == (False, "Submit the final project")
    assert api.certificates_for(learner) == []

    progress = api.mark_requirement_met(learner, course.course_key, "project", by=staff)
    assert progress.status == "issued"
    actions = [e.action for e in api.audit_trail(course.course_key, user=learner)]
    assert actions[:2] == [AuditEvent.ISSUED, AuditEvent.REQUIREMENT_MET]

    with pytest.raises(api.RequirementsError, match="no additional requirement 'attendance'"):
        api.mark_requirement_met(learner, course.course_key, "attendance", by=staff)


def test_the_checklist_key_of_a_requirement_declared_as_a_plain_string_is_accepted_back(lms):
    """Issue 14, point 14: what get_progress hands out ("req:Final project submitted") marks it met."""
    course = lms.course()
    api.configure_course(course.course_key, additional_requirements=["Final project submitted"])
    learner, staff = lms.learner(course), lms.staff(course)
    lms.complete_all(learner, course)
    lms.pass_all_quizzes(learner, course)
    [item] = [item for item in api.get_progress(learner, course.course_key).items if not item.met]
    assert (item.key, item.label) == ("req:Final project submitted", "Final project submitted")

    progress = api.mark_requirement_met(learner, course.course_key, item.key, by=staff)

    assert progress.status == "issued"
    trail = api.audit_trail(course.course_key, user=learner)
    [met] = [event for event in trail if event.action == AuditEvent.REQUIREMENT_MET]
    assert met.data["requirement"] == "Final project submitted"
    # ... and "not met" through the same key (the certificate stays; the record says not met)
    api.mark_requirement_met(learner, course.course_key, item.key, by=staff, met=False)
    latest = api.audit_trail(course.course_key, user=learner)[0]
    assert latest.action == AuditEvent.REQUIREMENT_UNMET
    assert latest.data["requirement"] == "Final project submitted"


def test_a_requirement_key_that_starts_like_a_checklist_key_is_refused(lms):
    """"req:x" would read as the checklist key of requirement "x": configure_course refuses it, saying why."""
    course = lms.course()
    with pytest.raises(api.RequirementsError, match=r"'req:project' starts with \"req:\""):
        api.configure_course(course.course_key, additional_requirements=[
            {"key": "req:project", "label": "Final project"}])


def test_approval_flow(lms):
    course = lms.course()
    api.configure_course(course.course_key, requires_approval=True)
    learner, staff = lms.learner(course), lms.staff(course)
    lms.complete_all(learner, course)
    lms.pass_all_quizzes(learner, course)

    progress = api.get_progress(learner, course.course_key)
    assert progress.status == "pending_approval"
    assert _items(progress)["approval"].detail == "Waiting for the course staff to approve"
    assert api.certificates_for(learner) == []

    rejected = api.reject(learner, course.course_key, by=staff, reason="Plagiarised project")
    assert rejected.status == "in_progress"
    assert _items(rejected)["approval"].detail.startswith("Not approved")

    certificate = api.approve(learner, course.course_key, by=staff)
    assert certificate is not None
    assert certificate.status == "issued"
    trail = api.audit_trail(course.course_key, user=learner)
    assert [e.action for e in trail][:3] == ["issued", "approved", "rejected"]
    assert trail[1].actor == staff


def test_approval_before_the_other_requirements_is_remembered(lms):
    course = lms.course()
    api.configure_course(course.course_key, requires_approval=True)
    learner, staff = lms.learner(course), lms.staff(course)
    assert api.approve(learner, course.course_key, by=staff) is None
    lms.complete_all(learner, course)
    lms.pass_all_quizzes(learner, course)
    assert api.get_progress(learner, course.course_key).status == "issued"


def _earn(lms, course, name="Amelia Okafor"):
    learner = lms.learner(course, name=name)
    lms.complete_all(learner, course)
    lms.pass_all_quizzes(learner, course)
    return learner, api.active_certificate(learner, course.course_key)


def test_revoke_keeps_the_record_and_is_not_undone_by_new_events(lms):
    course = lms.course()
    api.configure_course(course.course_key)
    learner, certificate = _earn(lms, course)
    staff = lms.staff(course)

    revoked = api.revoke(certificate, reason="Academic misconduct", by=staff)
    assert revoked.status == "revoked"
    assert revoked.revoked_at is not None
    assert api.verify(certificate.verification_code).status == "revoked"

    lms.pass_all_quizzes(learner, course, score=1.0)  # new grade events
    assert api.certificates_for(learner) == [revoked]
    progress = api.get_progress(learner, course.course_key)
    assert progress.status == "in_progress"
    assert "revoked" in progress.message

    with pytest.raises(api.CertPluginError, match="Say why"):
        api.revoke(revoked, reason=" ")

    replacement = api.issue(learner, course.course_key, by=staff, reason="Appeal upheld")
    assert replacement.verification_code != certificate.verification_code
    assert api.verify(replacement.verification_code).status == "valid"


def test_expiry_then_recertification_gives_a_new_code(lms):
    course = lms.course()
    api.configure_course(course.course_key, validity_days=730)
    with time_machine.travel(dt.datetime(2026, 1, 10, 12, tzinfo=dt.UTC), tick=False):
        learner, first = _earn(lms, course)
    assert first.expires_at == dt.datetime(2028, 1, 10, 12, tzinfo=dt.UTC)

    with time_machine.travel(dt.datetime(2028, 2, 1, tzinfo=dt.UTC), tick=False):
        assert api.verify(first.verification_code).status == "expired"
        progress = api.get_progress(learner, course.course_key)
        assert progress.status == "in_progress"
        assert "expired on Jan. 10, 2028" in progress.message  # the date as the page writes it

        lms.take_quiz(learner, lms.quizzes(course)[0], 0.95)  # recertification exam

        second = api.active_certificate(learner, course.course_key)
        assert second.verification_code != first.verification_code
        assert second.status == "issued"
        old = api.verify(first.verification_code)
        assert old.status == "expired"
        assert old.newer == second
        assert Certificate.objects.filter(user=learner, active=True).count() == 1
        assert len(api.certificates_for(learner)) == 2

    with time_machine.travel(dt.datetime(2031, 1, 1, tzinfo=dt.UTC), tick=False):
        assert api.verify(first.verification_code).newer is None  # the newer one has expired too


def test_reissue_keeps_the_code_and_takes_the_new_name(lms):
    from devhost.lms.models import Profile

    course = lms.course()
    api.configure_course(course.course_key)
    learner, certificate = _earn(lms, course, name="Amelia Okafr")
    Profile.objects.filter(user=learner).update(full_name="Amelia Okafor")

    assert api.active_certificate(learner, course.course_key).learner_name == "Amelia Okafr"  # a snapshot
    fresh = api.reissue(certificate, by=lms.staff(course))
    assert (fresh.verification_code, fresh.learner_name, fresh.revision) == (
        certificate.verification_code, "Amelia Okafor", 2)
    event = api.audit_trail(course.course_key, user=learner)[0]
    assert event.action == "reissued"
    assert event.data["before"]["learner_name"] == "Amelia Okafr"


def test_repeated_events_never_issue_twice(lms):
    from devhost.lms.grading import update_course_grade

    course = lms.course()
    api.configure_course(course.course_key)
    learner, certificate = _earn(lms, course)
    for _ in range(5):
        update_course_grade(learner, course)  # both grade events again
        lms.complete(learner, lms.lessons(course)[0])
    assert api.certificates_for(learner) == [certificate]


def test_course_without_certificate_is_not_offered(lms):
    course = lms.course()
    learner = lms.learner(course)
    lms.complete_all(learner, course)
    lms.pass_all_quizzes(learner, course)
    assert api.get_progress(learner, course.course_key).status == "not_offered"
    assert api.certificates_for(learner) == []
