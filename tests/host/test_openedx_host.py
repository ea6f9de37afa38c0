"""OpenEdxHost against stand-ins at edx-platform's real import paths.

The stand-ins (``edx_platform_stubs/``, see its README) mirror the real
modules' names and signatures, so a wrong import path or call fails here.
edx-completion is real: completions are real rows in the test database.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import subprocess
import sys
from collections import OrderedDict
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ObjectDoesNotExist
from opaque_keys.edx.keys import CourseKey

from cert_plugin.host import openedx as openedx_host
from cert_plugin.host.base import BlockInfo, CourseInfo, GradeInfo, Host, LearnerInfo, SiteLinks
from cert_plugin.host.openedx import EdxPlatformUnavailable, OpenEdxHost

from .conftest import STUB_PACKAGES, STUBS_DIR

REPO_ROOT = Path(__file__).resolve().parents[2]

COURSE = CourseKey.from_string("course-v1:DemoX+Cert101+2025")
OTHER_COURSE = CourseKey.from_string("course-v1:DemoX+Other+2025")
ROOT = COURSE.make_usage_key("course", "course")


def block(block_type: str, block_id: str):
    return COURSE.make_usage_key(block_type, block_id)


@pytest.fixture
def host():
    return OpenEdxHost()


_user_seq = iter(range(1, 1_000_000))


def make_user(**fields):
    n = next(_user_seq)
    fields.setdefault("username", f"learner{n}")
    fields.setdefault("email", f"learner{n}@example.com")
    return get_user_model().objects.create_user(**fields)


# --- the stand-ins themselves -------------------------------------------------------------------


def test_stub_package_names_are_not_installed():
    """The stand-ins can never shadow (or be shadowed by) a real package in the virtualenv."""
    assert str(STUBS_DIR) not in sys.path
    for name in STUB_PACKAGES:
        assert importlib.util.find_spec(name) is None, f"{name!r} is importable without the stand-ins"


def test_fixture_removes_the_stand_ins_afterwards(edx):
    assert "lms.djangoapps.grades.api" not in sys.modules  # loaded lazily, by the adapter only
    assert sys.modules["openedx.core.djangoapps.content.course_overviews.models"] is edx.overviews


# --- without edx-platform -----------------------------------------------------------------------


def test_module_imports_without_edx_platform_or_django():
    """Importing the adapter loads no edx-platform module (and not even Django)."""
    code = (
        "import sys\n"
        "import cert_plugin.host.openedx as m\n"
        "assert m.OpenEdxHost\n"
        f"loaded = sorted({{n.split('.')[0] for n in sys.modules}} & {set(STUB_PACKAGES) | {'django'}!r})\n"
        "print(loaded)\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO_ROOT, env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


@pytest.mark.parametrize(
    ("method", "args"),
    [
        ("course", (COURSE,)),
        ("outline", (COURSE,)),
        ("learner", (SimpleNamespace(username="ana"),)),
        ("grade", (SimpleNamespace(id=1), COURSE)),
        ("grades_for", ([SimpleNamespace(id=1)], COURSE)),
        ("enrolled_learners", (COURSE,)),
        ("is_course_staff", (SimpleNamespace(is_authenticated=True), COURSE)),
    ],
)
def test_calling_a_method_without_edx_platform_says_what_is_missing(host, method, args):
    assert importlib.util.find_spec("lms") is None
    with pytest.raises(EdxPlatformUnavailable) as excinfo:
        getattr(host, method)(*args)
    message = str(excinfo.value)
    assert f"OpenEdxHost.{method}() needs edx-platform" in message
    assert "CERT_PLUGIN['HOST']" in message
    assert isinstance(excinfo.value, ImportError)
    assert isinstance(excinfo.value.__cause__, ImportError)


def test_it_is_a_host(host):
    assert isinstance(host, Host)


# --- course() -----------------------------------------------------------------------------------


def test_course_reads_the_course_overview(edx, host):
    edx.overviews.CourseOverview(
        id=COURSE,
        org="DemoX",
        display_name="Certificates 101",
        display_org_with_default="Demo University",
        effort="10 hours",
        language="es",
    ).save()

    assert host.course(COURSE) == CourseInfo(
        course_key=COURSE, title="Certificates 101", org="Demo University", hours=None, language="es"
    )
    assert host.course(str(COURSE)) == host.course(COURSE)  # the string form is accepted too


def test_course_falls_back_for_missing_metadata(edx, host):
    edx.overviews.CourseOverview(id=COURSE, org="DemoX", display_name=None, effort=None, language=None).save()

    info = host.course(COURSE)

    assert info.title == "course"  # CourseOverview.display_name_with_default
    assert info.org == "DemoX"  # display_org_with_default is empty
    assert info.hours is None
    assert info.language == "en"


def test_course_gives_the_grading_policys_cutoff_as_the_passing_grade(edx, host):
    """Issue 14, point 9: "Pass the course" states the pass mark, the overview's lowest_passing_grade."""
    edx.overviews.CourseOverview(id=COURSE, org="DemoX", display_name="C",
                                 lowest_passing_grade=Decimal("0.65")).save()
    assert host.course(COURSE).passing_grade == pytest.approx(0.65)

    edx.overviews.CourseOverview(id=COURSE, org="DemoX", display_name="C").save()  # never computed
    assert host.course(COURSE).passing_grade is None


