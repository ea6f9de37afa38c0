"""The port between cert_plugin and the host LMS.

The plugin asks the host for *facts* (course, outline, learner, grade,
completions, enrollments, staff role); host events only tell it *when* to
re-evaluate. A host is any class implementing :class:`Host`, named by the
dotted path in ``settings.CERT_PLUGIN["HOST"]``.

This module imports nothing from Django models or from the host LMS, so the
dataclasses can travel into pure code and Celery task arguments.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Protocol, runtime_checkable

from opaque_keys.edx.keys import CourseKey, UsageKey

__all__ = [
    "BlockInfo", "CourseInfo", "EnrollmentModes", "GradeInfo", "Host", "HostQueries", "LearnerInfo",
    "LearnerOutlines", "SiteLinks", "StaffCourses",
]


@dataclass(frozen=True)
class CourseInfo:
    """What a certificate needs to know about a course."""

    course_key: CourseKey
    title: str
    org: str
    hours: Decimal | None  # the course's total hours, when the host knows them (Open edX: None); a
    # course's certificate settings (CourseCertificateConfig.hours) take precedence
    language: str = "en"
    # The grade cutoff, 0..1: the lowest grade that passes the course (Open edX: the grading policy's
    # lowest cutoff). None when the host cannot tell; "Pass the course" then states no number.
    passing_grade: float | None = None


@dataclass(frozen=True)
class BlockInfo:
    """One block of the course outline that counts towards requirements.

    A required quiz is any block with ``graded=True``: in Open edX a graded
    subsection (``completable=False``, ``subsection=""``) or a graded problem
    inside one (``subsection`` names it). ``GradeInfo.scores`` holds the
    learner's score of each of them.
    """

    usage_key: UsageKey
    title: str
    completable: bool  # counts as a lesson for the completion requirement
    graded: bool  # a quiz/assignment whose score can be required
    assignment_type: str = ""
    subsection: str = ""  # a graded problem: the title of the subsection it sits in; "" otherwise


@dataclass(frozen=True)
class LearnerInfo:
    """The learner as the certificate prints and mails them."""

    full_name: str
    email: str
    language: str = "en"


@dataclass(frozen=True)
class GradeInfo:
    """The learner's course grade as the host computes it."""

    percent: float  # 0..1
    passed: bool  # the host's own passing decision (grade cutoff)
    # usage key string of a graded block (subsection or problem) -> earned/possible 0..1; a block
    # the learner has not attempted may be missing
    scores: dict[str, float] = field(default_factory=dict)


@runtime_checkable
class Host(Protocol):
    """What the plugin asks of the host LMS. All methods are read-only."""

    def course(self, course_key: CourseKey) -> CourseInfo | None: ...

    def outline(self, course_key: CourseKey) -> list[BlockInfo]: ...

    def learner(self, user: Any) -> LearnerInfo: ...

    def grade(self, user: Any, course_key: CourseKey) -> GradeInfo: ...

    def completed_blocks(self, user: Any, course_key: CourseKey) -> set[UsageKey]: ...

    def enrolled_learners(self, course_key: CourseKey) -> Iterable[Any]: ...

    def is_course_staff(self, user: Any, course_key: CourseKey) -> bool: ...


@runtime_checkable
class HostQueries(Protocol):
    """Optional extras a host may offer for pages over many learners and courses.

    A host without them still works: the plugin then falls back to
    ``enrolled_learners`` (and lists courses that offer certificates), and a
    backfill reads each learner's grade and completions one by one.
    """

    def learners_queryset(self, course_key: CourseKey) -> Any:
        """The actively enrolled users as a ``User`` QuerySet (searchable, pageable in SQL)."""
        ...

    def enrolled_courses(self, user: Any) -> Iterable[CourseKey]:
        """The courses the user is actively enrolled in."""
        ...

    def grades_for(self, users: Sequence[Any], course_key: CourseKey) -> Mapping[Any, GradeInfo]:
        """``grade`` of many learners at once, by user id (a backfill reads a few hundred per call).

        A learner left out is read alone with ``grade``.
        """
        ...

    def completed_blocks_for(self, users: Sequence[Any],
                             course_key: CourseKey) -> Mapping[Any, set[UsageKey]]:
        """``completed_blocks`` of many learners at once, by user id; a learner left out is read alone."""
        ...


@runtime_checkable
class StaffCourses(Protocol):
    """Optional: the courses a user is course staff of, for the staff index (``/certs/staff/``).

    Exactly the courses ``is_course_staff(user, key)`` is true for, each as its
    ``course(key)`` would be, read in bulk (a query or two, not one per course).
    A host without it: the index lists the courses that have certificate settings
    and asks ``is_course_staff`` and ``course`` for each of them.
    """

    def staff_courses(self, user: Any) -> Iterable[CourseInfo]:
        """Every course the user may open the certificates dashboard of (in any order)."""
        ...


@runtime_checkable
class LearnerOutlines(Protocol):
    """Optional: a course whose content differs from learner to learner.

    ``outline(course_key)`` is learner-independent. Where cohorts, enrollment
    tracks, randomised content (item banks, library content), split tests or
    content gating show each learner a different part of the course, a host
    offers both methods, and the plugin then counts lessons (and finds
    required quizzes) over the learner's own outline. It asks
    ``outline_varies_by_learner`` once per course and evaluation run (one per
    backfill), and ``learner_outline`` per learner only when that is true, so a
    course whose content is the same for everyone costs no per-learner reads.
    """

    def outline_varies_by_learner(self, course_key: CourseKey) -> bool:
        """Whether some learners see a different outline than others (cheap; from course data only)."""
        ...

    def learner_outline(self, user: Any, course_key: CourseKey) -> list[BlockInfo]:
        """``outline`` as this learner sees it: blocks hidden from them left out, locked ones not
        completable."""
        ...


@runtime_checkable
class EnrollmentModes(Protocol):
    """Optional: the learner's enrollment mode, sent with the openedx-events the plugin emits."""

    def enrollment_mode(self, user: Any, course_key: CourseKey) -> str:
        """The learner's enrollment mode slug in the course ("audit", "verified", "honor"...)."""
        ...


@runtime_checkable
class SiteLinks(Protocol):
    """Optional: pages of the LMS that the plugin's pages link to, so a learner is never stuck there.

    A host without them gets a link to the site's root ("/") for the courses and no
    link for the profile (the help then names "Edit profile" in words only).
    """

    def home_url(self) -> str:
        """The learner's home in the LMS: their courses (absolute, or a path on this site)."""
        ...

    def account_url(self) -> str:
        """Where a learner edits their profile, the full name certificates print ("Edit profile")."""
        ...
