"""A backfill whose process is killed (SIGKILL) mid-run, then run again: no duplicates, nothing lost.

The backfill runs in a real subprocess (``manage.py`` with the demo LMS's
settings) against this test's database, committed so both processes see it:
the SQLite file of ``make test``, or the MariaDB/PostgreSQL test database of
the CI stages. It is killed once some, but not all, certificates exist; the
rerun must leave each qualifying learner with exactly one active certificate
and the audit trail with exactly one "issued" per certificate.

Runs on whichever database CERT_PLUGIN_DB selects; CI runs it on all three.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection

from cert_plugin import api, conf, jobs
from cert_plugin.models import AuditEvent, Certificate, Job

ROOT = Path(__file__).resolve().parents[2]
LEARNERS = 60
TIMEOUT = 120.0  # seconds to wait for the subprocess to issue its first certificates


@pytest.fixture
def course(lms):
    """A course whose LEARNERS learners all qualified before it offered a certificate."""
    course = lms.course(lessons=2, quizzes=1)
    for i in range(LEARNERS):
        learner = lms.learner(course, name=f"Learner {i}")
        lms.complete_all(learner, course)
        lms.pass_all_quizzes(learner, course)
    api.configure_course(course.course_key, backfill=False)
    assert not Certificate.objects.filter(course_key=course.course_key).exists()
    return course


def _spawn(tmp_path, *args):
    """``manage.py <args>`` in a subprocess on this test's database, tasks in process (it renders too)."""
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("CELERY_BROKER_URL", "CERT_PLUGIN_CELERY")},
        "DJANGO_SETTINGS_MODULE": "devhost.settings",
        "CERT_PLUGIN_DB_NAME": connection.settings_dict["NAME"],
        "DEVHOST_VAR_DIR": os.environ["DEVHOST_VAR_DIR"],  # the same signing key and media folder
        "DEVHOST_DEBUG": "0",
    }
    log = (tmp_path / "backfill.log").open("w")
    return subprocess.Popen([sys.executable, "manage.py", *args], cwd=ROOT, env=env, stdout=log,
                            stderr=subprocess.STDOUT)


def _kill_midway(process, course, tmp_path):
    """SIGKILL the subprocess as soon as it has issued some certificates (polling the database)."""
    issued = Certificate.objects.filter(course_key=course.course_key)
    deadline = time.monotonic() + TIMEOUT
    try:
        while not issued.exists():
            if process.poll() is not None or time.monotonic() > deadline:
                output = (tmp_path / "backfill.log").read_text()
                raise AssertionError(f"the backfill issued nothing (exit {process.returncode}):\n{output}")
            time.sleep(0.05)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL
    count = issued.count()
    assert 0 < count < LEARNERS, f"{count} certificates when killed: not midway"
    return count


def _assert_each_learner_has_exactly_one(course):
    certificates = list(Certificate.objects.filter(course_key=course.course_key))
    assert len(certificates) == LEARNERS
    enrolled = api.get_host().learners_queryset(course.course_key).values_list("pk", flat=True)
    assert Counter(c.user_id for c in certificates if c.active) == Counter(dict.fromkeys(enrolled, 1))
    assert len({c.verification_code for c in certificates}) == LEARNERS
    issued = AuditEvent.objects.filter(course_key=course.course_key, action=AuditEvent.ISSUED)
    assert Counter(issued.values_list("certificate_id", flat=True)) == Counter(
        dict.fromkeys((c.pk for c in certificates), 1))


@pytest.mark.django_db(transaction=True)
def test_a_killed_backfill_command_rerun_completes_without_duplicates(course, tmp_path, no_render_task):
    process = _spawn(tmp_path, "cert_backfill", str(course.course_key), "--no-progress")
    _kill_midway(process, course, tmp_path)

    call_command("cert_backfill", str(course.course_key), "--no-progress")

    _assert_each_learner_has_exactly_one(course)


@pytest.mark.django_db(transaction=True)
def test_a_killed_backfill_job_is_restarted_by_staff_and_completes_without_duplicates(
        course, lms, tmp_path, monkeypatch, no_render_task):
    staff = lms.staff(course)
    sent = []  # the broker: run_job goes to a worker process, not run here
    real_enqueue = jobs.enqueue
    monkeypatch.setattr(jobs, "enqueue", lambda name, *args, **kw: (
        sent.append(args[0]) if name == "cert_plugin.tasks.run_job" else real_enqueue(name, *args, **kw)))
    killed = api.start_job(Job.BACKFILL, course.course_key, by=staff)
    assert sent == [killed.pk]

    worker = _spawn(tmp_path, "shell", "-c", f"from cert_plugin import api; api.run_job({killed.pk})")
    done_when_killed = _kill_midway(worker, course, tmp_path)

    killed.refresh_from_db()
    assert killed.state == Job.RUNNING  # nothing told the database that the worker died
    assert api.start_job(Job.BACKFILL, course.course_key, by=staff) == killed  # not stale yet
    monkeypatch.setattr(jobs, "enqueue", real_enqueue)  # the next worker runs the job (in process here)
    later = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=conf.get().JOB_STALE_AFTER + 60)
    with time_machine.travel(later, tick=False):
        assert api.job(killed.pk).state == Job.FAILED  # what the staff page and REST show now
        restarted = api.start_job(Job.BACKFILL, course.course_key, by=staff)  # runs after commit

    assert restarted.pk != killed.pk
    restarted.refresh_from_db()
    assert restarted.state == Job.DONE
    assert restarted.result["issued"] + restarted.result["already_issued"] == LEARNERS
    assert restarted.result["already_issued"] >= done_when_killed
    _assert_each_learner_has_exactly_one(course)
    killed.refresh_from_db()
    assert killed.state == Job.FAILED
    assert "worker running this job stopped" in killed.error
