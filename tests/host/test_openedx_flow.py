"""The plugin's real flow (``api`` evaluating and issuing) with ``OpenEdxHost`` as its host, against the
edx-platform stand-ins (``edx_platform_stubs/``): block structures with transformers applied, partitions,
per-problem scores. Completions are real edx-completion rows.
"""

from __future__ import annotations

from collections import OrderedDict
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from completion.models import BlockCompletion
from django.contrib.auth import get_user_model
from opaque_keys.edx.keys import CourseKey

from cert_plugin import api

COURSE = CourseKey.from_string("course-v1:DemoX+Flow101+2026")
ROOT = COURSE.make_usage_key("course", "course")
COHORTS = 50  # the cohort partition's id


def block(block_type, block_id):
    return COURSE.make_usage_key(block_type, block_id)


@pytest.fixture
def openedx(edx, settings, db, no_render_task):
    """The plugin configured with ``OpenEdxHost``, and a course overview in the stand-ins."""
    settings.CERT_PLUGIN = {**settings.CERT_PLUGIN, "HOST": "cert_plugin.host.openedx.OpenEdxHost"}
    edx.overviews.CourseOverview(id=COURSE, org="DemoX", display_name="Flow 101", effort="10").save()
    return edx


def make_structure(edx, tree, *, graded=(), problems=(), names=None):
    """A collected structure: ``tree`` parent -> children, graded subsections (Homework), scored problems."""
    structure = edx.block_structure.BlockStructureBlockData(ROOT)
    for parent, children in tree.items():
        for child in children:
            structure._add_relation(parent, child)
    for key in [ROOT, *{k for children in tree.values() for k in children}]:
        if key.block_type in ("course", "chapter", "sequential", "vertical"):
            structure.override_xblock_field(key, "completion_mode", "aggregator")
        structure.override_xblock_field(key, "display_name", (names or {}).get(key.block_id, key.block_id))
    for key in graded:
        structure.override_xblock_field(key, "graded", True)
        structure.override_xblock_field(key, "format", "Homework")
    grades = edx.grades_transformer.GradesTransformer
    for key in problems:
        structure.override_xblock_field(key, "has_score", True)
        structure.set_transformer_block_field(key, grades, "max_score", 1)
    edx.block_structure_api._COLLECTED[COURSE] = structure
    return structure


def store_problem_grade(edx, user, subsection, problem, earned, *, percent):
    """The learner's CourseGrade, its subsection grade built from the problem's ProblemScore."""
    score = edx.graders.ProblemScore(earned, 1, earned, 1, None, True, first_attempted=datetime.now(UTC))
    grade = edx.course_grade.CourseGrade(user, None, percent=percent, passed=percent >= 0.5)
    grade.chapter_grades = OrderedDict([(block("chapter", "week1"), {
        "display_name": "Week 1", "url_name": "week1", "sections": [
            edx.course_grade.SubsectionGrade(subsection, "Quiz", True, "Homework",
                                             problem_scores={problem: score})]})])
    edx.grade_factory._GRADES[(user.id, COURSE)] = grade


def complete(user, *keys):
    for key in keys:
        BlockCompletion.objects.create(user=user, context_key=COURSE, block_key=key,
                                       block_type=key.block_type, completion=1.0)


def learner(name="ana"):
    return get_user_model().objects.create_user(username=name, email=f"{name}@example.com")


# --- a required graded problem ---------------------------------------------------------------------


def _quiz_course(edx):
    return make_structure(edx, {
        ROOT: [block("chapter", "week1")],
        block("chapter", "week1"): [block("sequential", "quiz1")],
        block("sequential", "quiz1"): [block("vertical", "unit1")],
        block("vertical", "unit1"): [block("problem", "p1"), block("problem", "p2")],
    }, graded=[block("sequential", "quiz1")], problems=[block("problem", "p1"), block("problem", "p2")],
        names={"quiz1": "Quiz 1", "p1": "Ohm's law", "p2": "Kirchhoff"})


def quiz_detail(user):
    [item] = [item for item in api.get_progress(user, COURSE).items if item.key.startswith("quiz:")]
    return item.detail


