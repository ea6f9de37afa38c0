"""DevHost answers the plugin's questions from the demo LMS's tables."""

from __future__ import annotations

from decimal import Decimal

import pytest
from completion.models import BlockCompletion
from django.contrib.auth import get_user_model
from opaque_keys.edx.keys import CourseKey

from cert_plugin.host.base import BlockInfo, CourseInfo, GradeInfo, Host, LearnerInfo
from devhost.lms.grading import record_quiz
from devhost.lms.host import DevHost
from devhost.lms.models import CourseStaff, Enrollment, Profile

from .conftest import KEY

pytestmark = pytest.mark.django_db
COURSE_KEY = CourseKey.from_string(KEY)


def test_is_a_host():
    assert isinstance(DevHost(), Host)


def test_course_facts(course):
    assert DevHost().course(COURSE_KEY) == CourseInfo(
        course_key=COURSE_KEY, title="Testing 101", org="Northwind", hours=Decimal("6.5"), language="en",
        passing_grade=0.6,  # the course's grade cutoff, which "Pass the course" states
    )
    assert DevHost().course(KEY) is not None  # the string form works too


def test_unknown_course_is_none(db):
    assert DevHost().course(CourseKey.from_string("course-v1:Nobody+X+1")) is None
    assert DevHost().outline(CourseKey.from_string("course-v1:Nobody+X+1")) == []


def test_outline_in_position_order(course, blocks):
    outline = DevHost().outline(COURSE_KEY)
    assert [b.title for b in outline] == ["Lesson 1", "Lesson 2", "Quiz A", "Quiz B"]
    assert outline[0] == BlockInfo(usage_key=blocks["Lesson 1"].usage_key, title="Lesson 1",
                                   completable=True, graded=False, assignment_type="")
    assert outline[2] == BlockInfo(usage_key=blocks["Quiz A"].usage_key, title="Quiz A",
                                   completable=False, graded=True, assignment_type="Quiz")


def test_learner_from_profile_then_user(learner):
    assert DevHost().learner(learner) == LearnerInfo(full_name="Amelia Okafor", email="amelia@example.com",
                                                     language="fr")
    Profile.objects.filter(user=learner).update(full_name="")
    assert DevHost().learner(learner).full_name == "Amy O"
    bare = get_user_model().objects.create_user("kenji", email="k@example.com")
    assert DevHost().learner(bare) == LearnerInfo(full_name="kenji", email="k@example.com", language="en")


def test_grade_is_weighted_average_of_quizzes(learner, blocks):
    host = DevHost()
    assert host.grade(learner, COURSE_KEY) == GradeInfo(
        percent=0.0, passed=False,
        scores={str(blocks["Quiz A"].usage_key): 0.0, str(blocks["Quiz B"].usage_key): 0.0},
    )
    record_quiz(learner, blocks["Quiz A"], [0, 0, 1, 1])  # 50%, weight 1
    grade = host.grade(learner, COURSE_KEY)
    assert grade.percent == pytest.approx(0.125)  # Quiz B unattempted counts 0, weight 3
    assert not grade.passed
    record_quiz(learner, blocks["Quiz B"], [1])  # 100%, weight 3
    grade = host.grade(learner, COURSE_KEY)
    assert grade.percent == pytest.approx((0.5 + 3) / 4)
    assert grade.passed
    assert grade.scores == {str(blocks["Quiz A"].usage_key): 0.5, str(blocks["Quiz B"].usage_key): 1.0}


def test_grade_of_unknown_course(learner):
    nobody = CourseKey.from_string("course-v1:Nobody+X+1")
    assert DevHost().grade(learner, nobody) == GradeInfo(0.0, False, {})


def test_latest_quiz_submission_counts(learner, blocks):
    record_quiz(learner, blocks["Quiz B"], [1])
    record_quiz(learner, blocks["Quiz B"], [0])
    assert DevHost().grade(learner, COURSE_KEY).scores[str(blocks["Quiz B"].usage_key)] == 0.0


def test_completed_blocks_only_full_completions(learner, blocks):
    BlockCompletion.objects.submit_completion(user=learner, block_key=blocks["Lesson 1"].usage_key,
                                              completion=1.0)
    BlockCompletion.objects.submit_completion(user=learner, block_key=blocks["Lesson 2"].usage_key,
                                              completion=0.5)
    assert DevHost().completed_blocks(learner, COURSE_KEY) == {blocks["Lesson 1"].usage_key}
    assert DevHost().completed_blocks(learner, CourseKey.from_string("course-v1:Other+X+1")) == set()


def test_bulk_reads_answer_as_the_single_ones(course, learner, blocks):
    other = get_user_model().objects.create_user("kenji")
    Enrollment.objects.create(user=other, course=course)
    record_quiz(learner, blocks["Quiz A"], [0, 0, 1, 1])
    record_quiz(other, blocks["Quiz B"], [1])
    BlockCompletion.objects.submit_completion(user=other, block_key=blocks["Lesson 2"].usage_key,
                                              completion=1.0)
    host = DevHost()
    users = [learner, other]
    assert host.grades_for(users, COURSE_KEY) == {u.pk: host.grade(u, COURSE_KEY) for u in users}
    assert host.completed_blocks_for(users, COURSE_KEY) == {u.pk: host.completed_blocks(u, COURSE_KEY)
                                                            for u in users}
    assert host.grades_for(users, CourseKey.from_string("course-v1:Nobody+X+1")) == {}


def test_enrolled_learners_are_the_active_ones(course, learner):
    gone = get_user_model().objects.create_user("gone")
    Enrollment.objects.create(user=gone, course=course, is_active=False)
    assert list(DevHost().enrolled_learners(COURSE_KEY)) == [learner]


def test_course_staff(course, learner):
    host = DevHost()
    assert not host.is_course_staff(learner, COURSE_KEY)
    teacher = get_user_model().objects.create_user("teacher")
    CourseStaff.objects.create(user=teacher, course=course)
    assert host.is_course_staff(teacher, COURSE_KEY)
    assert not host.is_course_staff(teacher, CourseKey.from_string("course-v1:Other+X+1"))
    admin = get_user_model().objects.create_user("ops", is_staff=True)
    assert host.is_course_staff(admin, COURSE_KEY)



def test_staff_courses_are_the_courses_is_course_staff_lets_in(course, learner):
    """The staff index's list (issue 14, point 8): a teacher's courses, every course for site staff."""
    from django.contrib.auth.models import AnonymousUser

    from cert_plugin.host.base import StaffCourses
    from devhost.lms.models import Course

    host = DevHost()
    assert isinstance(host, StaffCourses)
    other = Course.objects.create(course_key="course-v1:Contoso+X1+2026", title="Another", org="Contoso")
    teacher = get_user_model().objects.create_user("teacher")
    CourseStaff.objects.create(user=teacher, course=course)
    admin = get_user_model().objects.create_user("ops", is_staff=True)

    assert host.staff_courses(teacher) == [host.course(COURSE_KEY)]
    assert [info.title for info in host.staff_courses(admin)] == ["Another", "Testing 101"]
    assert host.staff_courses(admin)[0] == host.course(other.course_key)
    assert host.staff_courses(learner) == []
    assert host.staff_courses(AnonymousUser()) == []
