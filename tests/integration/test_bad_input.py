"""Bad input gets a clear message and changes nothing."""

from __future__ import annotations

import logging

import pytest
from completion.models import BlockCompletion
from opaque_keys.edx.keys import CourseKey
from openedx_events.learning.data import (
    CourseData,
    CoursePassingStatusData,
    PersistentCourseGradeData,
    UserData,
    UserPersonalData,
)
from openedx_events.learning.signals import COURSE_PASSING_STATUS_UPDATED, PERSISTENT_GRADE_SUMMARY_CHANGED

from cert_plugin import api
from cert_plugin.models import AuditEvent, Certificate, CourseCertificateConfig


@pytest.mark.parametrize("bad", ["", "   ", "course-v1:", "not a key", "block-v1:Org+C+R+type@html+block@x"])
def test_malformed_course_keys_are_refused_clearly(lms, bad):
    course = lms.course()
    learner = lms.learner(course)
    for call in (lambda: api.get_progress(learner, bad), lambda: api.configure_course(bad),
                 lambda: api.evaluate(learner, bad), lambda: api.backfill(bad),
                 lambda: api.issue(learner, bad)):
        with pytest.raises(api.InvalidCourseKey, match="is not a valid course key"):
            call()
    assert CourseCertificateConfig.objects.count() == 0


def test_unknown_course_is_refused_clearly(lms):
    course = lms.course()
    learner = lms.learner(course)
    with pytest.raises(api.UnknownCourse, match="The LMS has no course course-v1:Ghost"):
        api.configure_course("course-v1:Ghost+X+2026")
    with pytest.raises(api.UnknownCourse):
        api.issue(learner, "course-v1:Ghost+X+2026")
    assert CourseCertificateConfig.objects.count() == 0
    assert Certificate.objects.count() == 0


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"min_completion": 1.5}, "completion"),
        ({"min_grade": -0.1}, "grade"),
        ({"min_quiz_score": 2}, "quiz"),
        ({"required_quizzes": ["block-v1:Northwind+X+2026+type@problem+block@nope"]}, "graded"),
        ({"validity_days": 0}, "Validity"),
        ({"additional_requirements": [{"key": "a", "label": "A"}, {"key": "a", "label": "B"}]}, "a"),
        ({"template": "No such design"}, "no certificate template named"),
    ],
)
def test_invalid_requirements_are_refused_and_nothing_is_saved(lms, options, message):
    course = lms.course()
    with pytest.raises(ValueError, match=message):
        api.configure_course(course.course_key, **options)
    assert CourseCertificateConfig.objects.count() == 0
    assert AuditEvent.objects.count() == 0


def _course_data(key):
    return CourseData(course_key=CourseKey.from_string(key), display_name="Ghost")


def test_events_for_unknown_learners_or_courses_are_logged_and_ignored(lms, caplog):
    course = lms.course()
    api.configure_course(course.course_key)
    caplog.set_level(logging.WARNING, logger="cert_plugin")

    COURSE_PASSING_STATUS_UPDATED.send_event(course_passing_status=CoursePassingStatusData(
        is_passing=True, course=CourseData(course_key=course.course_key),
        user=UserData(id=987654, is_active=True, pii=UserPersonalData(username="g", email="g@x", name=""))))
    PERSISTENT_GRADE_SUMMARY_CHANGED.send_event(grade=PersistentCourseGradeData(
        user_id=987654, course=CourseData(course_key=course.course_key), course_edited_timestamp=None,
        course_version="", grading_policy_hash="", percent_grade=1.0, letter_grade="A",
        passed_timestamp=None))
    learner = lms.learner(course)
    COURSE_PASSING_STATUS_UPDATED.send_event(course_passing_status=CoursePassingStatusData(
        is_passing=True, course=_course_data("course-v1:Ghost+X+2026"),
        user=UserData(id=learner.id, is_active=True,
                      pii=UserPersonalData(username="l", email="l@x", name=""))))

    assert "unknown user id 987654" in caplog.text
    assert Certificate.objects.count() == 0


def test_completion_of_a_library_block_is_ignored(lms, caplog):
    """edx-completion also records blocks in content libraries, whose context is not a course."""
    course = lms.course()
    api.configure_course(course.course_key)
    learner = lms.learner(course)
    from opaque_keys.edx.keys import UsageKey

    key = UsageKey.from_string("lb:Northwind:lib1:html:intro")
    BlockCompletion.objects.submit_completion(user=learner, block_key=key, completion=1.0)
    assert Certificate.objects.count() == 0
