"""A refused learner's "Ask for review", double-submitted: one request, every submit answered (issue 14).

Threads with real connections; run it on SQLite, MariaDB and PostgreSQL (CERT_PLUGIN_DB).
"""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from cert_plugin import api
from cert_plugin.models import AuditEvent
from tests.concurrency import run_concurrently


def _refused(lms):
    course = lms.course()
    api.configure_course(course.course_key, requires_approval=True)
    staff = lms.staff(course)
    learner = lms.learner(course)
    lms.complete_all(learner, course)
    lms.pass_all_quizzes(learner, course)
    api.reject(learner, course.course_key, by=staff, reason="Attendance too low")
    return course, learner


def test_a_double_submitted_review_request_makes_one_request(lms):
    course, learner = _refused(lms)

    results, errors = run_concurrently(
        lambda: api.request_review(learner, course.course_key, message="Please"), 5)

    assert errors == []
    assert AuditEvent.objects.filter(user=learner, action=AuditEvent.REVIEW_REQUESTED).count() == 1
    assert len({refusal.review_requested_at for refusal in results}) == 1
    assert [row.user for row in api.review_requests(course.course_key)] == [learner]


def test_a_double_submitted_review_form_answers_303_each_time(lms):
    course, learner = _refused(lms)
    url = reverse("cert_plugin:ask-for-review", args=[str(course.course_key)])

    def submit():
        client = Client()
        client.force_login(learner)
        return client.post(url, {"message": "Please"}).status_code

    results, errors = run_concurrently(submit, 5)

    assert errors == []
    assert results == [303] * 5
    assert AuditEvent.objects.filter(user=learner, action=AuditEvent.REVIEW_REQUESTED).count() == 1