def test_unknown_course_is_none(edx, host):
    assert host.course(OTHER_COURSE) is None


def test_course_never_reads_weekly_effort_as_total_hours(edx, host):
    """Studio's "Hours of effort per week" is a weekly estimate: it is never the hours printed."""
    for effort in ("10 hours", "8:30", "5"):
        edx.overviews.CourseOverview(id=COURSE, org="DemoX", display_name="C", effort=effort).save()
        assert host.course(COURSE).hours is None


# --- outline() ----------------------------------------------------------------------------------


@pytest.fixture
def demo_structure(edx):
    """course > Week 1 (lesson, graded quiz) > Week 2 (staff-only subsection, final exam)."""
    structure = edx.block_structure.BlockStructureBlockData(ROOT)
    tree = {
        ROOT: [block("chapter", "week1"), block("chapter", "week2")],
        block("chapter", "week1"): [block("sequential", "lesson1"), block("sequential", "quiz1")],
        block("sequential", "lesson1"): [block("vertical", "unit1")],
        block("vertical", "unit1"): [
            block("html", "intro"), block("video", "talk"), block("discussion", "chat"),
        ],
        block("sequential", "quiz1"): [block("vertical", "unit2")],
        block("vertical", "unit2"): [
            block("html", "hint"), block("problem", "q1"), block("problem", "q2"),
            block("problem", "practice"), block("problem", "survey"),
        ],
        block("chapter", "week2"): [block("sequential", "staff_notes"), block("sequential", "final_exam")],
        block("sequential", "staff_notes"): [block("vertical", "unit3")],
        block("vertical", "unit3"): [block("html", "answers")],
        block("sequential", "final_exam"): [block("vertical", "unit4"), block("vertical", "empty")],
        block("vertical", "unit4"): [block("problem", "q3")],
    }
    for parent, children in tree.items():
        for child in children:
            structure._add_relation(parent, child)
    names = {
        "week1": "Week 1", "lesson1": "Lesson 1", "intro": "Introduction", "talk": "Welcome video",
        "chat": "Discuss", "quiz1": "Quiz 1", "q1": "Question 1", "q2": "Question 2", "week2": "Week 2",
        "staff_notes": "Staff notes", "answers": "Answers", "q3": "Question 3",
        # final_exam has no display_name: the url name stands in, as in edx-platform
    }
    aggregators = {"course", "chapter", "sequential", "vertical"}
    for key in [ROOT, *{k for children in tree.values() for k in children}]:
        if key.block_id in names:
            structure.override_xblock_field(key, "display_name", names[key.block_id])
        if key.block_type in aggregators:
            structure.override_xblock_field(key, "completion_mode", "aggregator")
    structure.override_xblock_field(block("video", "talk"), "completion_mode", "completable")
    # html "intro" collected no completion_mode: the XBlockCompletionMode default (completable) applies
    structure.override_xblock_field(block("discussion", "chat"), "completion_mode", "excluded")
    structure.override_xblock_field(block("sequential", "lesson1"), "graded", False)
    formats = ((block("sequential", "quiz1"), "Homework"), (block("sequential", "final_exam"), "Final Exam"))
    for key, fmt in formats:
        structure.override_xblock_field(key, "graded", True)
        structure.override_xblock_field(key, "format", fmt)
    # What GradesTransformer collected: problems have a score (has_score, max_score); "practice" is
    # explicitly not graded, "survey" weighs 0 points; the html "hint" has no score at all.
    grades = edx.grades_transformer.GradesTransformer
    for problem_id, weight, explicit in (("q1", None, None), ("q2", 2.0, None), ("q3", None, None),
                                         ("practice", None, False), ("survey", 0, None)):
        key = block("problem", problem_id)
        structure.override_xblock_field(key, "has_score", True)
        structure.override_xblock_field(key, "weight", weight)
        structure.set_transformer_block_field(key, grades, "max_score", 3)
        structure.set_transformer_block_field(key, grades, grades.EXPLICIT_GRADED_FIELD_NAME, explicit)
    visibility = edx.visibility.VisibilityTransformer
    for key in (block("sequential", "staff_notes"), block("vertical", "unit3"), block("html", "answers")):
        structure.set_transformer_block_field(key, visibility, visibility.MERGED_VISIBLE_TO_STAFF_ONLY, True)
    edx.block_structure_api._COLLECTED[COURSE] = structure
    return structure


