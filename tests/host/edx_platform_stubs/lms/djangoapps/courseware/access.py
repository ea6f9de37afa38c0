"""Stand-in for edx-platform ``lms/djangoapps/courseware/access.py``.

``has_access(user, action, obj, course_key=None)``, here only the ``"staff"`` action on a
course: global staff, course staff or course instructor.
"""

from common.djangoapps.student.roles import CourseInstructorRole, CourseStaffRole, GlobalStaff


def has_access(user, action, obj, course_key=None):
    if action != "staff":
        raise NotImplementedError(f"the stand-in only knows the 'staff' action, not {action!r}")
    key = course_key or obj.id
    return bool(GlobalStaff().has_user(user) or CourseStaffRole(key).has_user(user)
                or CourseInstructorRole(key).has_user(user))
