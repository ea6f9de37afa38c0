"""Concurrent identical events never create a second active certificate.

Runs on whichever database CERT_PLUGIN_DB selects; CI runs it on SQLite,
MariaDB and PostgreSQL.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction
from openedx_events.learning.data import CourseData, CoursePassingStatusData, UserData, UserPersonalData
from openedx_events.learning.signals import COURSE_PASSING_STATUS_UPDATED

from cert_plugin import api
from cert_plugin.domain import files
from cert_plugin.models import AuditEvent, Certificate, RenderedFile
from cert_plugin.rendering import pdf as pdf_module
from tests.concurrency import run_concurrently

THREADS = 50


def _run_concurrently(target, count=THREADS):
    return run_concurrently(target, count)


def _qualified(lms):
    course = lms.course()
    learner = lms.learner(course)
    lms.complete_all(learner, course)
    lms.pass_all_quizzes(learner, course)
    return course, learner


def test_fifty_concurrent_evaluations_issue_exactly_one_certificate(lms):
    course, learner = _qualified(lms)
    api.configure_course(course.course_key, backfill=False)  # the threads race for it

    results, errors = _run_concurrently(lambda: api.evaluate(learner, course.course_key))

    assert errors == []
    active = Certificate.objects.filter(user=learner, course_key=course.course_key, active=True)
    assert active.count() == 1
    assert {c.verification_code for c in results} == {active.get().verification_code}
    assert AuditEvent.objects.filter(user=learner, action="issued").count() == 1


def test_fifty_concurrent_passing_events_issue_exactly_one_certificate(lms):
    course, learner = _qualified(lms)
    api.configure_course(course.course_key, backfill=False)
    payload = CoursePassingStatusData(
        is_passing=True,
        course=CourseData(course_key=course.course_key, display_name=course.title),
        user=UserData(id=learner.id, is_active=True,
                      pii=UserPersonalData(username=learner.username, email=learner.email, name="")),
    )

    _results, errors = _run_concurrently(
        lambda: COURSE_PASSING_STATUS_UPDATED.send_event(course_passing_status=payload))

    assert errors == []
    assert Certificate.objects.filter(user=learner, course_key=course.course_key).count() == 1
    assert AuditEvent.objects.filter(user=learner, action="issued").count() == 1


def test_concurrent_first_downloads_render_once(lms, monkeypatch):
    course, learner = _qualified(lms)
    api.configure_course(course.course_key)
    certificate = api.active_certificate(learner, course.course_key)
    RenderedFile.objects.filter(certificate=certificate).delete()  # as if the render task had not run yet
    renders = []
    real = pdf_module.render_pdf
    monkeypatch.setattr(pdf_module, "render_pdf", lambda *a, **k: renders.append(1) or real(*a, **k))

    results, errors = _run_concurrently(
        lambda: api.render_pdf(Certificate.objects.get(pk=certificate.pk)), count=8)

    assert errors == []
    assert len(results) == 8
    assert len(set(results)) == 1
    assert len(renders) == 1
    assert RenderedFile.objects.filter(certificate=certificate, kind="pdf").count() == 1


@pytest.mark.skipif(connection.vendor == "sqlite", reason="SQLite has one writer at a time for the whole "
                    "database, so renders serialise there whatever we lock; MariaDB and PostgreSQL run this")
def test_rendering_one_certificate_does_not_hold_up_another_of_the_same_course(lms):
    """Two workers render two certificates of one course side by side: the render lock of one
    certificate must not lock the template version every certificate of the course shares."""
    course = lms.course()
    first, second = lms.learner(course), lms.learner(course)
    for learner in (first, second):
        lms.complete_all(learner, course)
        lms.pass_all_quizzes(learner, course)
    api.configure_course(course.course_key)
    held = api.active_certificate(first, course.course_key)
    other = api.active_certificate(second, course.course_key)
    assert held.template_version_id == other.template_version_id
    RenderedFile.objects.filter(certificate=other).delete()  # its render is still to do
    locked, release, outcome = threading.Event(), threading.Event(), {}

    def render_in_progress():  # another worker, in the middle of rendering the first certificate
        try:
            with transaction.atomic():
                files._lock_for_render(held.pk)
                locked.set()
                outcome["released_by_timeout"] = not release.wait(timeout=60)
        finally:
            connection.close()

    worker = threading.Thread(target=render_in_progress)
    worker.start()
    assert locked.wait(timeout=60)
    pdf = api.render_pdf(Certificate.objects.get(pk=other.pk))  # waits for the lock if it is shared
    release.set()
    worker.join(timeout=120)

    assert pdf.startswith(b"%PDF")
    assert outcome == {"released_by_timeout": False}, "the second render waited for the first one's lock"
