"""Quiz answers update the course grade and send the openedx-events edx-platform sends."""

from __future__ import annotations

import pytest
from openedx_events.learning.data import (
    CourseData,
    CoursePassingStatusData,
    PersistentCourseGradeData,
    UserData,
    UserPersonalData,
)
from openedx_events.learning.signals import (
    COURSE_PASSING_STATUS_UPDATED,
    PERSISTENT_GRADE_SUMMARY_CHANGED,
)

from devhost.lms.grading import record_quiz, score_answers
from devhost.lms.models import PersistentCourseGrade, QuizSubmission

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent():
    """Every grade event sent during the test, in order, as (signal, payload)."""
    events: list[tuple[object, object]] = []

    def on_grade(signal, **kwargs):
        events.append((signal, kwargs["grade"]))

    def on_passing(signal, **kwargs):
        events.append((signal, kwargs["course_passing_status"]))

    PERSISTENT_GRADE_SUMMARY_CHANGED.connect(on_grade, dispatch_uid="test-devhost-grade")
    COURSE_PASSING_STATUS_UPDATED.connect(on_passing, dispatch_uid="test-devhost-passing")
    yield events
    PERSISTENT_GRADE_SUMMARY_CHANGED.disconnect(dispatch_uid="test-devhost-grade")
    COURSE_PASSING_STATUS_UPDATED.disconnect(dispatch_uid="test-devhost-passing")


def test_score_answers(blocks):
    quiz = blocks["Quiz A"]
    assert score_answers(quiz, [0, 0, 0, 0]) == 1.0
    assert score_answers(quiz, [0, 1, None]) == 0.25  # unanswered and missing answers are wrong


def test_failing_submission_sends_both_events(learner, course, blocks, sent):
    record_quiz(learner, blocks["Quiz A"], [0, 0, 0, 0])  # 100% of weight 1 of 4 -> 25%

    assert [signal for signal, _ in sent] == [PERSISTENT_GRADE_SUMMARY_CHANGED, COURSE_PASSING_STATUS_UPDATED]
    grade, status = sent[0][1], sent[1][1]
    assert isinstance(grade, PersistentCourseGradeData)
    assert grade.user_id == learner.id
    assert grade.course == CourseData(course_key=course.course_key, display_name="Testing 101")
    assert grade.percent_grade == pytest.approx(0.25)
    assert grade.letter_grade == ""
    assert grade.passed_timestamp is None
    assert status == CoursePassingStatusData(
        is_passing=False,
        course=CourseData(course_key=course.course_key, display_name="Testing 101"),
        user=UserData(id=learner.id, is_active=True,
                      pii=UserPersonalData(username="amelia", email="amelia@example.com", name="Amy O")),
    )
    assert QuizSubmission.objects.get(user=learner, block=blocks["Quiz A"]).score == 1.0


def test_passing_keeps_first_passed_timestamp(learner, blocks, sent):
    record_quiz(learner, blocks["Quiz B"], [1])  # 75%: passes (cutoff 60%)
    first = PersistentCourseGrade.objects.get(user=learner)
    assert first.passed_timestamp is not None
    assert sent[0][1].passed_timestamp == first.passed_timestamp
    assert sent[0][1].letter_grade == "Pass"
    assert sent[1][1].is_passing is True

    record_quiz(learner, blocks["Quiz B"], [0])  # now failing; the first pass is kept, as in edx-platform
    assert sent[3][1].is_passing is False
    assert PersistentCourseGrade.objects.get(user=learner).passed_timestamp == first.passed_timestamp
    assert PersistentCourseGrade.objects.count() == 1


def test_lessons_are_not_quizzes(learner, blocks):
    with pytest.raises(ValueError, match="not a quiz"):
        record_quiz(learner, blocks["Lesson 1"], [0])
