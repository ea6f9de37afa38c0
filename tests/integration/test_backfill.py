"""Certificates attached to a course late reach exactly the learners who qualify."""

from __future__ import annotations

import re

import pytest
from django.core.management import CommandError, call_command

from cert_plugin import api
from cert_plugin.models import Certificate
from devhost.lms.host import DevHost


@pytest.fixture
def cohort(lms):
    """A course whose learners progressed before it offered a certificate."""
    course = lms.course()
    done = [lms.learner(course, name=f"Done {i}") for i in range(3)]
    for learner in done:
        lms.complete_all(learner, course)
        lms.pass_all_quizzes(learner, course)
    halfway = lms.learner(course, name="Halfway")
    lms.complete_all(halfway, course, but=1)
    lms.pass_all_quizzes(halfway, course)
    failing = lms.learner(course, name="Failing")
    lms.complete_all(failing, course)
    lms.pass_all_quizzes(failing, course, score=0.3)
    return course, done, [halfway, failing]


def test_backfill_issues_to_exactly_the_qualified_and_is_safe_twice(cohort):
    course, done, _not_done = cohort
    api.configure_course(course.course_key, backfill=False)
    assert Certificate.objects.count() == 0

    first = api.backfill(course.course_key)
    assert (first.learners, first.issued, first.in_progress) == (5, 3, 2)
    holders = set(Certificate.objects.values_list("user_id", flat=True))
    assert holders == {learner.pk for learner in done}

    second = api.backfill(course.course_key)
    assert (second.issued, second.already_issued, second.in_progress) == (0, 3, 2)
    assert Certificate.objects.count() == 3


def test_attaching_a_certificate_later_backfills_automatically(cohort):
    course, done, _ = cohort
    api.configure_course(course.course_key)  # enabling schedules the backfill after commit
    assert {c.user_id for c in Certificate.objects.all()} == {learner.pk for learner in done}


def test_backfill_counts_learners_awaiting_approval(lms):
    course = lms.course()
    learner = lms.learner(course)
    lms.complete_all(learner, course)
    lms.pass_all_quizzes(learner, course)
    api.configure_course(course.course_key, backfill=False, requires_approval=True)
    report = api.backfill(course.course_key)
    assert (report.pending_approval, report.issued) == (1, 0)


def test_command_reports_counts_and_runs_twice(cohort, capsys):
    course, _, _ = cohort
    api.configure_course(course.course_key, backfill=False)
    call_command("cert_backfill", str(course.course_key), "--no-progress")
    out = capsys.readouterr().out
    assert "5 learners evaluated" in out
    assert "3 newly issued" in out
    assert "2 still in progress" in out
    call_command("cert_backfill", str(course.course_key))
    captured = capsys.readouterr()
    assert "0 newly issued, 3 already had one" in captured.out
    assert re.search(r": 5 ?learner", captured.err)  # the progress bar counted every learner
    assert Certificate.objects.count() == 3


@pytest.mark.parametrize(
    ("argument", "message"),
    [("not a course key", "is not a valid course key"),
     ("course-v1:Nobody+X+2026", r"The LMS has no course course-v1:Nobody\+X\+2026")],
)
def test_command_rejects_bad_course_keys_with_a_clear_message(lms, argument, message):
    with pytest.raises(CommandError, match=message):
        call_command("cert_backfill", argument)


class SingleReadsHost(DevHost):
    """The demo LMS without the optional bulk reads: grades and completions one learner at a time."""

    grades_for = None
    completed_blocks_for = None


class FailingBulkHost(DevHost):
    """The demo LMS whose bulk grade read breaks (the backfill then reads learners one by one)."""

    def grades_for(self, users, course_key):
        raise RuntimeError("grading service unavailable")


@pytest.mark.parametrize("host", ["SingleReadsHost", "FailingBulkHost"])
def test_a_host_without_working_bulk_reads_backfills_the_same(cohort, settings, host):
    settings.CERT_PLUGIN = {**settings.CERT_PLUGIN, "HOST": f"{__name__}.{host}"}
    course, done, _ = cohort
    api.configure_course(course.course_key, backfill=False)
    report = api.backfill(course.course_key)
    assert (report.learners, report.issued, report.in_progress, report.failed) == (5, 3, 2, 0)
    assert set(Certificate.objects.values_list("user_id", flat=True)) == {learner.pk for learner in done}


def test_backfill_issues_only_where_staff_confirmed_the_additional_requirement(cohort, lms):
    course, done, _ = cohort
    project = [{"key": "project", "label": "Submit the final project"}]
    api.configure_course(course.course_key, enabled=False, backfill=False, additional_requirements=project)
    api.mark_requirement_met(done[0], course.course_key, "project", by=lms.staff(course))
    assert Certificate.objects.count() == 0  # the course offered no certificate yet

    api.configure_course(course.course_key, backfill=False, additional_requirements=project)
    report = api.backfill(course.course_key)
    assert (report.issued, report.in_progress) == (1, 4)
    assert list(Certificate.objects.values_list("user_id", flat=True)) == [done[0].pk]
