"""Stand-in for edx-platform ``common/djangoapps/student/models/`` (``course_enrollment.py``, ``user.py``).

``CourseEnrollment.objects.users_enrolled_in(course_id, include_inactive=False,
verified_only=False)`` returns a real ``User`` queryset, as the real manager
does, from enrollments kept in memory (``CourseEnrollment.enroll``/``unenroll``).
``enrollment_mode_for_user(user, course_id)`` returns ``(mode, is_active)``, or ``(None, None)``
without an enrollment row, as the real classmethod does.
``UserProfile`` is reached by the adapter as ``user.profile``; tests attach one.
``CourseAccessRole`` (``user``, ``org``, ``course_id``, ``role``: a blank ``course_id``
is an org-wide role) keeps its rows in memory; the role classes of
``common.djangoapps.student.roles`` add and read them, as the real ones do, and
``CourseAccessRole.objects.filter(...)`` answers the lookups the adapter uses.
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


_ACCESS_ROLES = []  # CourseAccessRole rows


class CourseAccessRoleManager:
    """``CourseAccessRole.objects`` (the real one is a ``NoneToEmptyManager``): ``filter`` on its fields,
    with ``__in`` lookups. Another lookup raises TypeError, so an adapter relying on more fails here."""

    _FIELDS = ("user", "user_id", "org", "course_id", "role")

    def filter(self, **lookups):
        def matches(row, lookup, wanted):
            field, _, operator = lookup.partition("__")
            if field not in self._FIELDS or operator not in ("", "in"):
                raise TypeError(f"the CourseAccessRole stand-in has no lookup {lookup!r}")
            value = row.user.id if field == "user_id" else getattr(row, field)
            if field == "user" and operator == "":
                return value.id == wanted.id
            return value in wanted if operator == "in" else value == wanted

        return [row for row in _ACCESS_ROLES if all(matches(row, k, v) for k, v in lookups.items())]

    def create(self, user, org="", course_id=None, role=""):
        row = CourseAccessRole(user=user, org=org, course_id=course_id, role=role)
        if not self.filter(user=user, org=org, course_id=course_id, role=role):
            _ACCESS_ROLES.append(row)
        return row


class CourseAccessRole:
    """Maps users to org, courses, and roles (``unique_together`` user, org, course_id, role).

    A row without a ``course_id`` gives the role over all courses in the org.
    """

    objects = CourseAccessRoleManager()

    def __init__(self, user, org="", course_id=None, role=""):
        self.user = user
        self.org = org
        self.course_id = course_id
        self.role = role

    def delete(self):
        if self in _ACCESS_ROLES:
            _ACCESS_ROLES.remove(self)
