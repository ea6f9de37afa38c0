"""Stand-in for edx-platform ``openedx/core/djangoapps/content/course_overviews/models.py``.

Mirrors what the adapter uses of ``CourseOverview``: the ``get_from_id``
classmethod (raising ``CourseOverview.DoesNotExist`` for an unknown course), the
``get_all_courses(orgs=None, filter_=None)`` classmethod (organizations matched
in any case; ``filter_`` here only ``{"id__in": [...]}``, with keys or their
strings, as a ``CourseKeyField`` lookup takes either) and
the fields ``id``, ``org``, ``display_name``, ``display_org_with_default``,
``effort``, ``language``, ``lowest_passing_grade`` (a ``DecimalField``: the
lowest cutoff of the grading policy, or None) plus the
``display_name_with_default`` property.
``save()`` stores the overview in an in-memory registry instead of the database.
"""

from django.core.exceptions import ObjectDoesNotExist

_OVERVIEWS = {}  # CourseKey -> CourseOverview


class CourseOverview:
    """Basic course metadata, as cached by the LMS."""

    class DoesNotExist(ObjectDoesNotExist):
        pass

    def __init__(
        self,
        id,
        org="",
        display_name=None,
        display_org_with_default="",
        effort=None,
        language=None,
        lowest_passing_grade=None,
    ):
        self.id = id
        self.org = org
        self.display_name = display_name
        self.display_org_with_default = display_org_with_default
        self.effort = effort
        self.language = language
        self.lowest_passing_grade = lowest_passing_grade

    @property
    def display_name_with_default(self):
        """``xmodule.block_metadata_utils.display_name_with_default``: the url name when
        display_name is None."""
        return self.display_name if self.display_name is not None else "course"

    def save(self):
        _OVERVIEWS[self.id] = self

    @classmethod
    def get_from_id(cls, course_id):
        try:
            return _OVERVIEWS[course_id]
        except KeyError:
            raise cls.DoesNotExist() from None

    @classmethod
    def get_all_courses(cls, orgs=None, filter_=None):
        """Every overview, or those of ``orgs`` (any case) and matching ``filter_``."""
        found = list(_OVERVIEWS.values())
        if orgs:
            wanted = {org.lower() for org in orgs}
            found = [overview for overview in found if overview.org.lower() in wanted]
        for lookup, value in (filter_ or {}).items():
            if lookup != "id__in":
                raise TypeError(f"the CourseOverview stand-in has no lookup {lookup!r}")
            keys = {str(key) for key in value}
            found = [overview for overview in found if str(overview.id) in keys]
        return found
