"""State changes re-read the state under the lock they write with (issue 13, part a).

Runs on whichever database CERT_PLUGIN_DB selects; run it on SQLite, MariaDB and
PostgreSQL (threads with real connections).
"""

from __future__ import annotations

import pytest

from cert_plugin import api
from cert_plugin.models import AuditEvent, Certificate
from tests.concurrency import run_concurrently


def _issued(lms, count=1):
    course = lms.course()
    learners = []
    for _ in range(count):
        learner = lms.learner(course)
        lms.complete_all(learner, course)
        lms.pass_all_quizzes(learner, course)
        learners.append(learner)
    api.configure_course(course.course_key)
    return course, [api.active_certificate(learner, course.course_key) for learner in learners]


def _assert_still_revoked(certificate, *revisions):
    row = Certificate.objects.get(pk=certificate.pk)
    assert row.state == Certificate.REVOKED
    assert row.revision in revisions, "a revoked certificate was re-signed as a new revision"
    assert not AuditEvent.objects.filter(certificate=row, action=AuditEvent.REISSUED,
                                         created_at__gt=row.revoked_at).exists()


def test_a_stale_object_cannot_reissue_a_revoked_certificate(lms):
    _course, (certificate,) = _issued(lms)
    stale = Certificate.objects.get(pk=certificate.pk)  # loaded by "Reissue all" before the revoke
    api.revoke(Certificate.objects.get(pk=certificate.pk), reason="Plagiarism")

    with pytest.raises(api.CertPluginError, match="revoked"):
        api.reissue(stale, reason="Reissue all with the current template")

    _assert_still_revoked(certificate, certificate.revision)


def test_revoke_and_reissue_clicked_at_once_leave_the_certificate_revoked(lms):
    _course, (certificate,) = _issued(lms)
    for _ in range(3):
        loaded = [Certificate.objects.get(pk=certificate.pk) for _ in range(2)]
        actions = iter([lambda c: api.revoke(c, reason="Plagiarism"),
                        lambda c: api.reissue(c, reason="New template")])
        pairs = list(zip(actions, loaded, strict=True))

        def click(pairs=pairs):
            action, loaded_certificate = pairs.pop()
            return action(loaded_certificate)

        _results, errors = run_concurrently(click, 2)

        assert all(isinstance(e, api.CertPluginError) for e in errors), errors
        # the reissue may win (then the revoke follows it) but never re-sign after the revoke
        _assert_still_revoked(certificate, certificate.revision, certificate.revision + 1)
        # the next round starts again from an issued certificate (a fresh one)
        Certificate.objects.filter(pk=certificate.pk).update(state=Certificate.ISSUED, active=True,
                                                            revoked_at=None)
        certificate = Certificate.objects.get(pk=certificate.pk)


def test_revoke_during_reissue_all_keeps_the_certificate_revoked(lms, monkeypatch):
    """Reissue all loads certificates in chunks; one revoked after it loaded them stays revoked."""
    course, certificates = _issued(lms, count=3)
    victim = certificates[1]
    from cert_plugin.domain import course_jobs

    real = course_jobs.reissue

    def revoke_then_reissue(certificate, **kwargs):
        if certificate.pk == victim.pk:  # a staff member revokes it while the job runs
            api.revoke(Certificate.objects.get(pk=victim.pk), reason="Plagiarism")
        return real(certificate, **kwargs)

    monkeypatch.setattr(course_jobs, "reissue", revoke_then_reissue)
    Certificate.objects.filter(course_key=course.course_key).update(learner_name="Old Name")

    counts = api.reissue_all(course.course_key)

    assert counts["reissued"] == 2
    _assert_still_revoked(victim, victim.revision)


@pytest.mark.parametrize(("kind", "clicks"), [("backfill", 5), ("reissue_all", 2)])
def test_simultaneous_job_starts_make_one_job(lms, monkeypatch, kind, clicks):
    """Five backfill clicks (or two "Reissue all") at once: one job, and every click answers with it."""
    from cert_plugin import jobs
    from cert_plugin.models import Job

    queued: list[int] = []
    real = jobs.enqueue
    monkeypatch.setattr(jobs, "enqueue", lambda name, *args, **kwargs: queued.append(args[0])
                        if name == "cert_plugin.tasks.run_job" else real(name, *args, **kwargs))
    course, _certificates = _issued(lms)
    staff = lms.staff(course)

    results, errors = run_concurrently(lambda: api.start_job(kind, course.course_key, by=staff), clicks)

    assert errors == []
    assert Job.objects.filter(course_key=course.course_key, kind=kind).count() == 1
    assert len(queued) == 1, "the job was queued more than once (every learner would be handled twice)"
    assert {job.pk for job in results} == set(queued)


