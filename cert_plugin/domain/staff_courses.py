"""The staff index's read model (``/certs/staff/``): the courses a user teaches, with their counts.

Owns ``taught_courses`` (which courses: the host's optional ``staff_courses``,
else every course with certificate settings that ``is_course_staff`` lets the
user into), ``teaches_courses`` and ``staff_index`` (one page of them, each
with whether it offers a certificate, how many current certificates it has and
how many learners await approval, read for the whole page in three queries
whatever its length, and whether the user may use the template editor). Reads
only; writes nothing.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from cert_plugin.domain.shared import get_host, is_site_staff
from cert_plugin.host.base import CourseInfo, StaffCourses
from cert_plugin.models import Approval, Certificate, CourseCertificateConfig

__all__ = ["StaffIndex", "TaughtCourse", "staff_index", "taught_courses", "teaches_courses"]

STAFF_INDEX_PER_PAGE = 50  # courses per page of the staff index


@dataclass(frozen=True)
class TaughtCourse:
    """One course on the staff index."""

    info: CourseInfo  # the host's course: key, title, org
    offered: bool | None  # certificates on (True) or off (False); None: no certificate settings yet
    requires_approval: bool  # staff approve each certificate
    issued: int  # current certificates: active, not revoked, not expired
    awaiting: int  # learners who met everything but approval and hold no current certificate


@dataclass(frozen=True)
class StaffIndex:
    """A page of the courses a user teaches (search applied), with the counts of each."""

    rows: tuple[TaughtCourse, ...]
    total: int  # courses matching the search
    page: int
    pages: int
    teaches: int  # courses the user teaches, before the search
    # may use the template editor: the rule of ``can_use_template_editor`` (site staff, or staff of a
    # course with certificate settings), read from the courses taught in one query
    may_edit_templates: bool = False


def taught_courses(user: Any) -> list[CourseInfo]:
    """The courses ``user`` is course staff of, by title.

    From the host's ``staff_courses`` when it has it (read in bulk); otherwise
    every course that has certificate settings, kept where ``is_course_staff``
    says yes (one host call per such course: fine for small sites, which is
    where a host without the method runs).
    """
    if not getattr(user, "is_authenticated", False):
        return []
    host = get_host()
    if isinstance(host, StaffCourses):
        found: Iterable[CourseInfo] = host.staff_courses(user)
    else:
        keys = CourseCertificateConfig.objects.order_by("course_key").values_list("course_key", flat=True)
        infos = (host.course(key) for key in keys if host.is_course_staff(user, key))
        found = [info for info in infos if info is not None]
    unique = {str(info.course_key): info for info in found}
    return sorted(unique.values(), key=lambda info: (info.title.casefold(), str(info.course_key)))


def teaches_courses(user: Any) -> int:
    """How many courses ``user`` is course staff of (0 for a learner or a visitor)."""
    return len(taught_courses(user))


def staff_index(user: Any, *, search: str = "", page: int = 1,
                per_page: int = STAFF_INDEX_PER_PAGE) -> StaffIndex:
    """One page of the courses ``user`` teaches whose title, key or organization contains ``search``
    (any case), with each one's certificate counts; ``page`` is clamped to the pages there are."""
    courses = taught_courses(user)
    needle = search.strip().casefold()
    matching = [info for info in courses if not needle or any(
        needle in text.casefold() for text in (info.title, str(info.course_key), info.org))]
    pages = max(1, math.ceil(len(matching) / per_page))
    page = min(max(1, page), pages)
    shown = matching[(page - 1) * per_page: page * per_page]
    may_edit = is_site_staff(user) or (bool(courses) and CourseCertificateConfig.objects.filter(
        course_key__in=[info.course_key for info in courses]).exists())
    return StaffIndex(rows=tuple(_with_counts(shown)), total=len(matching), page=page, pages=pages,
                      teaches=len(courses), may_edit_templates=may_edit)


def _with_counts(courses: list[CourseInfo]) -> list[TaughtCourse]:
    """The courses with their settings and counts: three grouped queries for the whole page."""
    if not courses:
        return []
    keys = [info.course_key for info in courses]
    settings = {str(key): (enabled, approval) for key, enabled, approval in CourseCertificateConfig.objects
                .filter(course_key__in=keys).values_list("course_key", "enabled", "requires_approval")}
    now = timezone.now()
    current = Q(active=True, state=Certificate.ISSUED) & (Q(expires_at__isnull=True) | Q(expires_at__gt=now))
    issued = _per_course(Certificate.objects.filter(current, course_key__in=keys))
    holds = Certificate.objects.filter(current, course_key=OuterRef("course_key"),
                                       user_id=OuterRef("user_id"))
    revoked = Certificate.objects.filter(course_key=OuterRef("course_key"), user_id=OuterRef("user_id"),
                                         state=Certificate.REVOKED)
    active = Certificate.objects.filter(course_key=OuterRef("course_key"), user_id=OuterRef("user_id"),
                                        active=True)
    # as the dashboard's "Awaiting approval": not once a current certificate is held or the certificate
    # was revoked (a revoked learner is not awaiting anything)
    awaiting = _per_course(Approval.objects.filter(course_key__in=keys, decision=Approval.AWAITING)
                           .exclude(Exists(holds)).exclude(Exists(revoked) & ~Exists(active)))
    rows = []
    for info in courses:
        key = str(info.course_key)
        enabled, approval = settings.get(key, (None, False))
        rows.append(TaughtCourse(info=info, offered=enabled, requires_approval=bool(approval),
                                 issued=issued.get(key, 0), awaiting=awaiting.get(key, 0)))
    return rows


def _per_course(rows: Any) -> dict[str, int]:
    """``{course key string: count}`` of a queryset with a ``course_key`` (one GROUP BY query)."""
    counted = (rows.order_by().values("course_key").annotate(count=Count("id"))
               .values_list("course_key", "count"))
    return {str(key): count for key, count in counted}
