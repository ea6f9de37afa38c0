"""Stand-in for edx-platform ``lms/djangoapps/grades/course_grade.py`` (and ``subsection_grade.py``).

``CourseGrade`` keeps the real constructor and the public reading API the
adapter uses: ``percent``, ``passed``, ``letter_grade``, ``chapter_grades``
(chapter key -> {"display_name", "url_name", "sections": [SubsectionGrade]}),
``graded_subsections_by_format(visible_grades_only=False,
has_staff_access=False)`` with the real filtering (graded, possible > 0), and
``problem_scores`` (the lazy property: usage key -> ``xmodule.graders.ProblemScore``
gathered from every subsection grade).
"""

from collections import OrderedDict, defaultdict

from xmodule.graders import AggregatedScore, aggregate_scores


class SubsectionGrade:
    """``lms.djangoapps.grades.subsection_grade`` (Create/ReadSubsectionGrade), reduced to what is read.

    Built either from its ``problem_scores`` (usage key -> ProblemScore; totals by the real
    ``aggregate_scores``), or, for tests of subsection totals alone, from ``earned``/``possible``.
    """

    def __init__(self, location, display_name, graded, format, earned=0, possible=0, problem_scores=None):
        self.location = location
        self.display_name = display_name
        self.graded = graded
        self.format = format
        self.problem_scores = OrderedDict(problem_scores or {})
        if problem_scores is not None:
            self.all_total, self.graded_total = aggregate_scores(list(self.problem_scores.values()))
        else:
            graded_earned, graded_possible = (earned, possible) if graded else (0, 0)
            self.graded_total = AggregatedScore(graded_earned, graded_possible, graded, None)
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

    @property
    def problem_scores(self):
        """A dict of problem scores keyed by their locations."""
        problem_scores = {}
        for chapter in self.chapter_grades.values():
            for subsection_grade in chapter["sections"]:
                problem_scores.update(subsection_grade.problem_scores)
        return problem_scores

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
