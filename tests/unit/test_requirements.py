"""The eligibility engine, checked through the checklist a learner reads."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from opaque_keys.edx.keys import UsageKey

from cert_plugin.data import ChecklistItem, Progress
from cert_plugin.requirements import (
    Outcome,
    Requirements,
    Snapshot,
    evaluate,
    summarize,
    validate_requirements,
)

COURSE = "block-v1:Org+CS101+2025+type@{kind}+block@{name}"
LESSONS = tuple((COURSE.format(kind="vertical", name=f"l{n}"), f"Lesson {n}") for n in range(1, 6))
LESSON_KEYS = [key for key, _ in LESSONS]
QUIZ_1 = COURSE.format(kind="problem", name="q1")
QUIZ_2 = COURSE.format(kind="problem", name="q2")
TITLES = {QUIZ_1: "Quiz 1", QUIZ_2: "Quiz 2"}


def progress(
    *,
    lessons: Iterable[tuple[str, str]] = LESSONS,
    completed: Iterable[str] = (),
    grade: float = 0.0,
    passed: bool = False,
    scores: Mapping[str, float] | None = None,
    met: Iterable[str] = (),
    approval: str | None = None,
) -> Snapshot:
    """A learner in a five-lesson course; by default they have done nothing yet."""
    return Snapshot(
        lessons=tuple(lessons),
        completed=frozenset(completed),
        grade_percent=grade,
        grade_passed=passed,
        scores=scores or {},
        block_titles=TITLES,
        met_requirements=frozenset(met),
        approval=approval,
    )


def finished(**overrides: object) -> Snapshot:
    """A learner who did everything the requirements in these tests can ask for."""
    values: dict[str, Any] = {
        "completed": LESSON_KEYS,
        "grade": 0.85,
        "passed": True,
        "scores": {QUIZ_1: 0.9, QUIZ_2: 0.85},
        "met": {"portfolio", "interview"},
        **overrides,
    }
    return progress(**values)


def item(outcome: Outcome, key: str) -> ChecklistItem:
    matches = [entry for entry in outcome.items if entry.key == key]
    assert len(matches) == 1, f"expected one {key!r} item in {[entry.key for entry in outcome.items]}"
    return matches[0]


def unmet(outcome: Outcome) -> list[str]:
    return [entry.key for entry in outcome.items if not entry.met]


FULL = Requirements(
    min_grade=0.7,
    min_completion=0.8,
    required_quizzes=(QUIZ_1, QUIZ_2),
    requires_approval=True,
    additional_requirements=(("portfolio", "Submit a portfolio"), ("interview", "Pass the oral interview")),
)


# Defaults: all lessons, and the host's own passing decision ---------------------------------------


def test_a_new_learner_sees_what_is_left_to_do() -> None:
    outcome = evaluate(Requirements(), progress(grade=0.0))

    assert not outcome.eligible
    assert not outcome.awaiting_approval
    assert outcome.items == (
        ChecklistItem("lessons", "Complete all lessons", False, "0 of 5 lessons completed"),
        ChecklistItem("grade", "Pass the course", False, "Current grade 0% (not passing yet)"),
    )


def test_a_learner_who_did_everything_is_eligible() -> None:
    outcome = evaluate(Requirements(), finished())

    assert outcome.eligible
    assert not outcome.awaiting_approval
    assert outcome.items == (
        ChecklistItem("lessons", "Complete all lessons", True, "5 of 5 lessons completed"),
        ChecklistItem("grade", "Pass the course", True, "Current grade 85% (passing)"),
    )


def test_one_missing_lesson_blocks_the_certificate() -> None:
    outcome = evaluate(Requirements(), finished(completed=LESSON_KEYS[:4]))

    assert not outcome.eligible
    assert unmet(outcome) == ["lessons"]
    assert item(outcome, "lessons").detail == "4 of 5 lessons completed"


def test_the_hosts_passing_decision_counts_when_no_minimum_grade_is_set() -> None:
    outcome = evaluate(Requirements(), finished(grade=0.62, passed=False))

    assert unmet(outcome) == ["grade"]
    assert item(outcome, "grade").detail == "Current grade 62% (not passing yet)"
    assert item(evaluate(Requirements(), finished(grade=0.62, passed=True)), "grade").detail == (
        "Current grade 62% (passing)"
    )


# Lessons ------------------------------------------------------------------------------------------


def test_lesson_count_reads_naturally() -> None:
    lessons = [(COURSE.format(kind="vertical", name=f"x{n}"), f"L{n}") for n in range(14)]
    done = [key for key, _ in lessons[:12]]

    assert item(evaluate(Requirements(), progress(lessons=lessons, completed=done)), "lessons").detail == (
        "12 of 14 lessons completed"
    )
    assert item(evaluate(Requirements(), progress(lessons=LESSONS[:1])), "lessons").detail == (
        "0 of 1 lesson completed"
    )
    single = progress(lessons=LESSONS[:1], completed=LESSON_KEYS[:1])
    assert item(evaluate(Requirements(), single), "lessons").detail == "1 of 1 lesson completed"


@pytest.mark.parametrize(("done", "met"), [(3, False), (4, True), (5, True)])
def test_eighty_percent_of_five_lessons_is_four(done: int, met: bool) -> None:
    outcome = evaluate(Requirements(min_completion=0.8), finished(completed=LESSON_KEYS[:done]))

    lessons = item(outcome, "lessons")
    assert lessons.label == "Complete at least 80% of lessons"
    assert lessons.met is met
    assert lessons.detail == f"{done} of 5 lessons completed"
    assert outcome.eligible is met


def test_completions_of_blocks_no_longer_in_the_course_do_not_count() -> None:
    removed = [COURSE.format(kind="vertical", name=f"old{n}") for n in range(10)]
    outcome = evaluate(Requirements(), finished(completed=[*LESSON_KEYS[:2], *removed]))

    assert item(outcome, "lessons").detail == "2 of 5 lessons completed"
    assert not outcome.eligible


def test_a_course_without_lessons_has_nothing_to_complete() -> None:
    outcome = evaluate(Requirements(), finished(lessons=(), completed=()))

    assert item(outcome, "lessons") == ChecklistItem(
        "lessons", "Complete all lessons", True, "This course has no lessons to complete"
    )
    assert outcome.eligible


def test_no_lesson_item_when_there_are_no_lessons_and_none_are_required() -> None:
    outcome = evaluate(Requirements(min_completion=0), finished(lessons=(), completed=()))

    assert [entry.key for entry in outcome.items] == ["grade"]


# Minimum grade ------------------------------------------------------------------------------------


def test_a_grade_below_the_minimum_says_what_is_needed() -> None:
    outcome = evaluate(Requirements(min_grade=0.7), finished(grade=0.62, passed=True))

    assert unmet(outcome) == ["grade"]
    assert item(outcome, "grade") == ChecklistItem(
        "grade", "Reach a course grade of at least 70%", False, "Current grade 62% (needs 70%)"
    )


def test_a_grade_above_the_minimum_meets_it_even_if_the_host_says_not_passed() -> None:
    outcome = evaluate(Requirements(min_grade=0.7), finished(grade=0.85, passed=False))

    assert item(outcome, "grade").met
    assert item(outcome, "grade").detail == "Current grade 85%"
    assert outcome.eligible


@pytest.mark.parametrize("grade", [0.7, 0.1 * 7, 0.7 - 1e-12, 0.35 * 2])
def test_exactly_the_minimum_grade_meets_it(grade: float) -> None:
    outcome = evaluate(Requirements(min_grade=0.7), finished(grade=grade))

    assert item(outcome, "grade").met
    assert item(outcome, "grade").detail == "Current grade 70%"


def test_just_below_the_minimum_grade_never_reads_as_the_minimum() -> None:
    outcome = evaluate(Requirements(min_grade=0.7), finished(grade=0.6999))

    assert not item(outcome, "grade").met
    assert item(outcome, "grade").detail == "Current grade 69% (needs 70%)"


def test_a_zero_minimum_grade_means_no_grade_requirement() -> None:
    outcome = evaluate(Requirements(min_grade=0), finished(grade=0.0, passed=False))

    assert [entry.key for entry in outcome.items] == ["lessons"]
    assert outcome.eligible


# Required quizzes ---------------------------------------------------------------------------------


def test_quiz_items_say_where_the_learner_stands() -> None:
    requirements = Requirements(required_quizzes=(QUIZ_1, QUIZ_2))
    outcome = evaluate(requirements, finished(scores={QUIZ_2: 0.55}))

    assert not outcome.eligible
    assert unmet(outcome) == [f"quiz:{QUIZ_1}", f"quiz:{QUIZ_2}"]
    assert item(outcome, f"quiz:{QUIZ_1}") == ChecklistItem(
        f"quiz:{QUIZ_1}", "Pass Quiz 1", False, "Quiz 1: not attempted yet (needs 70%)"
    )
    assert item(outcome, f"quiz:{QUIZ_2}") == ChecklistItem(
        f"quiz:{QUIZ_2}", "Pass Quiz 2", False, "Quiz 2: 55% (needs 70%)"
    )


def test_passed_quizzes_show_the_score() -> None:
    outcome = evaluate(Requirements(required_quizzes=(QUIZ_2,)), finished(scores={QUIZ_2: 0.85}))

    assert item(outcome, f"quiz:{QUIZ_2}") == ChecklistItem(
        f"quiz:{QUIZ_2}", "Pass Quiz 2", True, "Quiz 2: 85%"
    )
    assert outcome.eligible


@pytest.mark.parametrize(
    ("score", "met", "detail"),
    [
        (0.7, True, "Quiz 2: 70%"),
        (0.1 * 7, True, "Quiz 2: 70%"),
        (0.695, False, "Quiz 2: 69% (needs 70%)"),
        (0.0, False, "Quiz 2: 0% (needs 70%)"),
        (1.0, True, "Quiz 2: 100%"),
    ],
)
def test_quiz_score_boundaries(score: float, met: bool, detail: str) -> None:
    outcome = evaluate(Requirements(required_quizzes=(QUIZ_2,)), finished(scores={QUIZ_2: score}))

    assert item(outcome, f"quiz:{QUIZ_2}").met is met
    assert item(outcome, f"quiz:{QUIZ_2}").detail == detail


def test_the_quiz_threshold_is_configurable() -> None:
    requirements = Requirements(required_quizzes=(QUIZ_2,), min_quiz_score=0.9)
    outcome = evaluate(requirements, finished(scores={QUIZ_2: 0.85}))

    assert item(outcome, f"quiz:{QUIZ_2}").detail == "Quiz 2: 85% (needs 90%)"


def test_a_quiz_without_a_known_title_is_named_by_its_usage_key() -> None:
    quiz = COURSE.format(kind="problem", name="untitled")
    outcome = evaluate(Requirements(required_quizzes=(quiz,)), finished())

    assert item(outcome, f"quiz:{quiz}").label == f"Pass {quiz}"
    assert item(outcome, f"quiz:{quiz}").detail == f"{quiz}: not attempted yet (needs 70%)"


# Additional requirements confirmed by staff -------------------------------------------------------


def test_additional_requirements_wait_for_staff_confirmation() -> None:
    requirements = Requirements(additional_requirements=(("portfolio", "Submit a portfolio"),))

    waiting = evaluate(requirements, finished(met=()))
    assert unmet(waiting) == ["req:portfolio"]
    assert item(waiting, "req:portfolio") == ChecklistItem(
        "req:portfolio", "Submit a portfolio", False, "Not yet confirmed by course staff"
    )

    confirmed = evaluate(requirements, finished(met={"portfolio"}))
    assert item(confirmed, "req:portfolio").detail == "Confirmed by course staff"
    assert confirmed.eligible


# Approval -----------------------------------------------------------------------------------------


def test_approval_is_awaited_once_everything_else_is_met() -> None:
    outcome = evaluate(Requirements(requires_approval=True), finished())

    assert not outcome.eligible
    assert outcome.awaiting_approval
    assert unmet(outcome) == ["approval"]
    assert item(outcome, "approval") == ChecklistItem(
        "approval", "Approval by the course staff", False, "Waiting for the course staff to approve"
    )


def test_approval_is_not_awaited_while_other_requirements_are_missing() -> None:
    outcome = evaluate(Requirements(requires_approval=True), finished(completed=()))

    assert not outcome.eligible
    assert not outcome.awaiting_approval
    assert item(outcome, "approval").detail == "Staff approve once the other requirements are met"


def test_an_approved_learner_is_eligible() -> None:
    outcome = evaluate(Requirements(requires_approval=True), finished(approval="approved"))

    assert outcome.eligible
    assert not outcome.awaiting_approval
    assert item(outcome, "approval").detail == "Approved"


def test_approval_alone_does_not_make_a_learner_eligible() -> None:
    outcome = evaluate(Requirements(requires_approval=True), finished(completed=(), approval="approved"))

    assert not outcome.eligible
    assert unmet(outcome) == ["lessons"]


def test_a_rejected_learner_is_told_to_contact_staff_and_not_kept_waiting() -> None:
    outcome = evaluate(Requirements(requires_approval=True), finished(approval="rejected"))

    assert not outcome.eligible
    assert not outcome.awaiting_approval
    assert item(outcome, "approval").detail == "Not approved: contact the course staff"


def test_a_refused_learner_reads_staffs_reason_in_the_checklist() -> None:
    snapshot = replace(finished(approval="rejected"), approval_reason="  Project copied.  ")

    outcome = evaluate(Requirements(requires_approval=True), snapshot)

    assert item(outcome, "approval").detail == "Not approved: Project copied."


def test_a_recertification_asks_staff_to_approve_and_confirm_again() -> None:
    requirements = Requirements(requires_approval=True, additional_requirements=(("portfolio", "Portfolio"),))
    waiting = replace(finished(met=()), recertifying=True)

    outcome = evaluate(requirements, waiting)

    assert unmet(outcome) == ["req:portfolio", "approval"]
    assert item(outcome, "req:portfolio").detail == "Staff confirm it again for each recertification"
    assert item(outcome, "approval").detail == ("Staff approve each recertification again, once the other "
                                                "requirements are met")
    confirmed = replace(finished(), recertifying=True)
    assert item(evaluate(requirements, confirmed), "approval").detail == (
        "Waiting for the course staff to approve your recertification")


def test_an_unknown_approval_decision_is_refused() -> None:
    with pytest.raises(ValueError, match="approval"):
        finished(approval="maybe")


# Everything together ------------------------------------------------------------------------------


def test_items_come_in_a_fixed_order() -> None:
    outcome = evaluate(FULL, finished(approval="approved"))

    assert [entry.key for entry in outcome.items] == [
        "lessons",
        "grade",
        f"quiz:{QUIZ_1}",
        f"quiz:{QUIZ_2}",
        "req:portfolio",
        "req:interview",
        "approval",
    ]
    assert outcome.eligible


@pytest.mark.parametrize(
    ("change", "missing"),
    [
        ({"completed": LESSON_KEYS[:3]}, "lessons"),
        ({"grade": 0.5}, "grade"),
        ({"scores": {QUIZ_1: 0.9}}, f"quiz:{QUIZ_2}"),
        ({"met": {"portfolio"}}, "req:interview"),
    ],
)
def test_each_missing_requirement_alone_blocks_the_certificate(change: dict[str, Any], missing: str) -> None:
    outcome = evaluate(FULL, finished(approval="approved", **change))

    assert not outcome.eligible
    assert unmet(outcome) == [missing]


def test_requirements_accept_database_and_json_shapes() -> None:
    requirements = Requirements(
        min_grade=Decimal("0.70"),  # type: ignore[arg-type]
        min_completion=Decimal("0.8"),  # type: ignore[arg-type]
        required_quizzes=[QUIZ_2],  # type: ignore[arg-type]
        additional_requirements={"portfolio": "Submit a portfolio"},  # type: ignore[arg-type]
    )

    assert requirements == Requirements(
        min_grade=0.7,
        min_completion=0.8,
        required_quizzes=(QUIZ_2,),
        additional_requirements=(("portfolio", "Submit a portfolio"),),
    )


def test_a_single_quiz_key_instead_of_a_list_is_refused() -> None:
    with pytest.raises(TypeError, match="required_quizzes must be a list"):
        Requirements(required_quizzes=QUIZ_2)  # type: ignore[arg-type]


def test_usage_key_objects_match_their_strings() -> None:
    lesson = UsageKey.from_string(LESSON_KEYS[0])
    quiz = UsageKey.from_string(QUIZ_2)
    snapshot = Snapshot(
        lessons=((lesson, "Lesson 1"),),  # type: ignore[arg-type]
        completed=frozenset({lesson}),  # type: ignore[arg-type]
        grade_percent=0.9,
        grade_passed=True,
        scores={quiz: 0.8},  # type: ignore[dict-item]
        block_titles={quiz: "Quiz 2"},  # type: ignore[dict-item]
        met_requirements=frozenset(),
    )

    outcome = evaluate(Requirements(required_quizzes=(QUIZ_2,)), snapshot)
    assert outcome.eligible
    assert item(outcome, f"quiz:{QUIZ_2}").detail == "Quiz 2: 80%"


# summarize ----------------------------------------------------------------------------------------


def test_summary_of_the_default_requirements() -> None:
    assert summarize(Requirements()) == ["Complete all lessons", "Pass the course"]


def test_summary_of_every_kind_of_requirement() -> None:
    assert summarize(FULL, block_titles=TITLES) == [
        "Complete at least 80% of lessons",
        "Reach a course grade of at least 70%",
        "Score at least 70% on Quiz 1",
        "Score at least 70% on Quiz 2",
        "Submit a portfolio (confirmed by course staff)",
        "Pass the oral interview (confirmed by course staff)",
        "Get approval from the course staff",
    ]


def test_summary_leaves_out_what_is_not_required() -> None:
    assert summarize(Requirements(min_grade=0, min_completion=0)) == []
    assert summarize(Requirements(required_quizzes=(QUIZ_1,)))[-1] == f"Score at least 70% on {QUIZ_1}"


# Validation ---------------------------------------------------------------------------------------


def test_sound_requirements_have_no_problems() -> None:
    assert validate_requirements(FULL) == []
    assert validate_requirements(FULL, graded_keys={QUIZ_1, QUIZ_2}) == []


@pytest.mark.parametrize(
    ("requirements", "message"),
    [
        (
            Requirements(min_completion=80),
            "min_completion must be between 0 and 1 (a share, e.g. 0.8 for 80%); got 80.",
        ),
        (
            Requirements(min_grade=-0.1),
            "min_grade must be between 0 and 1 (a share, e.g. 0.8 for 80%); got -0.1.",
        ),
        (
            Requirements(min_quiz_score=1.5),
            "min_quiz_score must be between 0 and 1 (a share, e.g. 0.8 for 80%); got 1.5.",
        ),
        (
            Requirements(min_grade=float("nan")),
            "min_grade must be between 0 and 1 (a share, e.g. 0.8 for 80%); got nan.",
        ),
        (
            Requirements(required_quizzes=(QUIZ_1, QUIZ_1)),
            f"Required quiz {QUIZ_1} is listed more than once.",
        ),
        (Requirements(required_quizzes=(" ",)), "A required quiz has an empty usage key."),
        (
            Requirements(additional_requirements=(("essay", "Write an essay"), ("essay", "Essay"))),
            "Additional requirement key 'essay' is used more than once.",
        ),
        (
            Requirements(additional_requirements=(("", "Write an essay"),)),
            "An additional requirement has an empty key.",
        ),
        (
            Requirements(additional_requirements=(("essay", "  "),)),
            "Additional requirement 'essay' has no label.",
        ),
    ],
)
def test_each_problem_gets_a_clear_message(requirements: Requirements, message: str) -> None:
    assert validate_requirements(requirements) == [message]
    with pytest.raises(ValueError, match="Invalid certificate requirements") as refused:
        evaluate(requirements, finished())
    assert message in str(refused.value)
    with pytest.raises(ValueError, match="Invalid certificate requirements"):
        summarize(requirements)


def test_required_quizzes_must_be_graded_blocks_of_the_course() -> None:
    problems = validate_requirements(FULL, graded_keys=[QUIZ_1])

    assert problems == [f"Required quiz {QUIZ_2} is not a graded block of this course."]


def test_every_problem_is_reported_at_once() -> None:
    requirements = Requirements(min_grade=2, min_completion=-1, additional_requirements=(("a", ""),))

    assert len(validate_requirements(requirements)) == 3


def test_a_non_number_is_refused_when_building_requirements() -> None:
    with pytest.raises(ValueError, match="min_grade must be a number between 0 and 1; got 'seventy'"):
        Requirements(min_grade="seventy")  # type: ignore[arg-type]


# Properties ---------------------------------------------------------------------------------------

shares = st.floats(min_value=0, max_value=1, allow_nan=False)
ALL_QUIZZES = [COURSE.format(kind="problem", name=f"q{n}") for n in range(4)]
EXTRA_KEYS = ["portfolio", "interview", "lab"]
OUTSIDE = [COURSE.format(kind="vertical", name=f"gone{n}") for n in range(3)]

requirements_strategy = st.builds(
    Requirements,
    min_grade=st.none() | st.just(0.0) | shares,
    min_completion=st.just(1.0) | shares,
    required_quizzes=st.lists(st.sampled_from(ALL_QUIZZES), unique=True).map(tuple),
    min_quiz_score=shares,
    requires_approval=st.booleans(),
    additional_requirements=st.lists(st.sampled_from(EXTRA_KEYS), unique=True).map(
        lambda keys: tuple((key, key.title()) for key in keys)
    ),
)


@st.composite
def snapshots(draw: st.DrawFn) -> Snapshot:
    lessons = draw(st.lists(st.sampled_from(LESSONS), unique=True, max_size=5))
    return Snapshot(
        lessons=tuple(lessons),
        completed=frozenset(draw(st.lists(st.sampled_from(LESSON_KEYS + OUTSIDE)))),
        grade_percent=draw(shares),
        grade_passed=draw(st.booleans()),
        scores=draw(st.dictionaries(st.sampled_from(ALL_QUIZZES), shares)),
        block_titles={ALL_QUIZZES[0]: "Quiz 0"},
        met_requirements=frozenset(draw(st.lists(st.sampled_from(EXTRA_KEYS)))),
        approval=draw(st.sampled_from([None, "approved", "rejected"])),
    )


@given(requirements_strategy, snapshots())
def test_eligible_means_every_item_is_met(requirements: Requirements, snapshot: Snapshot) -> None:
    outcome = evaluate(requirements, snapshot)

    assert outcome.eligible == all(entry.met for entry in outcome.items)
    keys = [entry.key for entry in outcome.items]
    assert len(keys) == len(set(keys))
    assert all(entry.label and entry.detail for entry in outcome.items)


@given(requirements_strategy, snapshots())
def test_awaiting_approval_means_only_an_undecided_approval_is_missing(
    requirements: Requirements, snapshot: Snapshot
) -> None:
    outcome = evaluate(requirements, snapshot)
    others_met = all(entry.met for entry in outcome.items if entry.key != "approval")

    assert outcome.awaiting_approval == (
        requirements.requires_approval and others_met and snapshot.approval is None
    )
    assert not (outcome.awaiting_approval and outcome.eligible)


@given(requirements_strategy, snapshots(), st.sampled_from(LESSON_KEYS + OUTSIDE))
def test_completing_more_never_unmeets_a_requirement(
    requirements: Requirements, snapshot: Snapshot, block: str
) -> None:
    before = evaluate(requirements, snapshot)
    after = evaluate(requirements, replace(snapshot, completed=snapshot.completed | {block}))

    met_before = {entry.key for entry in before.items if entry.met}
    met_after = {entry.key for entry in after.items if entry.met}
    assert met_before <= met_after
    assert after.eligible or not before.eligible


@pytest.mark.parametrize(
    ("grade", "shown"),
    [(1 / 6, "Current grade 17% (not passing yet)"), (0.125, "Current grade 13% (not passing yet)"),
     (0.5949, "Current grade 59% (not passing yet)")],
)
def test_grades_round_to_the_nearest_percent_like_the_lms_shows_them(grade, shown):
    outcome = evaluate(Requirements(), progress(completed=LESSON_KEYS, grade=grade, passed=False))
    assert item(outcome, "grade").detail == shown


def test_an_unmet_score_never_displays_as_its_minimum():
    outcome = evaluate(Requirements(required_quizzes=(QUIZ_1,), min_quiz_score=0.7),
                       finished(scores={QUIZ_1: 0.6996}))
    assert item(outcome, f"quiz:{QUIZ_1}").detail == "Quiz 1: 69% (needs 70%)"


def test_a_required_quiz_left_out_of_the_learners_own_course_is_not_asked_of_them():
    """A problem in another cohort's unit (or an item bank question not drawn for them) is met, saying why;
    one they can see stays required."""
    rules = Requirements(min_completion=0, min_grade=0, required_quizzes=(QUIZ_1, QUIZ_2))
    snapshot = replace(progress(scores={QUIZ_2: 0.9}), unavailable=frozenset({QUIZ_1}))

    outcome = evaluate(rules, snapshot)

    assert [(item.met, item.detail) for item in outcome.items if item.key.startswith("quiz:")] == [
        (True, "Quiz 1: not part of your course content"), (True, "Quiz 2: 90%")]
    assert outcome.eligible
    assert not evaluate(rules, replace(snapshot, unavailable=frozenset())).eligible


def test_pass_the_course_states_the_hosts_pass_mark_when_it_knows_it():
    """Issue 14, point 9: "Pass the course" never said what grade passes."""
    rules = Requirements(min_completion=0)
    failing = replace(progress(grade=0.596), passing_grade=0.6)

    grade = item(evaluate(rules, failing), "grade")

    assert grade.label == "Pass the course (passing grade: 60%)"
    assert grade.detail == "Current grade 59% (needs 60% to pass)"  # never "60% (needs 60%...)"
    passing = item(evaluate(rules, replace(failing, grade_percent=0.72, grade_passed=True)), "grade")
    assert (passing.met, passing.detail) == (True, "Current grade 72% (passing)")
    assert summarize(rules, passing_grade=Decimal("0.65")) == ["Pass the course (passing grade: 65%)"]


def test_pass_the_course_without_a_known_pass_mark_reads_as_before():
    rules = Requirements(min_completion=0)
    for unknown in (None, "n/a", 1.5, True):
        grade = item(evaluate(rules, replace(progress(grade=0.3), passing_grade=unknown)), "grade")
        assert (grade.label, grade.detail) == ("Pass the course", "Current grade 30% (not passing yet)")
    assert summarize(rules) == ["Pass the course"]
    # a minimum grade set by staff replaces the host's decision, and its own number is the one stated
    assert summarize(Requirements(min_completion=0, min_grade=0.8), passing_grade=0.6) == [
        "Reach a course grade of at least 80%"]


def test_earlier_work_counts_only_for_a_recertification_of_work_the_host_reports_undated():
    lessons = ChecklistItem("lessons", "Complete all lessons", True, "3 of 3 lessons completed")
    quiz = ChecklistItem("quiz:block-v1:X+Y+Z+type@problem+block@final", "Pass Final", True, "Final: 90%")
    staff_only = (ChecklistItem("req:drill", "Fire drill led on site", False, "Not yet confirmed"),
                  ChecklistItem("approval", "Approval by the course staff", False, "Waiting"))
    expired = object()  # the expired certificate; only its presence matters here

    assert Progress("in_progress", False, items=(lessons, *staff_only), expired=expired).earlier_work_counts
    assert Progress("in_progress", False, items=(quiz, *staff_only), expired=expired).earlier_work_counts
    assert not Progress("in_progress", False, items=staff_only, expired=expired).earlier_work_counts
    assert not Progress("in_progress", False, items=(lessons, *staff_only)).earlier_work_counts  # no expiry