def test_outline_lists_graded_subsections_and_completable_leaves_in_course_order(demo_structure, host):
    assert host.outline(COURSE) == [
        BlockInfo(block("html", "intro"), "Introduction", completable=True, graded=False),
        BlockInfo(block("video", "talk"), "Welcome video", completable=True, graded=False),
        BlockInfo(block("sequential", "quiz1"), "Quiz 1", completable=False, graded=True,
                  assignment_type="Homework"),
        BlockInfo(block("html", "hint"), "hint", completable=True, graded=False),  # no score: a lesson only
        BlockInfo(block("problem", "q1"), "Question 1", completable=True, graded=True,
                  assignment_type="Homework", subsection="Quiz 1"),
        BlockInfo(block("problem", "q2"), "Question 2", completable=True, graded=True,
                  assignment_type="Homework", subsection="Quiz 1"),
        BlockInfo(block("problem", "practice"), "practice", completable=True, graded=False),  # graded: False
        BlockInfo(block("problem", "survey"), "survey", completable=True, graded=False),  # 0 points possible
        BlockInfo(
            block("sequential", "final_exam"), "final exam", completable=False, graded=True,
            assignment_type="Final Exam",
        ),
        BlockInfo(
            block("problem", "q3"), "Question 3", completable=True, graded=True, assignment_type="Final Exam",
            subsection="final exam",
        ),
    ]


def test_outline_leaves_out_staff_only_excluded_and_aggregator_blocks(demo_structure, host):
    keys = {info.usage_key for info in host.outline(COURSE)}
    assert block("html", "answers") not in keys  # in a subsection visible to staff only
    assert block("sequential", "staff_notes") not in keys
    assert block("discussion", "chat") not in keys  # completion mode "excluded"
    assert block("vertical", "empty") not in keys  # an aggregator, even without children


def test_outline_lists_a_block_with_two_parents_once(demo_structure, host):
    demo_structure._add_relation(block("vertical", "unit4"), block("html", "intro"))
    keys = [info.usage_key for info in host.outline(COURSE)]
    assert keys.count(block("html", "intro")) == 1


def test_outline_of_unknown_course_is_empty(edx, host):
    assert host.outline(OTHER_COURSE) == []


# --- grade() ------------------------------------------------------------------------------------


