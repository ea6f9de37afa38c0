"""The api behind the learner tab and the staff dashboard: statuses, requests, the learners table, jobs."""

from __future__ import annotations

import csv
import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from cert_plugin import api
from cert_plugin.domain import course_jobs
from cert_plugin.models import Certificate, Job
from devhost.lms.models import Profile


def _finish(lms, learner, course):
    lms.complete_all(learner, course)
    lms.pass_all_quizzes(learner, course)


def test_the_learner_overview_lists_earned_first_then_what_is_left(lms):
    python = lms.course(title="Python for Data Analysis")
    safety = lms.course(title="Safety Officer Certification")
    silent = lms.course(title="A course without certificate")
    api.configure_course(python.course_key)
    api.configure_course(safety.course_key, requires_approval=True)
    learner = lms.learner(python, name="Amelia Okafor")
    from devhost.lms.models import Enrollment

    Enrollment.objects.create(user=learner, course=safety)
    Enrollment.objects.create(user=learner, course=silent)
    _finish(lms, learner, python)
    _finish(lms, learner, safety)

    rows = api.learner_overview(learner)
    assert [(row.course_title, row.status) for row in rows] == [
        ("Python for Data Analysis", "issued"),
        ("Safety Officer Certification", "pending_approval"),
    ]
    assert rows[0].certificate.learner_name == "Amelia Okafor"
    assert rows[1].progress.items[-1].key == "approval"
    assert api.learner_overview(lms.learner(silent)) == []


def test_expired_and_revoked_certificates_show_as_such(lms):
    course = lms.course()
    api.configure_course(course.course_key, validity_days=365)
    learner = lms.learner(course)
    with time_machine.travel(dt.datetime(2026, 1, 1, tzinfo=dt.UTC), tick=False):
        _finish(lms, learner, course)
    with time_machine.travel(dt.datetime(2027, 6, 1, tzinfo=dt.UTC), tick=False):
        [row] = api.learner_overview(learner)
        assert row.status == "expired"
        assert "expired on Jan. 1, 2027" in row.progress.message

    other = lms.learner(course)
    _finish(lms, other, course)
    api.revoke(api.active_certificate(other, course.course_key), reason="Plagiarism", by=lms.staff(course))
    [row] = api.learner_overview(other)
    assert row.status == "revoked"


def test_a_name_change_is_requested_then_granted_with_the_same_code(lms):
    course = lms.course()
    api.configure_course(course.course_key)
    learner = lms.learner(course, name="Amelia Okafr")
    staff = lms.staff(course)
    _finish(lms, learner, course)
    certificate = api.active_certificate(learner, course.course_key)

    with pytest.raises(api.CertPluginError, match="already matches"):
        api.request_reissue(certificate, by=learner)
    Profile.objects.filter(user=learner).update(full_name="Amelia Okafor")
    [row] = api.learner_overview(learner)
    assert row.profile_name == "Amelia Okafor"

    request = api.request_reissue(certificate, by=learner)
    assert api.request_reissue(certificate, by=learner) == request  # asking twice: one request
    assert api.reissue_requests(course.course_key) == [request]
    assert api.learner_overview(learner)[0].reissue_request == request

    with pytest.raises(api.CertPluginError, match="Say why"):
        api.decide_reissue_request(request, grant=False, by=staff)
    api.decide_reissue_request(request, grant=True, by=staff)
    certificate.refresh_from_db()
    assert (certificate.learner_name, certificate.revision) == ("Amelia Okafor", 2)
    assert api.reissue_requests(course.course_key) == []
    assert api.learner_overview(learner)[0].profile_name == ""


def test_with_auto_reissue_a_name_change_is_applied_at_once(lms, settings):
    settings.CERT_PLUGIN = {**settings.CERT_PLUGIN, "AUTO_REISSUE_ON_NAME_CHANGE": True}
    course = lms.course()
    api.configure_course(course.course_key)
    learner = lms.learner(course, name="Kenji Watanbe")
    _finish(lms, learner, course)
    certificate = api.active_certificate(learner, course.course_key)
    Profile.objects.filter(user=learner).update(full_name="Kenji Watanabe")

    result = api.request_reissue(certificate, by=learner)
    assert isinstance(result, Certificate)
    assert result.verification_code == certificate.verification_code
    assert result.learner_name == "Kenji Watanabe"
    latest = api.audit_trail(course.course_key, user=learner)[0]
    assert latest.data["before"]["learner_name"] == "Kenji Watanbe"


