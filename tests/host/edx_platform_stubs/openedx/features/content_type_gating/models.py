"""Stand-in for edx-platform ``openedx/features/content_type_gating/models.py``.

``ContentTypeGatingConfig.enabled_for_course(course_key, target_datetime=None)`` with the real
signature; courses with gating on are listed in ``_ENABLED`` instead of configuration rows.
"""

_ENABLED = set()  # CourseKeys with content type gating on


class ContentTypeGatingConfig:
    """A ConfigurationModel used to manage content type gating for audit learners."""

    @classmethod
    def enabled_for_course(cls, course_key, target_datetime=None):
        return course_key in _ENABLED