def _store_grade(edx, user, *, percent, passed, sections):
    grade = edx.course_grade.CourseGrade(user, None, percent=percent, letter_grade="Pass", passed=passed)
    grade.chapter_grades = OrderedDict(
        [
            (
                block("chapter", "week1"),
                {"display_name": "Week 1", "url_name": "week1", "sections": [
                    edx.course_grade.SubsectionGrade(
                        block("sequential", seq_id), seq_id, graded, fmt, earned, possible
                    )
                    for seq_id, graded, fmt, earned, possible in sections
                ]},
            )
        ]
    )
    edx.grade_factory._GRADES[(user.id, COURSE)] = grade


@pytest.mark.django_db
def test_grade_reads_course_grade_and_graded_subsection_scores(edx, host):
    user = make_user()
    _store_grade(
        edx,
        user,
        percent=0.82,
        passed=True,
        sections=[
            ("lesson1", False, "", 1, 2),  # not graded: no score
            ("quiz1", True, "Homework", 3, 4),
            ("quiz2", True, "Homework", 0, 5),
            ("final_exam", True, "Final Exam", 10, 10),
            ("survey", True, "Homework", 0, 0),  # nothing possible: no score
        ],
    )

    assert host.grade(user, COURSE) == GradeInfo(
        percent=0.82,
        passed=True,
        scores={
            str(block("sequential", "quiz1")): 0.75,
            str(block("sequential", "quiz2")): 0.0,
            str(block("sequential", "final_exam")): 1.0,
        },
    )


@pytest.mark.django_db
def test_grade_passed_none_means_not_passed(edx, host):
    user = make_user()
    _store_grade(edx, user, percent=0.0, passed=None, sections=[])  # a course without grade cutoffs
    assert host.grade(user, COURSE).passed is False


@pytest.mark.django_db
def test_grade_without_persisted_grade_is_zero(edx, host):
    user = make_user()
    assert host.grade(user, COURSE) == GradeInfo(percent=0.0, passed=False, scores={})


@pytest.mark.django_db
def test_grades_for_reads_many_learners_and_leaves_out_the_ones_it_cannot_grade(edx, host):
    graded, ungraded, failing = make_user(), make_user(), make_user()
    _store_grade(edx, graded, percent=0.82, passed=True, sections=[("quiz1", True, "Homework", 3, 4)])
    edx.grade_factory._FAILING.add(failing.id)

    grades = host.grades_for([graded, ungraded, failing], COURSE)

    assert grades == {graded.pk: host.grade(graded, COURSE), ungraded.pk: GradeInfo(0.0, False, {})}
    assert grades[graded.pk].scores == {str(block("sequential", "quiz1")): 0.75}


# --- learner() ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_learner_name_from_profile_and_language_preference(edx, host):
    user = make_user(first_name="Ana", last_name="Pérez", email="ana@example.com")
    user.profile = edx.student.UserProfile(user, name="Ana María Pérez García")
    edx.preferences.set_user_preference(user, "pref-lang", "es-419")

    assert host.learner(user) == LearnerInfo(
        full_name="Ana María Pérez García", email="ana@example.com", language="es-419"
    )


@pytest.mark.django_db
def test_learner_name_falls_back_to_full_name_then_username(edx, host):
    with_names = make_user(username="ana", first_name="Ana", last_name="Pérez")
    with_names.profile = edx.student.UserProfile(with_names, name="  ")
    no_names = make_user(username="bo")  # a plain Django user: no profile at all

    assert host.learner(with_names).full_name == "Ana Pérez"
    assert host.learner(no_names).full_name == "bo"


def test_learner_without_profile_row(edx, host):
    class UserWithoutProfileRow:
        username, email, is_staff = "cy", "cy@example.com", False

        @property
        def profile(self):
            raise edx.student.UserProfile.DoesNotExist()  # what a missing OneToOne row raises

        def get_full_name(self):
            return ""

    assert issubclass(edx.student.UserProfile.DoesNotExist, ObjectDoesNotExist)
    assert host.learner(UserWithoutProfileRow()) == LearnerInfo(full_name="cy", email="cy@example.com")


@pytest.mark.django_db
def test_learner_language_defaults_to_english(edx, host):
    user = make_user()
    assert host.learner(user).language == "en"


