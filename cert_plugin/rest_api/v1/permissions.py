"""Who may do what in REST API v1.

* A certificate the caller may not see (``api.can_view``: owner, course staff,
  or anyone once it is public) answers **404**, exactly like a code that does
  not exist, so the API never reveals that a certificate exists. Those checks
  live in the views, before these permissions run on the object.
* A certificate the caller may see but not act on answers **403**: staff or a
  visitor publishing someone else's certificate; the owner revoking their own.
* Course endpoints answer **404** for a malformed course key and **403** to
  anyone but the course's staff (``Host.is_course_staff``: in Open edX global
  staff and the course's or organization's staff and instructors).
"""

from __future__ import annotations

from typing import Any

from opaque_keys.edx.keys import CourseKey
from rest_framework.exceptions import NotFound
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from cert_plugin import api

__all__ = ["IsCertificateOwner", "IsCourseStaff", "IsStaffOfObjectCourse", "course_key_of"]


def course_key_of(view: Any) -> CourseKey:
    """The ``course_key`` of the URL; 404 (JSON) when it is not a course key at all."""
    try:
        return api.parse_course_key(view.kwargs["course_key"])
    except api.InvalidCourseKey as exc:
        raise NotFound(str(exc)) from None


def _is_staff(user: Any, course_key: CourseKey) -> bool:
    return bool(getattr(user, "is_authenticated", False) and api.get_host().is_course_staff(user, course_key))


class IsCourseStaff(BasePermission):
    """The caller is staff of the course named in the URL."""

    message = "Only the course's staff can do this."

    def has_permission(self, request: Request, view: Any) -> bool:
        return _is_staff(request.user, course_key_of(view))


class IsStaffOfObjectCourse(BasePermission):
    """The caller is staff of the object's course (a certificate's or a job's)."""

    message = "Only the course's staff can do this."

    def has_object_permission(self, request: Request, view: Any, obj: Any) -> bool:
        return _is_staff(request.user, obj.course_key)


class IsCertificateOwner(BasePermission):
    """The caller is the learner who earned the certificate."""

    message = "Only the learner who earned this certificate can do this."

    def has_object_permission(self, request: Request, view: Any, obj: Any) -> bool:
        return bool(request.user.is_authenticated and request.user.pk == obj.user_id)