def test_a_course_requiring_one_graded_problem_issues_once_that_problem_is_passed(openedx):
    _quiz_course(openedx)
    api.configure_course(COURSE, min_completion=0, min_grade=0, min_quiz_score=0.8,
                         required_quizzes=[str(block("problem", "p1"))])
    ana = learner()

    assert api.evaluate(ana, COURSE) is None
    assert quiz_detail(ana) == "Ohm's law: not attempted yet (needs 80%)"

    store_problem_grade(openedx, ana, block("sequential", "quiz1"), block("problem", "p1"), 0, percent=0.0)
    assert api.evaluate(ana, COURSE) is None
    assert quiz_detail(ana) == "Ohm's law: 0% (needs 80%)"

    store_problem_grade(openedx, ana, block("sequential", "quiz1"), block("problem", "p1"), 1, percent=0.5)
    certificate = api.evaluate(ana, COURSE)

    assert certificate is not None
    assert certificate.status == "issued"
    assert api.get_progress(ana, COURSE).status == "issued"


def test_staff_are_offered_graded_subsections_and_graded_problems(openedx):
    _quiz_course(openedx)
    graded = [(b.title, b.subsection) for b in api.get_host().outline(COURSE) if b.graded]
    assert graded == [("Quiz 1", ""), ("Ohm's law", "Quiz 1"), ("Kirchhoff", "Quiz 1")]


# --- content that differs by learner -----------------------------------------------------------------


def _cohorted_course(edx):
    """Week 1 > Lesson > [intro (everyone), unit_a (cohort A only), unit_b (cohort B only)], one html each."""
    structure = make_structure(edx, {
        ROOT: [block("chapter", "week1")],
        block("chapter", "week1"): [block("sequential", "lesson")],
        block("sequential", "lesson"): [block("vertical", "intro"), block("vertical", "unit_a"),
                                        block("vertical", "unit_b")],
        block("vertical", "intro"): [block("html", "welcome")],
        block("vertical", "unit_a"): [block("html", "for_a")],
        block("vertical", "unit_b"): [block("html", "for_b")],
    })
    partitions = edx.partitions
    groups = [partitions.Group(1, "A"), partitions.Group(2, "B")]
    cohorts = partitions.UserPartition(COHORTS, "Cohorts", "", groups, scheme_id="cohort")
    edx.user_partitions.UserPartitionTransformer.collect_merged(structure, [cohorts], {
        block("vertical", "unit_a"): {COHORTS: [1]}, block("vertical", "unit_b"): {COHORTS: [2]}})
    return structure


def test_a_learner_whose_cohort_hides_a_unit_reaches_100_percent_without_it(openedx):
    _cohorted_course(openedx)
    api.configure_course(COURSE, min_grade=0)  # every lesson
    ana = learner()
    openedx.partitions._MEMBERSHIP[(COHORTS, ana.id)] = 1  # cohort A

    complete(ana, block("html", "welcome"))
    assert api.evaluate(ana, COURSE) is None
    assert api.get_progress(ana, COURSE).items[0].detail == "1 of 2 lessons completed"

    complete(ana, block("html", "for_a"))  # unit B, of the other cohort, is not hers to complete
    certificate = api.evaluate(ana, COURSE)

    assert certificate is not None
    assert certificate.status == "issued"


def test_the_course_outline_still_lists_every_cohorts_lessons(openedx):
    _cohorted_course(openedx)
    assert api.get_host().outline_varies_by_learner(COURSE) is True
    assert [b.usage_key.block_id for b in api.get_host().outline(COURSE) if b.completable] == [
        "welcome", "for_a", "for_b"]


def test_a_backfill_builds_learner_structures_only_in_a_course_that_varies(openedx):
    _quiz_course(openedx)  # the same for everyone
    api.configure_course(COURSE, min_grade=0, backfill=False)
    for name in ("ana", "bo", "cy"):
        openedx.student.CourseEnrollment.enroll(learner(name), COURSE)

    report = api.backfill(COURSE)

    assert report.learners == 3
    assert openedx.course_blocks._CALLS == []  # no learner's block structure was read

    _cohorted_course(openedx)
    api.backfill(COURSE)
    assert len(openedx.course_blocks._CALLS) == 3  # one per learner, once the course varies


# --- hours ------------------------------------------------------------------------------------------


def test_the_certificate_prints_the_hours_staff_entered_never_the_weekly_effort(openedx):
    _quiz_course(openedx)  # the overview's effort is "10": Studio's hours *per week*
    ana, bo = learner("ana"), learner("bo")

    api.configure_course(COURSE, min_completion=0, min_grade=0, hours="42.5")
    with_hours = api.evaluate(ana, COURSE)
    api.configure_course(COURSE, min_completion=0, min_grade=0, hours=None)
    without_hours = api.evaluate(bo, COURSE)

    assert with_hours.hours == Decimal("42.5")
    assert api.verify(with_hours.verification_code).certificate.hours == Decimal("42.5")
    assert without_hours.hours is None  # not 10