# --- completed_blocks() -------------------------------------------------------------------------


@pytest.mark.django_db
def test_completed_blocks_are_the_fully_completed_ones(edx, host):
    from completion.models import BlockCompletion

    user, other = make_user(), make_user()
    rows = [
        (user, block("html", "intro"), 1.0),
        (user, block("video", "talk"), 0.5),
        (user, block("problem", "q1"), 1.0),
        (user, OTHER_COURSE.make_usage_key("html", "elsewhere"), 1.0),
        (other, block("problem", "q2"), 1.0),
    ]
    for owner, key, completion in rows:
        BlockCompletion.objects.create(
            user=owner, context_key=key.course_key, block_key=key, block_type=key.block_type,
            completion=completion,
        )

    assert host.completed_blocks(user, COURSE) == {block("html", "intro"), block("problem", "q1")}
    assert host.completed_blocks(make_user(), COURSE) == set()
    idle = make_user()
    assert host.completed_blocks_for([user, other, idle], COURSE) == {
        user.pk: {block("html", "intro"), block("problem", "q1")},
        other.pk: {block("problem", "q2")},
        idle.pk: set(),
    }


# --- enrolled_learners() ------------------------------------------------------------------------


@pytest.mark.django_db
def test_enrolled_learners_are_the_active_enrollments_paged(edx, host, monkeypatch):
    monkeypatch.setattr(openedx_host, "_ENROLLMENT_PAGE_SIZE", 2)
    enrolled = [make_user() for _ in range(5)]
    left, elsewhere = make_user(), make_user()
    for user in [*enrolled, left]:
        edx.student.CourseEnrollment.enroll(user, COURSE)
    edx.student.CourseEnrollment.unenroll(left, COURSE)
    edx.student.CourseEnrollment.enroll(elsewhere, OTHER_COURSE)

    learners = host.enrolled_learners(COURSE)

    assert iter(learners) is learners  # an iterator, not a list held in memory
    assert [user.pk for user in learners] == [user.pk for user in enrolled]


@pytest.mark.django_db
def test_learners_queryset_and_enrolled_courses(edx, host):
    learner, other = make_user(), make_user()
    edx.student.CourseEnrollment.enroll(learner, COURSE)
    edx.student.CourseEnrollment.enroll(learner, OTHER_COURSE)
    edx.student.CourseEnrollment.unenroll(learner, OTHER_COURSE)
    edx.student.CourseEnrollment.enroll(other, OTHER_COURSE)

    assert list(host.learners_queryset(COURSE).values_list("pk", flat=True)) == [learner.pk]
    assert host.enrolled_courses(learner) == [COURSE]
    assert host.enrolled_courses(other) == [OTHER_COURSE]


@pytest.mark.django_db
def test_enrolled_learners_of_empty_course(edx, host):
    assert list(host.enrolled_learners(COURSE)) == []


# --- is_course_staff() --------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("CourseStaffRole", True),
        ("CourseInstructorRole", True),
        ("OrgStaffRole", True),
        ("OrgInstructorRole", True),
        ("CourseBetaTesterRole", False),
    ],
)
def test_course_and_org_staff_roles(edx, host, role, expected):
    user = make_user()
    role_class = getattr(edx.roles, role)
    role_class(COURSE.org if role.startswith("Org") else COURSE).add_users(user)
    assert host.is_course_staff(user, COURSE) is expected


@pytest.mark.django_db
def test_global_staff_is_staff_of_every_course(edx, host):
    assert host.is_course_staff(make_user(is_staff=True), COURSE) is True


@pytest.mark.django_db
def test_learners_and_staff_of_other_courses_are_not_staff(edx, host):
    learner, other_staff = make_user(), make_user()
    edx.roles.CourseStaffRole(OTHER_COURSE).add_users(other_staff)
    edx.roles.OrgStaffRole("OtherX").add_users(other_staff)

    assert host.is_course_staff(learner, COURSE) is False
    assert host.is_course_staff(other_staff, COURSE) is False


