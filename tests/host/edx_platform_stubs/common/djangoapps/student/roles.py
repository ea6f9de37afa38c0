"""Stand-in for edx-platform ``common/djangoapps/student/roles.py``.

Same classes and signatures (``GlobalStaff().has_user(user)``,
``CourseStaffRole(course_key)``, ``OrgStaffRole(org)``,
``RoleBase.has_user(user, check_user_activation=True)``, ``add_users``,
``remove_users``); the ``CourseAccessRole`` rows they add and read are the in-memory ones of
the ``common.djangoapps.student.models`` stand-in, as the real roles use that model.
"""

from common.djangoapps.student.models import CourseAccessRole


class AccessRole:
    def has_user(self, user):
        return False


class GlobalStaff(AccessRole):
    """The global staff role."""

    def has_user(self, user):
        return bool(user and user.is_staff)


class RoleBase(AccessRole):
    """Roles by type (e.g., instructor, beta_user) and optionally org, course_key."""

    def __init__(self, role_name, org="", course_key=None):
        super().__init__()
        self.org = org
        self.course_key = course_key
        self._role_name = role_name

    def has_user(self, user, check_user_activation=True):
        if check_user_activation and not (user.is_authenticated and user.is_active):
            return False
        return any(row.org.lower() == self.org.lower()
                   for row in CourseAccessRole.objects.filter(user=user, role=self._role_name,
                                                              course_id=self.course_key))

    def add_users(self, *users):
        for user in users:
            if user.is_authenticated and user.is_active:
                CourseAccessRole.objects.create(user=user, role=self._role_name, org=self.org,
                                                course_id=self.course_key)

    def remove_users(self, *users):
        for user in users:
            for row in CourseAccessRole.objects.filter(user=user, role=self._role_name, org=self.org,
                                                       course_id=self.course_key):
                row.delete()


class CourseRole(RoleBase):
    """A named role in a particular course."""

    def __init__(self, role, course_key):
        super().__init__(role, course_key.org, course_key)


class OrgRole(RoleBase):
    """A named role in a particular org independent of course."""


class CourseStaffRole(CourseRole):
    ROLE = "staff"

    def __init__(self, *args, **kwargs):
        super().__init__(self.ROLE, *args, **kwargs)


class CourseInstructorRole(CourseRole):
    ROLE = "instructor"

    def __init__(self, *args, **kwargs):
        super().__init__(self.ROLE, *args, **kwargs)


class CourseBetaTesterRole(CourseRole):
    ROLE = "beta_testers"

    def __init__(self, *args, **kwargs):
        super().__init__(self.ROLE, *args, **kwargs)


class OrgStaffRole(OrgRole):
    def __init__(self, *args, **kwargs):
        super().__init__("staff", *args, **kwargs)


class OrgInstructorRole(OrgRole):
    def __init__(self, *args, **kwargs):
        super().__init__("instructor", *args, **kwargs)