def test_the_learners_table_counts_filters_searches_and_pages(lms):
    course = lms.course()
    api.configure_course(course.course_key, requires_approval=True)
    staff = lms.staff(course)
    done = [lms.learner(course, name=f"Done {n}") for n in range(3)]
    waiting = lms.learner(course, name="Layla Haddad")
    idle = [lms.learner(course, name=f"Idle {n}") for n in range(4)]
    for learner in done:
        api.issue(learner, course.course_key, by=staff)
    _finish(lms, waiting, course)
    api.revoke(api.active_certificate(done[0], course.course_key), reason="Fraud", by=staff)
    api.reject(idle[0], course.course_key, by=staff, reason="Missed the practical exam")

    page = api.course_learners(course.course_key, per_page=3)
    assert page.counts == {"all": 8, "issued": 2, "expired": 0, "revoked": 1, "not_approved": 1,
                           "pending_approval": 1, "in_progress": 3}
    assert (page.total, page.pages, len(page.rows)) == (8, 3, 3)
    pending = api.course_learners(course.course_key, status="pending_approval")
    assert [r.user for r in pending.rows] == [waiting]
    refused = api.course_learners(course.course_key, status="not_approved").rows
    assert [(r.user, r.progress.refusal.reason) for r in refused] == [(idle[0], "Missed the practical exam")]
    in_progress = api.course_learners(course.course_key, status="in_progress").rows
    assert {r.user for r in in_progress} == set(idle[1:])
    assert [r.status for r in api.course_learners(course.course_key, status="revoked").rows] == ["revoked"]
    found = api.course_learners(course.course_key, search="Done 2")
    assert [r.name for r in found.rows] == ["Done 2"]
    assert found.rows[0].certificate.status == "issued"
    pending_row = api.course_learners(course.course_key, status="pending_approval").rows[0]
    assert pending_row.progress.status == "pending_approval"
    assert api.awaiting_approval(course.course_key) == [waiting]

    api.approve(waiting, course.course_key, by=staff)
    assert api.awaiting_approval(course.course_key) == []
    assert api.course_learners(course.course_key).counts["issued"] == 3
    with pytest.raises(api.CertPluginError, match="Unknown status"):
        api.course_learners(course.course_key, status="bogus")


def test_the_csv_export_has_a_row_per_learner(lms):
    course = lms.course()
    api.configure_course(course.course_key)
    learner = lms.learner(course, name="Amelia Okafor")
    lms.learner(course, name="Kenji Watanabe")
    _finish(lms, learner, course)

    rows = list(csv.reader(",".join(f'"{v}"' for v in row) for row in api.export_rows(course.course_key)))
    assert rows[0][:4] == ["username", "email", "name_on_certificate", "status"]
    assert len(rows) == 3
    issued = next(r for r in rows if r[3] == "issued")
    assert issued[2] == "Amelia Okafor"
    assert issued[4] == api.active_certificate(learner, course.course_key).formatted_code


def test_reissue_all_moves_certificates_to_the_current_template_and_reports_progress(lms):
    course = lms.course()
    api.configure_course(course.course_key)
    staff = lms.staff(course)
    learners = [lms.learner(course) for _ in range(3)]
    for learner in learners:
        api.issue(learner, course.course_key, by=staff)
    template = api.create_template("Fresh", html="<main><h1>{{ learner_name }}</h1></main>")
    api.configure_course(course.course_key, template=template)

    job = api.start_job(Job.REISSUE_ALL, course.course_key, by=staff)  # runs in process after commit
    job.refresh_from_db()
    assert job.state == Job.DONE
    assert (job.total, job.done, job.percent) == (3, 3, 100)
    assert job.result == {"certificates": 3, "reissued": 3, "unchanged": 0, "failed": 0}
    for learner in learners:
        certificate = api.active_certificate(learner, course.course_key)
        assert certificate.template_version.template == template
        assert certificate.revision == 2
    again = api.reissue_all(course.course_key, by=staff)
    assert again == {"certificates": 3, "reissued": 0, "unchanged": 3, "failed": 0}


def test_a_backfill_job_issues_to_the_qualified_and_records_counts(lms):
    course = lms.course()
    qualified = lms.learner(course)
    lms.learner(course)
    _finish(lms, qualified, course)
    api.configure_course(course.course_key, backfill=False)

    job = api.start_job(Job.BACKFILL, course.course_key, by=lms.staff(course))
    job.refresh_from_db()
    assert job.state == Job.DONE
    assert (job.result["issued"], job.result["in_progress"]) == (1, 1)
    assert api.recent_jobs(course.course_key)[0] == job
    with pytest.raises(api.UnknownCourse):
        api.start_job(Job.BACKFILL, "course-v1:Nobody+X+2026")


def test_staff_actions_find_only_enrolled_learners(lms):
    course, elsewhere = lms.course(), lms.course()
    learner = lms.learner(course)
    stranger = lms.learner(elsewhere)
    assert api.course_learner(course.course_key, learner.pk) == learner
    assert api.course_learner(course.course_key, str(learner.pk)) == learner
    for user_id in (stranger.pk, None, "", "abc", 10**9):
        assert api.course_learner(course.course_key, user_id) is None


# --------------------------------------------------------------------------- jobs whose worker died


class WorkerKilled(BaseException):
    """What a SIGKILL looks like from inside: the run stops at once, no ``except Exception`` sees it."""