def test_simultaneous_first_configure_course_make_one_config(lms):
    from cert_plugin.models import CourseCertificateConfig

    course = lms.course()

    _results, errors = run_concurrently(lambda: api.configure_course(course.course_key, backfill=False), 5)

    assert errors == []
    assert CourseCertificateConfig.objects.filter(course_key=course.course_key).count() == 1


def test_a_double_submitted_reissue_request_makes_one_request(lms):
    from cert_plugin.models import ReissueRequest
    from devhost.lms.models import Profile

    _course, (certificate,) = _issued(lms)
    Profile.objects.filter(user=certificate.user).update(full_name="Amelia N. Okafor")

    results, errors = run_concurrently(
        lambda: api.request_reissue(Certificate.objects.get(pk=certificate.pk), by=certificate.user), 5)

    assert errors == []
    assert ReissueRequest.objects.filter(certificate=certificate).count() == 1
    assert {request.pk for request in results} == {ReissueRequest.objects.get(certificate=certificate).pk}


def test_a_double_submitted_reissue_request_form_answers_303_each_time(lms):
    from django.test import Client
    from django.urls import reverse

    from devhost.lms.models import Profile

    _course, (certificate,) = _issued(lms)
    Profile.objects.filter(user=certificate.user).update(full_name="Amelia N. Okafor")
    url = reverse("cert_plugin:request-reissue", args=[certificate.verification_code])

    def submit():
        client = Client()
        client.force_login(certificate.user)
        return client.post(url).status_code

    results, errors = run_concurrently(submit, 5)

    assert errors == []
    assert results == [303] * 5


def test_revoke_during_reissue_all_announces_only_the_revocation(lms, monkeypatch, settings, mailoutbox):
    """With EVENTS_OUT, downstream services hear "revoked" and nothing after it: no CHANGED, no email."""
    from openedx_events.learning.signals import CERTIFICATE_CHANGED, CERTIFICATE_REVOKED

    from cert_plugin.domain import course_jobs

    settings.CERT_PLUGIN = {**settings.CERT_PLUGIN, "EVENTS_OUT": True}
    course, (certificate,) = _issued(lms)
    heard: list[tuple[str, str]] = []

    def on_event(signal, sender, certificate, metadata, **kwargs):
        heard.append((metadata.event_type.split(".")[-2], certificate.current_status))

    for signal in (CERTIFICATE_CHANGED, CERTIFICATE_REVOKED):
        signal.connect(on_event, weak=False, dispatch_uid=f"test-races-{signal.event_type}")
    real = course_jobs.reissue

    def revoke_then_reissue(loaded, **kwargs):  # a staff member revokes it while the job holds it loaded
        api.revoke(Certificate.objects.get(pk=loaded.pk), reason="Plagiarism")
        return real(loaded, **kwargs)

    monkeypatch.setattr(course_jobs, "reissue", revoke_then_reissue)
    Certificate.objects.filter(pk=certificate.pk).update(learner_name="Old Name")
    mailoutbox.clear()
    try:
        counts = api.reissue_all(course.course_key)
    finally:
        for signal in (CERTIFICATE_CHANGED, CERTIFICATE_REVOKED):
            signal.disconnect(dispatch_uid=f"test-races-{signal.event_type}")

    assert counts == {"certificates": 1, "reissued": 0, "unchanged": 1, "failed": 0}
    assert heard == [("revoked", "unavailable")]
    assert all("revoked" in email.subject.lower() for email in mailoutbox), [m.subject for m in mailoutbox]
    _assert_still_revoked(certificate, certificate.revision)


