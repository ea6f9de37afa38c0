"""Stand-in for edx-platform ``xmodule/tabs.py`` (the parts a course-tab plugin relies on).

``CourseTab`` keeps the real class attributes, ``__init__(tab_dict)``, the
``link_func`` property (``link_func(course, reverse_func)``), ``is_enabled(course,
user=None)``, dict-style access and ``to_json``; ``course_reverse_func`` as real.
"""

from abc import ABCMeta


class CourseTab(metaclass=ABCMeta):  # noqa: B024  (as in edx-platform)
    type = ""
    title = None
    body_class = None
    online_help_token = None
    is_hideable = False
    is_hidden = False
    priority = None
    is_movable = False
    is_collection = False
    is_dynamic = False
    is_default = True
    allow_multiple = False
    view_name = None
    course_staff_only = False
    supports_preview_menu = False

    def __init__(self, tab_dict):
        super().__init__()
        self.name = tab_dict.get("name", self.title)
        self.tab_id = tab_dict.get("tab_id", getattr(self, "tab_id", self.type))
        self.course_staff_only = tab_dict.get("course_staff_only", False)
        self.is_hidden = tab_dict.get("is_hidden", False)
        self.tab_dict = tab_dict

    @property
    def link_func(self):
        return self.tab_dict.get("link_func", course_reverse_func(self.view_name))

    @classmethod
    def is_enabled(cls, course, user=None):
        raise NotImplementedError()

    def get(self, key, default=None):
        try:
            return self[key]
        except KeyError:
            return default

    def __getitem__(self, key):
        if hasattr(self, key):
            return getattr(self, key, None)
        raise KeyError(f"Key {key} not present in tab {self.to_json()}")

    def to_json(self):
        to_json_val = {"type": self.type, "name": self.name, "course_staff_only": self.course_staff_only}
        if self.is_hidden:
            to_json_val.update({"is_hidden": True})
        return to_json_val


def course_reverse_func(reverse_name):
    return course_reverse_func_from_name_func(lambda course: reverse_name)


def course_reverse_func_from_name_func(reverse_name_func):
    return lambda course, reverse_url_func: reverse_url_func(reverse_name_func(course), args=[str(course.id)])