@pytest.fixture
def broker_without_worker(monkeypatch):
    """Course jobs go to a broker that no worker consumes (yet): run_job is recorded, not run."""
    from cert_plugin import jobs

    sent: list[int] = []
    real = jobs.enqueue

    def enqueue(task_name, *args, **kwargs):
        if task_name == "cert_plugin.tasks.run_job":
            sent.append(args[0])
        else:
            real(task_name, *args, **kwargs)

    monkeypatch.setattr(jobs, "enqueue", enqueue)
    return sent


def _qualified_cohort(lms, n=3):
    course = lms.course()
    learners = [lms.learner(course) for _ in range(n)]
    for learner in learners:
        _finish(lms, learner, course)
    api.configure_course(course.course_key, backfill=False)
    return course, learners


def _later(minutes):
    return time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(minutes=minutes), tick=False)


def test_a_job_whose_worker_was_killed_shows_as_failed_and_can_be_started_again(lms, monkeypatch,
                                                                                broker_without_worker):
    course, learners = _qualified_cohort(lms)
    staff = lms.staff(course)
    first = api.start_job(Job.BACKFILL, course.course_key, by=staff)
    real_one = course_jobs._backfill_one
    calls = []

    def dies_after_one(*args):
        if calls:
            raise WorkerKilled
        calls.append(1)
        real_one(*args)

    monkeypatch.setattr(course_jobs, "_backfill_one", dies_after_one)
    with pytest.raises(WorkerKilled):
        api.run_job(broker_without_worker[0])  # the worker takes the job and is killed mid-run
    monkeypatch.setattr(course_jobs, "_backfill_one", real_one)
    assert api.job(first.pk).state == Job.RUNNING
    assert api.start_job(Job.BACKFILL, course.course_key, by=staff) == first  # alive, as far as anyone knows

    client = Client()
    client.force_login(staff)
    with _later(6):  # no progress for longer than JOB_STALE_AFTER (5 minutes)
        page = client.get(reverse("cert_plugin:staff-job", args=[str(course.course_key), first.pk])).json()
        assert page["state"] == Job.FAILED
        assert "worker running this job stopped" in page["summary"]
        rest = client.get(reverse("cert_plugin:api-job", args=[first.pk])).json()
        assert (rest["state"], rest["error"]) == (Job.FAILED, page["error"])
        assert "Start it again" in rest["error"]
        second = api.start_job(Job.BACKFILL, course.course_key, by=staff)
    assert second != first
    api.run_job(broker_without_worker[1])
    second.refresh_from_db()
    assert (second.state, second.result["issued"], second.result["already_issued"]) == (Job.DONE, 2, 1)
    for learner in learners:
        assert Certificate.objects.filter(user=learner, course_key=course.course_key).count() == 1

    api.run_job(first.pk)  # the killed worker's task delivered again, late: replaced, so not run
    assert api.job(first.pk).state == Job.FAILED
    assert api.recent_jobs(course.course_key)[:2] == [second, first]


def test_a_job_no_worker_takes_shows_as_failed_after_the_stale_period(lms, broker_without_worker, settings):
    settings.CERT_PLUGIN = {**settings.CERT_PLUGIN, "JOB_STALE_AFTER": 60}
    course, _ = _qualified_cohort(lms, n=1)
    queued = api.start_job(Job.BACKFILL, course.course_key)
    with _later(0.5):
        assert api.recent_jobs(course.course_key)[0].state == Job.QUEUED
    with _later(2):
        [shown] = api.recent_jobs(course.course_key)
        assert shown.state == Job.FAILED
        assert "No worker started this job within 1 minute" in shown.error
    api.run_job(queued.pk)  # no newer job replaced it: a late worker still does the work
    assert api.job(queued.pk).state == Job.DONE
    assert Certificate.objects.filter(course_key=course.course_key).count() == 1


def test_a_worker_whose_job_was_taken_for_dead_stops_at_its_next_progress_write(lms, monkeypatch,
                                                                                broker_without_worker):
    course, learners = _qualified_cohort(lms)
    started = api.start_job(Job.BACKFILL, course.course_key)
    real_one = course_jobs._backfill_one
    evaluated = []

    def meanwhile_restarted(learner, *args):
        evaluated.append(learner)
        real_one(learner, *args)
        Job.objects.filter(pk=started.pk).update(state=Job.FAILED, error="taken for dead")

    monkeypatch.setattr(course_jobs, "_backfill_one", meanwhile_restarted)
    api.run_job(started.pk)
    assert evaluated == learners[:1]  # it stopped instead of racing the job that replaced it
    assert api.job(started.pk).state == Job.FAILED


def test_the_stale_period_setting_is_checked(settings):
    from cert_plugin import conf

    for bad in (0, "300", 2.5, True):
        settings.CERT_PLUGIN = {**settings.CERT_PLUGIN, "JOB_STALE_AFTER": bad}
        assert any("JOB_STALE_AFTER" in problem for problem in conf.problems())
    settings.CERT_PLUGIN = {**settings.CERT_PLUGIN, "JOB_STALE_AFTER": 900}
    assert conf.get().JOB_STALE_AFTER == 900
