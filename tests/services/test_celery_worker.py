"""The Celery path with a real worker process on a real broker.

Run by `make test-celery` (CI): CELERY_BROKER_URL points at Redis, so the
plugin sends its tasks to the broker instead of running them in process, and
a worker started here (against the same test database) does the work.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from cert_plugin import api, jobs
from cert_plugin.models import Certificate, RenderedFile

pytestmark = pytest.mark.celery
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def worker(transactional_db, tmp_path):
    """A `celery worker` subprocess using the test database and the configured broker."""
    from devhost.celery import app

    assert not jobs.runs_in_process(), "CELERY_BROKER_URL must be set for the worker tests"
    app.control.purge()
    settings = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "devhost.settings",
        "CERT_PLUGIN_DB_NAME": settings["NAME"],
        # The same var/ as this process: one signing key and one media folder for rendered files.
        "DEVHOST_VAR_DIR": os.environ["DEVHOST_VAR_DIR"],
    }
    log = tmp_path / "worker.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "devhost", "worker", "--pool=solo", "--loglevel=INFO",
         "--without-gossip", "--without-mingle", "--without-heartbeat", f"--logfile={log}"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
    )
    try:
        _wait_for(lambda: log.exists() and "ready" in log.read_text(), what="the worker to start", log=log)
        yield log
    finally:
        process.terminate()
        process.wait(timeout=30)


def _wait_for(condition, *, what, log, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    output = log.read_text() if log.exists() else ""
    raise AssertionError(f"timed out waiting for {what}; worker log:\n{output}")


def test_events_are_evaluated_by_a_real_worker(lms, worker):
    course = lms.course()
    api.configure_course(course.course_key)
    learner = lms.learner(course, name="Kenji Watanabe")
    lms.complete_all(learner, course)
    assert Certificate.objects.filter(user=learner).count() == 0  # nothing ran in this process

    lms.pass_all_quizzes(learner, course)  # grade events -> tasks on the broker -> worker

    mine = Certificate.objects.filter(user=learner, course_key=course.course_key)
    _wait_for(lambda: mine.exists(), what="the worker to issue the certificate", log=worker)
    time.sleep(1)  # let the remaining queued evaluations run too
    assert mine.count() == 1
    certificate = mine.get()
    assert certificate.learner_name == "Kenji Watanabe"
    assert "cert_plugin.tasks.evaluate_learner" in worker.read_text()

    # The worker then renders and stores the files, so the learner's download is instant.
    files = RenderedFile.objects.filter(certificate=certificate)
    _wait_for(lambda: files.count() == 2, what="the worker to render the PDF and PNG", log=worker)
    assert "cert_plugin.tasks.render_certificate" in worker.read_text()
    assert api.render_pdf(certificate).startswith(b"%PDF")
    assert files.count() == 2  # served from storage, not rendered again here
    assert api.verify(certificate.verification_code).signature_valid is True


def test_backfill_runs_on_the_worker(lms, worker):
    course = lms.course()
    qualified = [lms.learner(course) for _ in range(3)]
    for learner in qualified:
        lms.complete_all(learner, course)
        lms.pass_all_quizzes(learner, course)
    lms.learner(course)  # enrolled, nothing done yet

    api.configure_course(course.course_key)  # a certificate attached late: backfill goes to the worker

    issued = Certificate.objects.filter(course_key=course.course_key)
    _wait_for(lambda: issued.count() == 3, what="the backfill to issue 3 certificates", log=worker)
    assert "cert_plugin.tasks.backfill_course" in worker.read_text()
