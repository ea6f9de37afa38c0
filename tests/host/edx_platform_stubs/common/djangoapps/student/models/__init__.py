"""Stand-in for edx-platform ``common/djangoapps/student/models/`` (``course_enrollment.py``, ``user.py``).

``CourseEnrollment.objects.users_enrolled_in(course_id, include_inactive=False,
verified_only=False)`` returns a real ``User`` queryset, as the real manager
does, from enrollments kept in memory (``CourseEnrollment.enroll``/``unenroll``).
``enrollment_mode_for_user(user, course_id)`` returns ``(mode, is_active)``, or ``(None, None)``
without an enrollment row, as the real classmethod does.
``UserProfile`` is reached by the adapter as ``user.profile``; tests attach one.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import ObjectDoesNotExist

_ENROLLMENTS = {}  # (user id, CourseKey) -> CourseEnrollment


class CourseEnrollmentManager:
    def users_enrolled_in(self, course_id, include_inactive=False, verified_only=False):
        user_ids = [
            user_id
            for (user_id, course_key), enrollment in _ENROLLMENTS.items()
            if course_key == course_id
            and (include_inactive or enrollment.is_active)
            and (not verified_only or enrollment.mode == "verified")
        ]
        return get_user_model().objects.filter(pk__in=user_ids)


class CourseEnrollment:
    objects = CourseEnrollmentManager()

    def __init__(self, user, course_id, mode="audit", is_active=True):
        self.user = user
        self.course_id = course_id
        self.mode = mode
        self.is_active = is_active

    @classmethod
    def enroll(cls, user, course_key, mode=None, check_access=False, can_upgrade=False, enterprise_uuid=None):
        enrollment = cls(user, course_key, mode or "audit", True)
        _ENROLLMENTS[(user.id, course_key)] = enrollment
        return enrollment

    @classmethod
    def enrollment_mode_for_user(cls, user, course_id):
        """(mode, is_active) of the learner's enrollment row; (None, None) without one."""
        enrollment = _ENROLLMENTS.get((user.id, course_id))
        if enrollment is None:
            return None, None
        return enrollment.mode, enrollment.is_active

    @classmethod
    def enrollments_for_user(cls, user):
        """Active enrollments of ``user`` (the real one returns a QuerySet with ``course_id``)."""
        return [e for (user_id, _), e in _ENROLLMENTS.items() if user_id == user.id and e.is_active]

    @classmethod
    def unenroll(cls, user, course_id, skip_refund=False):
        _ENROLLMENTS[(user.id, course_id)].is_active = False


class UserProfile:
    """The LMS's extra user data; ``user.profile`` (OneToOne, related_name="profile")."""

    class DoesNotExist(ObjectDoesNotExist):
        pass

    def __init__(self, user, name=""):
        self.user = user
        self.name = name
