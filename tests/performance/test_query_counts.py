"""Query-count budgets for the plugin's hot paths (issue 6).

Counts, never wall-clock: every budget is a number of SQL statements captured
with ``CaptureQueriesContext``, and a miss prints the captured SQL grouped by
table so the offending code path is obvious.

* the public verify page and its JSON twin, for an anonymous visitor: one query (the certificate,
  with its template version's digest and none of its HTML); the signing key is read once per
  process (issue 16);
* a grade/completion event: the receiver itself costs at most 3 queries and
  renders nothing inline (the evaluation is scheduled, not run, here);
* ``api.backfill``: at most 5 queries per learner, measured as the slope
  between N=10 and N=20 learners so one-time setup is not charged per learner;
* the staff index (``/certs/staff/``): the same queries for 2 courses as for 8
  (no query per course per count), at most 10.
"""

from __future__ import annotations

import re
from collections import defaultdict

import pytest
from completion.models import BlockCompletion
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models.signals import post_save
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openedx_events.learning.data import (
    CourseData,
    CoursePassingStatusData,
    PersistentCourseGradeData,
    UserData,
    UserPersonalData,
)
from openedx_events.learning.signals import COURSE_PASSING_STATUS_UPDATED, PERSISTENT_GRADE_SUMMARY_CHANGED

from cert_plugin import api
from cert_plugin.rendering import pdf as pdf_module

VERIFY_BUDGET = 1
RECEIVER_BUDGET = 3
BACKFILL_PER_LEARNER = 5
STAFF_INDEX_BUDGET = 10

_TABLE = re.compile(r'\b(?:FROM|INTO|UPDATE|JOIN)\s+[`"]?(\w+)[`"]?', re.IGNORECASE)


def _report(captured: CaptureQueriesContext) -> str:
    """The captured SQL grouped by the first table each statement names."""
    groups: dict[str, list[str]] = defaultdict(list)
    for query in captured.captured_queries:
        sql = query["sql"]
        match = _TABLE.search(sql)
        groups[match.group(1) if match else "(no table)"].append(sql)
    lines = [f"{len(captured)} queries:"]
    for table, statements in sorted(groups.items(), key=lambda item: -len(item[1])):
        lines.append(f"  {table}: {len(statements)}")
        lines.extend(f"    {sql}" for sql in statements)
    return "\n".join(lines)


@pytest.fixture
def render_calls(monkeypatch):
    """Counts calls of the PDF renderer (a spy: the real renderer still runs if called)."""
    calls: list[tuple] = []
    real = pdf_module.render_pdf

    def spy(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(pdf_module, "render_pdf", spy)
    return calls


# --------------------------------------------------------------------------- (a) verify


@pytest.fixture
def certificate(lms, no_render_task):
    course = lms.course(title="Safety Officer Certification", hours="40")
    api.configure_course(course.course_key, backfill=False)
    learner = lms.learner(course, name="Kenji Watanabe")
    return api.issue(learner, course.course_key, reason="test")


@pytest.mark.parametrize("url_name", ["cert_plugin:verify", "cert_plugin:api-verify"])
def test_verify_of_an_existing_certificate_costs_one_query(certificate, url_name, record_property):
    url = reverse(url_name, args=[certificate.formatted_code])
    client = Client()  # anonymous; the rate limit lives in the cache
    client.get(url)  # the process reads the signing key once
    cache.clear()  # and forgets the answer it kept: what the first visitor of a code costs

    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)

    assert response.status_code == 200
    assert b"Digital signature verified" in response.content or response.json()["signature_valid"] is True
    record_property("queries", len(captured))
    assert len(captured) <= VERIFY_BUDGET, _report(captured)
    sql = captured.captured_queries[0]["sql"].replace("`", '"')
    assert '"html"' not in sql  # not the template's source


@pytest.mark.parametrize("url_name", ["cert_plugin:verify", "cert_plugin:api-verify"])
def test_verify_asked_again_costs_no_query_until_the_certificate_changes(certificate, url_name):
    url = reverse(url_name, args=[certificate.formatted_code])
    first = Client().get(url)

    with CaptureQueriesContext(connection) as captured:
        again = Client().get(url)
    assert len(captured) == 0, _report(captured)
    assert again.status_code == 200
    assert again.content == first.content

    api.revoke(certificate, reason="Issued in error")
    with CaptureQueriesContext(connection) as captured:
        revoked = Client().get(url)
    assert len(captured) == VERIFY_BUDGET
    assert b"revoked" in revoked.content


# --------------------------------------------------------------------------- (b) receivers


@pytest.fixture
def enrolled(lms):
    course = lms.course()
    api.configure_course(course.course_key, backfill=False)
    return course, lms.learner(course), lms.lessons(course)[0]


def _course_data(course):
    return CourseData(course_key=course.course_key, display_name=course.title)


def _grade_changed(course, learner, lesson):
    PERSISTENT_GRADE_SUMMARY_CHANGED.send_event(grade=PersistentCourseGradeData(
        user_id=learner.id, course=_course_data(course), course_edited_timestamp=course.modified,
        course_version="", grading_policy_hash="", percent_grade=0.9, letter_grade="Pass",
        passed_timestamp=None,
    ))