def test_a_recertification_decided_while_staff_revoke_issues_nothing(lms, monkeypatch):
    """An expired certificate is revoked while the learner's evaluation decides to recertify them."""
    from datetime import timedelta

    from django.utils import timezone

    from cert_plugin.domain import issuing

    course, (certificate,) = _issued(lms)
    Certificate.objects.filter(pk=certificate.pk).update(expires_at=timezone.now() - timedelta(days=1))
    real = issuing._mark_awaiting

    def revoke_meanwhile(user, key, progress):  # after the evaluation read the learner's standing
        real(user, key, progress)
        api.revoke(Certificate.objects.get(pk=certificate.pk), reason="Exam fraud found later")

    monkeypatch.setattr(issuing, "_mark_awaiting", revoke_meanwhile)

    assert api.evaluate(certificate.user, course.course_key) is None

    assert Certificate.objects.get(pk=certificate.pk).state == Certificate.REVOKED
    assert not Certificate.objects.filter(user=certificate.user, course_key=course.course_key,
                                          active=True).exists(), "the revoked certificate was replaced"


@pytest.mark.parametrize("kind", ["backfill", "reissue_all"])
def test_simultaneous_job_starts_on_a_course_without_settings_make_no_job(lms, kind):
    """Nothing to lock and nothing to run: every click gets the same clear refusal, no job."""
    from cert_plugin.models import Job

    course = lms.course()
    staff = lms.staff(course)

    _results, errors = run_concurrently(lambda: api.start_job(kind, course.course_key, by=staff), 3)

    assert len(errors) == 3
    refusal = (f"{course.course_key} has no certificate settings yet: save its requirements first "
               "(Settings tab); until then there is nothing to backfill or reissue.")
    assert {str(error) for error in errors} == {refusal}
    assert not Job.objects.filter(course_key=course.course_key).exists()


def _awaiting_learner(lms, course):
    learner = lms.learner(course)
    lms.complete_all(learner, course)
    lms.pass_all_quizzes(learner, course)
    return learner


def _awaiting_approval(lms):
    """A course that issues after staff approval, its staff, and a learner who met everything else."""
    course = lms.course()
    api.configure_course(course.course_key, requires_approval=True)
    return course, lms.staff(course), _awaiting_learner(lms, course)


def test_approve_and_refuse_clicked_at_once_end_as_the_decision_that_stands(lms):
    """Two staff decide at once: a certificate exists exactly when the decision that stands is "approved"."""
    from cert_plugin.models import Approval

    course, staff, _first = _awaiting_approval(lms)
    for round_ in range(4):
        learner = _awaiting_learner(lms, course)
        decisions = [lambda who=learner: api.approve(who, course.course_key, by=staff),
                     lambda who=learner: api.reject(who, course.course_key, by=staff, reason="Attendance")]
        if round_ % 2:
            decisions.reverse()

        _results, errors = run_concurrently(lambda choices=decisions: choices.pop()(), 2)

        assert all("already issued" in str(error) for error in errors), errors
        standing = Approval.objects.get(user=learner, course_key=course.course_key).decision
        issued = Certificate.objects.filter(user=learner, course_key=course.course_key, active=True).exists()
        assert issued == (standing == Approval.APPROVED), f"decision {standing}, certificate {issued}"


def test_a_refusal_recorded_while_an_approval_is_evaluated_issues_nothing(lms, monkeypatch):
    from cert_plugin.domain import issuing
    from cert_plugin.models import Approval

    course, staff, learner = _awaiting_approval(lms)
    real = issuing._mark_awaiting
    refused: list[bool] = []

    def refuse_meanwhile(user, key, progress):  # another staff member refuses after the approval was read
        real(user, key, progress)
        if not refused:
            refused.append(True)
            api.reject(learner, course.course_key, by=staff, reason="Attendance too low")

    monkeypatch.setattr(issuing, "_mark_awaiting", refuse_meanwhile)

    assert api.approve(learner, course.course_key, by=staff) is None

    assert Approval.objects.get(user=learner, course_key=course.course_key).decision == Approval.REJECTED
    assert not Certificate.objects.filter(user=learner, course_key=course.course_key).exists()


def test_a_refusal_after_the_certificate_is_issued_says_to_revoke_it(lms):
    from cert_plugin.models import Approval

    course, staff, learner = _awaiting_approval(lms)
    api.approve(learner, course.course_key, by=staff)

    with pytest.raises(api.CertPluginError, match="already issued; to withdraw it, revoke it"):
        api.reject(learner, course.course_key, by=staff, reason="Changed my mind")

    assert Approval.objects.get(user=learner, course_key=course.course_key).decision == Approval.APPROVED
