"""Stand-in for edx-platform ``lms/djangoapps/grades/course_grade_factory.py``.

``CourseGradeFactory().read(...)`` has the real signature; it returns the grade
the tests stored in ``_GRADES`` for (user id, course key), else a zero grade
(as the real one does when nothing is persisted and ASSUME_ZERO_GRADE_IF_ABSENT).
``iter(...)`` has the real signature and yields a ``GradeResult`` per user, with
the error (and no grade) for a user id listed in ``_FAILING``, as the real one
does for a learner it cannot grade.
"""

from collections import namedtuple

from .course_grade import ZeroCourseGrade

_GRADES = {}  # (user id, CourseKey) -> CourseGrade
_FAILING = set()  # user ids whose grading raises inside iter()


class CourseGradeFactory:
    """Factory class to create Course Grade objects."""

    GradeResult = namedtuple("GradeResult", ["student", "course_grade", "error"])

    def read(
        self,
        user,
        course=None,
        collected_block_structure=None,
        course_structure=None,
        course_key=None,
        create_if_needed=True,
    ):
        if not any((course, collected_block_structure, course_structure, course_key)):
            raise ValueError(
                "You must specify one of course, collected_block_structure, structure, or course_key "
                "to this method."
            )
        key = course_key if course_key is not None else course.id
        grade = _GRADES.get((user.id, key))
        if grade is None:
            return ZeroCourseGrade(user, None) if create_if_needed else None
        return grade

    def iter(self, users, course=None, collected_block_structure=None, course_key=None, force_update=False):
        for user in users:
            if user.id in _FAILING:
                yield self.GradeResult(user, None, RuntimeError(f"cannot grade user {user.id}"))
            else:
                grade = self.read(user, course=course, collected_block_structure=collected_block_structure,
                                  course_key=course_key)
                yield self.GradeResult(user, grade, None)