def _passing_updated(course, learner, lesson):
    COURSE_PASSING_STATUS_UPDATED.send_event(course_passing_status=CoursePassingStatusData(
        is_passing=True, course=_course_data(course),
        user=UserData(id=learner.id, is_active=True,
                      pii=UserPersonalData(username=learner.username, email=learner.email, name="")),
    ))


def _block_completed(course, learner, lesson):
    """The post_save edx-completion sends for a finished block (its INSERT is not the receiver's cost)."""
    instance = BlockCompletion(user=learner, context_key=course.course_key, block_key=lesson.usage_key,
                               block_type="html", completion=1.0)
    post_save.send(sender=BlockCompletion, instance=instance, created=True)


@pytest.mark.parametrize("fire", [_grade_changed, _passing_updated, _block_completed],
                         ids=["persistent_grade_summary_changed", "course_passing_status_updated",
                              "block_completion_saved"])
def test_an_event_costs_the_receiver_at_most_three_queries_and_renders_nothing(enrolled, render_calls, fire,
                                                                               record_property):
    with transaction.atomic():  # on_commit holds the scheduled evaluation
        hooks_before = len(connection.run_on_commit)
        with CaptureQueriesContext(connection) as captured:
            fire(*enrolled)
        scheduled = len(connection.run_on_commit) - hooks_before
        transaction.set_rollback(True)  # the scheduled work is dropped, never run: only the receiver counts

    record_property("queries", len(captured))
    assert scheduled == 1  # the evaluation was scheduled, not run inline
    assert render_calls == []
    assert len(captured) <= RECEIVER_BUDGET, _report(captured)


# --------------------------------------------------------------------------- (c) backfill


def _holding_certificates(lms, n):
    course = lms.course()
    api.configure_course(course.course_key, backfill=False)
    for i in range(n):
        api.issue(lms.learner(course, username=f"holder{course.pk}x{i}"), course.course_key, reason="test")
    return course


def _in_progress(lms, n):
    course = lms.course()
    api.configure_course(course.course_key, backfill=False)
    for i in range(n):
        learner = lms.learner(course, username=f"progress{course.pk}x{i}")
        lms.complete(learner, lms.lessons(course)[0])  # started, far from finished
    return course


def _measure_backfill(course):
    with CaptureQueriesContext(connection) as captured:
        report = api.backfill(course.course_key)
    return report, captured


@pytest.mark.parametrize(("build", "field"), [
    pytest.param(_holding_certificates, "already_issued", id="holding_certificates"),
    pytest.param(_in_progress, "in_progress", id="in_progress"),
])
def test_backfill_costs_at_most_five_queries_per_learner(lms, no_render_task, render_calls, build, field,
                                                         record_property):
    small_course, large_course = build(lms, 10), build(lms, 20)

    small, small_queries = _measure_backfill(small_course)
    large, large_queries = _measure_backfill(large_course)

    assert (small.learners, getattr(small, field), small.failed) == (10, 10, 0)
    assert (large.learners, getattr(large, field), large.failed) == (20, 20, 0)
    assert render_calls == []
    slope = (len(large_queries) - len(small_queries)) / 10
    record_property("queries_n10", len(small_queries))
    record_property("queries_n20", len(large_queries))
    assert slope <= BACKFILL_PER_LEARNER, (
        f"{slope:.1f} queries per learner (N=10: {len(small_queries)}, N=20: {len(large_queries)}); "
        f"the N=10 run's {_report(small_queries)}")


# --------------------------------------------------------------------------- (d) the staff index


def _taught_courses(lms, staff, count: int) -> None:
    """``count`` courses taught by ``staff``, each with an issued learner and one awaiting approval."""
    from devhost.lms.models import CourseStaff

    for n in range(count):
        course = lms.course(title=f"Course {n}", lessons=1, quizzes=1)
        CourseStaff.objects.get_or_create(user=staff, course=course)
        api.configure_course(course.course_key, requires_approval=True, backfill=False)
        api.issue(lms.learner(course, name=f"Holder {n}"), course.course_key, reason="test")
        waiting = lms.learner(course, name=f"Waiting {n}")
        lms.pass_all_quizzes(waiting, course)
        lms.complete_all(waiting, course)


def test_the_staff_index_costs_the_same_queries_for_many_courses(lms, no_render_task, record_property):
    """Issue 14, point 8: the counts of every course on the page come from grouped queries."""
    few, many = lms.staff(lms.course(title="Few")), lms.staff(lms.course(title="Many"))
    _taught_courses(lms, few, 1)
    _taught_courses(lms, many, 7)
    measured = []
    for user, courses in ((few, 2), (many, 8)):
        client = Client()
        client.force_login(user)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(reverse("cert_plugin:staff-index"))
        assert response.status_code == 200
        assert response.content.decode().count("data-course=") == courses
        measured.append(captured)

    record_property("queries_2_courses", len(measured[0]))
    record_property("queries_8_courses", len(measured[1]))
    assert len(measured[1]) == len(measured[0]), _report(measured[1])
    assert len(measured[1]) <= STAFF_INDEX_BUDGET, _report(measured[1])
