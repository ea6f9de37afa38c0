"""The demo LMS as a cert_plugin host (``CERT_PLUGIN["HOST"] = "devhost.lms.host.DevHost"``)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from completion.models import BlockCompletion
from django.contrib.auth import get_user_model
from django.urls import reverse
from opaque_keys.edx.keys import CourseKey, UsageKey

from cert_plugin.host.base import BlockInfo, CourseInfo, GradeInfo, LearnerInfo
from devhost.lms.grading import compute_grade, compute_grades
from devhost.lms.models import Course, CourseStaff, Enrollment, Profile

__all__ = ["DevHost"]


def _key(course_key: CourseKey | str) -> CourseKey:
    return course_key if isinstance(course_key, CourseKey) else CourseKey.from_string(str(course_key))


def _course(course_key: CourseKey | str) -> Course | None:
    return Course.objects.filter(course_key=_key(course_key)).first()


def _info(course: Course) -> CourseInfo:
    return CourseInfo(course_key=course.course_key, title=course.title, org=course.org, hours=course.hours,
                      language=course.language, passing_grade=course.passing_grade)


class DevHost:
    """Answers the plugin's questions from the demo LMS's tables (read-only)."""

    def course(self, course_key: CourseKey) -> CourseInfo | None:
        course = _course(course_key)
        if course is None:
            return None
        return _info(course)

    def outline(self, course_key: CourseKey) -> list[BlockInfo]:
        course = _course(course_key)
        if course is None:
            return []
        return [
            BlockInfo(usage_key=b.usage_key, title=b.title, completable=not b.is_quiz, graded=b.is_quiz,
                      assignment_type="Quiz" if b.is_quiz else "")
            for b in course.blocks.order_by("position", "pk")
        ]

    def learner(self, user: Any) -> LearnerInfo:
        profile = Profile.objects.filter(user=user).first()
        name = (profile.full_name if profile else "") or user.get_full_name() or user.username
        return LearnerInfo(full_name=name, email=user.email, language=profile.language if profile else "en")

    def grade(self, user: Any, course_key: CourseKey) -> GradeInfo:
        course = _course(course_key)
        if course is None:
            return GradeInfo(percent=0.0, passed=False, scores={})
        grade = compute_grade(user, course)
        return GradeInfo(percent=grade.percent, passed=grade.passed, scores=dict(grade.scores))

    def completed_blocks(self, user: Any, course_key: CourseKey) -> set[UsageKey]:
        rows = BlockCompletion.objects.filter(user=user, context_key=_key(course_key), completion__gte=1.0)
        return set(rows.values_list("block_key", flat=True))

    def grades_for(self, users: Sequence[Any], course_key: CourseKey) -> dict[Any, GradeInfo]:
        """:meth:`grade` of many learners at once (by user id), for backfills."""
        course = _course(course_key)
        if course is None:
            return {}
        return {user_id: GradeInfo(percent=grade.percent, passed=grade.passed, scores=dict(grade.scores))
                for user_id, grade in compute_grades(users, course).items()}

    def completed_blocks_for(self, users: Sequence[Any], course_key: CourseKey) -> dict[Any, set[UsageKey]]:
        """:meth:`completed_blocks` of many learners at once (by user id), for backfills."""
        found: dict[Any, set[UsageKey]] = {user.pk: set() for user in users}
        rows = BlockCompletion.objects.filter(user__in=list(found), context_key=_key(course_key),
                                              completion__gte=1.0)
        for user_id, block_key in rows.values_list("user_id", "block_key"):
            found[user_id].add(block_key)
        return found

    def enrolled_learners(self, course_key: CourseKey) -> Iterator[Any]:
        users = get_user_model().objects.filter(
            lms_enrollments__course__course_key=_key(course_key), lms_enrollments__is_active=True,
        )
        return users.order_by("pk").iterator()

    def learners_queryset(self, course_key: CourseKey) -> Any:
        return get_user_model().objects.filter(
            lms_enrollments__course__course_key=_key(course_key), lms_enrollments__is_active=True,
        )

    def enrolled_courses(self, user: Any) -> list[CourseKey]:
        return list(Enrollment.objects.filter(user=user, is_active=True)
                    .values_list("course__course_key", flat=True))

    def enrollment_mode(self, user: Any, course_key: CourseKey) -> str:
        """The demo LMS has one free, certificate-bearing track: Open edX's "honor" mode."""
        return "honor"

    def course_url(self, course_key: CourseKey) -> str:
        """The course's page in the demo LMS (where learners complete lessons and quizzes)."""
        return reverse("lms:course", args=[str(course_key)])

    def home_url(self) -> str:
        """The learner's courses in the demo LMS."""
        return reverse("lms:home")

    def account_url(self) -> str:
        """The demo LMS's "Edit profile" page, where the learner sets the name certificates print."""
        return reverse("lms:profile")

    def is_course_staff(self, user: Any, course_key: CourseKey) -> bool:
        if not getattr(user, "is_authenticated", False):
            return False
        return bool(user.is_staff) or CourseStaff.objects.filter(
            user=user, course__course_key=_key(course_key)).exists()

    def staff_courses(self, user: Any) -> list[CourseInfo]:
        """The courses :meth:`is_course_staff` lets the user into (every course for site staff), in one
        query: the staff index's list."""
        if not getattr(user, "is_authenticated", False):
            return []
        courses = Course.objects.all() if user.is_staff else Course.objects.filter(staff__user=user)
        return [_info(course) for course in courses.order_by("title", "pk")]
