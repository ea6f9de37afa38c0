"""Quiz scoring and course grades, with the openedx-events edx-platform sends.

edx-platform, on every score change, recomputes the course grade
(``CourseGradeFactory.update``), persists it (``PersistentCourseGrade.update_or_create``,
which sends ``PERSISTENT_GRADE_SUMMARY_CHANGED``) and then sends
``COURSE_PASSING_STATUS_UPDATED`` with ``is_passing`` true or false
(``grades.events.course_grade_now_passed`` / ``course_grade_now_failed``).
:func:`record_quiz` does the same, in the same order, inside one transaction,
so receivers that defer work with ``transaction.on_commit`` see the new rows.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from openedx_events.learning.data import (
    CourseData,
    CoursePassingStatusData,
    PersistentCourseGradeData,
    UserData,
    UserPersonalData,
)
from openedx_events.learning.signals import COURSE_PASSING_STATUS_UPDATED, PERSISTENT_GRADE_SUMMARY_CHANGED

from devhost.lms.models import Block, Course, PersistentCourseGrade, Profile, QuizSubmission

__all__ = ["CourseGrade", "compute_grade", "compute_grades", "record_quiz", "score_answers",
           "update_course_grade"]


@dataclass(frozen=True)
class CourseGrade:
    percent: float  # 0..1, weighted average of quiz scores (unattempted quizzes count 0)
    passed: bool  # percent >= the course's passing grade
    scores: dict[str, float] = field(default_factory=dict)  # quiz usage key string -> 0..1


def score_answers(block: Block, answers: Sequence[Any]) -> float:
    """Share of the quiz's questions answered with the right choice index."""
    questions = block.questions or []
    if not questions:
        return 0.0
    right = sum(
        1 for i, question in enumerate(questions)
        if i < len(answers) and answers[i] is not None and int(answers[i]) == int(question["answer"])
    )
    return right / len(questions)


def compute_grade(user: Any, course: Course) -> CourseGrade:
    """The learner's course grade from their latest quiz scores."""
    quizzes = [b for b in course.blocks.all() if b.is_quiz]
    got = dict(QuizSubmission.objects.filter(user=user, block__in=quizzes).values_list("block_id", "score"))
    return _grade(course, quizzes, got)


def compute_grades(users: Sequence[Any], course: Course) -> dict[Any, CourseGrade]:
    """:func:`compute_grade` of many learners in two queries, by user id."""
    quizzes = [b for b in course.blocks.all() if b.is_quiz]
    got: dict[Any, dict[int, float]] = {user.pk: {} for user in users}
    rows = QuizSubmission.objects.filter(user__in=list(got), block__in=quizzes)
    for user_id, block_id, score in rows.values_list("user_id", "block_id", "score"):
        got[user_id][block_id] = score
    return {user_id: _grade(course, quizzes, scores) for user_id, scores in got.items()}


def _grade(course: Course, quizzes: Sequence[Block], got: dict[int, float]) -> CourseGrade:
    scores = {str(q.usage_key): float(got.get(q.pk, 0.0)) for q in quizzes}
    total_weight = sum(q.weight for q in quizzes)
    weighted = sum(q.weight * scores[str(q.usage_key)] for q in quizzes)
    percent = weighted / total_weight if total_weight else 0.0
    percent = round(percent, 4)
    return CourseGrade(percent=percent, passed=percent >= course.passing_grade, scores=scores)


def record_quiz(user: Any, block: Block, answers: Sequence[Any]) -> QuizSubmission:
    """Score and store a learner's quiz answers, then update the course grade (and send the events)."""
    if not block.is_quiz:
        raise ValueError(f"{block.usage_key} is not a quiz")
    answers = [None if a is None or a == "" else int(a) for a in answers]
    with transaction.atomic():
        submission, _ = QuizSubmission.objects.update_or_create(
            user=user, block=block, defaults={"score": score_answers(block, answers), "answers": answers},
        )
        update_course_grade(user, block.course)
    return submission


def update_course_grade(user: Any, course: Course) -> PersistentCourseGrade:
    """Recompute, persist and announce the course grade, as edx-platform's CourseGradeFactory.update."""
    grade = compute_grade(user, course)
    with transaction.atomic():
        row, _ = PersistentCourseGrade.objects.update_or_create(
            user=user, course=course,
            defaults={"percent_grade": grade.percent, "letter_grade": "Pass" if grade.passed else ""},
        )
        if grade.passed and not row.passed_timestamp:
            row.passed_timestamp = timezone.now()
            row.save(update_fields=["passed_timestamp", "modified"])
        course_data = CourseData(course_key=course.course_key, display_name=course.title)
        PERSISTENT_GRADE_SUMMARY_CHANGED.send_event(
            grade=PersistentCourseGradeData(
                user_id=user.id,
                course=course_data,
                course_edited_timestamp=course.modified,
                course_version="",
                grading_policy_hash=_grading_policy_hash(course),
                percent_grade=grade.percent,
                letter_grade=row.letter_grade,
                passed_timestamp=row.passed_timestamp,
            )
        )
        COURSE_PASSING_STATUS_UPDATED.send_event(
            course_passing_status=CoursePassingStatusData(
                is_passing=grade.passed,
                course=course_data,
                user=UserData(
                    id=user.id,
                    is_active=user.is_active,
                    pii=UserPersonalData(username=user.username, email=user.email, name=_name(user)),
                ),
            )
        )
    return row


def _name(user: Any) -> str:
    """edx-platform sends ``user.get_full_name() or user.profile.name``."""
    profile = Profile.objects.filter(user=user).first()
    return user.get_full_name() or (profile.full_name if profile else "")


def _grading_policy_hash(course: Course) -> str:
    policy = f"{course.passing_grade}|" + "|".join(
        f"{b.usage_key}={b.weight}" for b in course.blocks.all() if b.is_quiz
    )
    return hashlib.sha1(policy.encode()).hexdigest()