@pytest.mark.django_db
def test_inactive_or_anonymous_users_are_not_staff(edx, host):
    user = make_user()
    edx.roles.CourseStaffRole(COURSE).add_users(user)
    user.is_active = False

    assert host.is_course_staff(user, COURSE) is False
    assert host.is_course_staff(AnonymousUser(), COURSE) is False
    assert host.is_course_staff(None, COURSE) is False


# --- staff_courses() ----------------------------------------------------------------------------

THIRD_COURSE = CourseKey.from_string("course-v1:OtherX+Intro+2025")


def _overviews(edx):
    for key, title in ((COURSE, "Certificates 101"), (OTHER_COURSE, "Another DemoX course"),
                       (THIRD_COURSE, "OtherX intro")):
        edx.overviews.CourseOverview(id=key, org=key.org, display_name=title,
                                     lowest_passing_grade=Decimal("0.5")).save()


def _keys(infos) -> set[str]:
    return {str(info.course_key) for info in infos}


@pytest.mark.django_db
def test_staff_courses_are_those_of_the_users_course_and_org_roles(edx, host):
    """Issue 14, point 8: the staff index lists the courses is_course_staff lets the user into."""
    _overviews(edx)
    course_staff, instructor, org_staff, tester = make_user(), make_user(), make_user(), make_user()
    edx.roles.CourseStaffRole(COURSE).add_users(course_staff)
    edx.roles.CourseInstructorRole(OTHER_COURSE).add_users(instructor)
    edx.roles.OrgInstructorRole("otherx").add_users(org_staff)  # organizations match in any case
    edx.roles.CourseBetaTesterRole(COURSE).add_users(tester)

    assert _keys(host.staff_courses(course_staff)) == {str(COURSE)}
    assert _keys(host.staff_courses(instructor)) == {str(OTHER_COURSE)}
    assert _keys(host.staff_courses(org_staff)) == {str(THIRD_COURSE)}
    assert host.staff_courses(tester) == []
    [info] = host.staff_courses(course_staff)
    assert info == host.course(COURSE)  # the same CourseInfo as course() (title, org, passing grade)
    for user in (course_staff, instructor, org_staff):
        assert {str(k) for k in (COURSE, OTHER_COURSE, THIRD_COURSE)
                if host.is_course_staff(user, k)} == _keys(host.staff_courses(user))


@pytest.mark.django_db
def test_global_staff_teach_every_course_and_others_none(edx, host):
    from cert_plugin.host.base import StaffCourses  # the optional protocol the plugin checks for

    assert isinstance(host, StaffCourses)
    _overviews(edx)
    assert _keys(host.staff_courses(make_user(is_staff=True))) == {str(COURSE), str(OTHER_COURSE),
                                                                   str(THIRD_COURSE)}
    inactive = make_user()
    edx.roles.CourseStaffRole(COURSE).add_users(inactive)
    inactive.is_active = False
    assert host.staff_courses(inactive) == []
    assert host.staff_courses(AnonymousUser()) == []
    assert host.staff_courses(None) == []


def test_site_links_are_the_lms_pages_or_its_micro_frontends(host, settings):
    """Where "My courses" and the help's "Edit profile" lead in Open edX (no edx-platform import)."""
    assert isinstance(host, SiteLinks)
    for name in ("LEARNER_HOME_MICROFRONTEND_URL", "ACCOUNT_MICROFRONTEND_URL"):
        if hasattr(settings, name):
            delattr(settings, name)
    assert (host.home_url(), host.account_url()) == ("/dashboard", "/account/settings")

    settings.LEARNER_HOME_MICROFRONTEND_URL = "https://apps.example.org/learner-dashboard"
    settings.ACCOUNT_MICROFRONTEND_URL = "https://apps.example.org/account/"
    assert host.home_url() == "https://apps.example.org/learner-dashboard/"
    assert host.account_url() == "https://apps.example.org/account/"

    settings.ACCOUNT_MICROFRONTEND_URL = None  # set but empty, as Tutor leaves it when the MFE is off
    assert host.account_url() == "/account/settings"
