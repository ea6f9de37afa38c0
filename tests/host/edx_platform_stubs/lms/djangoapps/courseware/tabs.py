"""Stand-in for edx-platform ``lms/djangoapps/courseware/tabs.py``: ``EnrolledTab`` with the real rule
(an authenticated user who is enrolled, or course staff). The student stand-in has no
``CourseEnrollment.is_enrolled``, so it is answered from ``enrollments_for_user``."""

from common.djangoapps.student.models import CourseEnrollment
from xmodule.tabs import CourseTab

from lms.djangoapps.courseware.access import has_access


def _is_enrolled(user, course_key):
    return any(e.course_id == course_key for e in CourseEnrollment.enrollments_for_user(user))


class EnrolledTab(CourseTab):
    """A base class for any view types that require a user to be enrolled."""

    @classmethod
    def is_enabled(cls, course, user=None):
        return bool(user and user.is_authenticated and (
            _is_enrolled(user, course.id) or has_access(user, "staff", course, course.id)))
