"""Stand-in for edx-platform ``openedx/core/djangoapps/content/block_structure/api.py``.

``get_course_in_cache(course_key)`` returns the collected structure the tests
registered in ``_COLLECTED``; for an unknown course the real function fails in
the modulestore with ``xmodule.modulestore.exceptions.ItemNotFoundError``.
"""

from xmodule.modulestore.exceptions import ItemNotFoundError

_COLLECTED = {}  # CourseKey -> BlockStructureBlockData


def get_course_in_cache(course_key):
    try:
        return _COLLECTED[course_key]
    except KeyError:
        raise ItemNotFoundError(course_key) from None
