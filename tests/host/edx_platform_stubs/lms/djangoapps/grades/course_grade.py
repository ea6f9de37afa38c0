"""Stand-in for edx-platform ``lms/djangoapps/grades/course_grade.py`` (and the score shapes it uses).

``CourseGrade`` keeps the real constructor and the public reading API the
adapter uses: ``percent``, ``passed``, ``letter_grade``, ``chapter_grades``
(chapter key -> {"display_name", "url_name", "sections": [SubsectionGrade]})
and ``graded_subsections_by_format(visible_grades_only=False,
has_staff_access=False)`` with the real filtering (graded, possible > 0).
"""

from collections import OrderedDict, defaultdict


class AggregatedScore:
    """``xmodule.graders.AggregatedScore``: the weighted total of a subsection."""

    def __init__(self, tw_earned, tw_possible, graded, first_attempted):
        self.earned = tw_earned
        self.possible = tw_possible
        self.graded = graded
        self.first_attempted = first_attempted


class SubsectionGrade:
    """``lms.djangoapps.grades.subsection_grade.SubsectionGrade``, reduced to what is read."""

    def __init__(self, location, display_name, graded, format, earned, possible):
        self.location = location
        self.display_name = display_name
        self.graded = graded
        self.format = format
        self.graded_total = AggregatedScore(earned if graded else 0, possible if graded else 0, graded, None)
        self.all_total = AggregatedScore(earned, possible, False, None)

    def show_grades(self, has_staff_access):
        return True


class CourseGrade:
    """A learner's course grade."""

    def __init__(
        self,
        user,
        course_data,
        percent=0.0,
        letter_grade=None,
        passed=False,
        force_update_subsections=False,
        last_updated=None,
    ):
        self.user = user
        self.course_data = course_data
        self.percent = percent
        self.passed = passed
        self.letter_grade = letter_grade or None
        self.force_update_subsections = force_update_subsections
        self.last_updated = last_updated
        self.chapter_grades = OrderedDict()

    def graded_subsections_by_format(self, visible_grades_only=False, has_staff_access=False):
        subsections_by_format = defaultdict(OrderedDict)
        for chapter in self.chapter_grades.values():
            for subsection_grade in chapter["sections"]:
                is_visible = not visible_grades_only or subsection_grade.show_grades(has_staff_access)
                if subsection_grade.graded and is_visible:
                    graded_total = subsection_grade.graded_total
                    if graded_total.possible > 0:
                        by_location = subsections_by_format[subsection_grade.format]
                        by_location[subsection_grade.location] = subsection_grade
        return subsections_by_format


class ZeroCourseGrade(CourseGrade):
    """The grade of a learner who attempted nothing."""
