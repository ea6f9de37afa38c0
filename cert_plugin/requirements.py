"""The eligibility engine: (course requirements, learner progress) -> checklist.

Pure code on plain values: no database, no host calls. The api
gathers a :class:`Snapshot` of the learner's progress from the host, then
:func:`evaluate` turns it into the checklist the learner reads ("12 of 14
lessons completed", "Quiz 2: 55% (needs 70%)") and the eligibility decision.

Shares (completion, grades, scores, thresholds) are fractions 0..1. They are
compared with a small tolerance so that a float such as ``0.1 * 7`` meets a
70% threshold, and shown as whole percentages rounded down, so a learner never
reads "70% (needs 70%)" on a requirement that is not met. Every sentence goes
through Django's gettext, so it reads in the language active when it is built
(the learner's page, the staff dashboard); a worker with none writes English.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cert_plugin.data import ChecklistItem

__all__ = [
    "ADDITIONAL_PREFIX",
    "APPROVED",
    "REJECTED",
    "Outcome",
    "Requirements",
    "Snapshot",
    "evaluate",
    "summarize",
    "validate_requirements",
]

APPROVED = "approved"  # Snapshot.approval once staff approved
REJECTED = "rejected"  # Snapshot.approval once staff refused
ADDITIONAL_PREFIX = "req:"  # an additional requirement's checklist key is this + its configured key
_APPROVAL_DECISIONS = (None, APPROVED, REJECTED)

_EPSILON = 1e-9  # tolerance when comparing shares, absorbs float noise such as 0.1 * 7


@dataclass(frozen=True)
class Requirements:
    """What a course asks of a learner before it issues a certificate.

    Numbers are coerced to ``float`` (so ``Decimal`` values from the database
    work) and sequences to tuples (so lists from JSON work); their ranges are
    checked by :func:`validate_requirements`, and :func:`evaluate` refuses
    requirements that it rejects.
    """

    min_grade: float | None = None  # 0..1; None = use the host's passing decision (snapshot.grade_passed)
    min_completion: float = 1.0  # share of lessons that must be completed, 0..1
    required_quizzes: tuple[str, ...] = ()  # usage key strings of graded blocks
    min_quiz_score: float = 0.7  # 0..1 each required quiz must reach
    requires_approval: bool = False  # course staff must approve each certificate
    additional_requirements: tuple[tuple[str, str], ...] = ()  # (key, label) confirmed by staff

    def __post_init__(self) -> None:
        if self.min_grade is not None:
            _set(self, "min_grade", _number("min_grade", self.min_grade))
        _set(self, "min_completion", _number("min_completion", self.min_completion))
        _set(self, "min_quiz_score", _number("min_quiz_score", self.min_quiz_score))
        quizzes = _sequence("required_quizzes", self.required_quizzes)
        _set(self, "required_quizzes", tuple(str(key) for key in quizzes))
        pairs = self.additional_requirements
        if isinstance(pairs, Mapping):  # {key: label} is accepted too
            pairs = tuple(pairs.items())
        _set(
            self,
            "additional_requirements",
            tuple((str(key), str(label)) for key, label in _sequence("additional_requirements", pairs)),
        )


@dataclass(frozen=True)
class Snapshot:
    """A learner's progress in one course, as the host reported it.

    Usage keys may be given as opaque-keys objects or strings; they are
    compared as strings.
    """

    lessons: tuple[tuple[str, str], ...]  # (usage key string, title) of every completable block, course order
    completed: frozenset[str]  # usage key strings the learner completed
    grade_percent: float  # 0..1
    grade_passed: bool  # host's own passing decision
    scores: Mapping[str, float]  # graded usage key string -> 0..1 (missing = not attempted)
    block_titles: Mapping[str, str]  # usage key string -> title, for quiz labels
    met_requirements: frozenset[str]  # keys of additional requirements staff marked met
    approval: str | None = None  # None (not decided) | "approved" | "rejected"
    approval_reason: str = ""  # staff's reason for a refusal, which the learner reads
    # The learner's certificate expired: staff approve the recertification and confirm additional
    # requirements anew (``met_requirements`` and ``approval`` hold only what they gave since).
    recertifying: bool = False
    # usage key strings of blocks the learner's own version of the course leaves out (another cohort's
    # unit, an item bank question not drawn for them): a required quiz among them is not asked of them
    unavailable: frozenset[str] = frozenset()
    # the host's grade cutoff, 0..1 ("Pass the course" states it); None when the host cannot tell
    passing_grade: float | None = None

    def __post_init__(self) -> None:
        if self.approval not in _APPROVAL_DECISIONS:
            raise ValueError(f"approval must be None, 'approved' or 'rejected'; got {self.approval!r}.")
        _set(self, "lessons", tuple((str(key), str(title)) for key, title in self.lessons))
        _set(self, "completed", frozenset(str(key) for key in self.completed))
        _set(self, "grade_percent", float(self.grade_percent))
        _set(self, "scores", {str(key): float(score) for key, score in self.scores.items()})
        _set(self, "block_titles", {str(key): str(title) for key, title in self.block_titles.items()})
        _set(self, "met_requirements", frozenset(str(key) for key in self.met_requirements))
        _set(self, "unavailable", frozenset(str(key) for key in self.unavailable))
        _set(self, "passing_grade", _cutoff(self.passing_grade))
        _set(self, "approval_reason", str(self.approval_reason or ""))


@dataclass(frozen=True)
class Outcome:
    """The checklist a learner reads, and what it means."""

    items: tuple[ChecklistItem, ...]  # in order: lessons, grade, quizzes, additional requirements, approval
    eligible: bool  # every item met
    awaiting_approval: bool  # everything met except approval, and approval not rejected


def evaluate(requirements: Requirements, snapshot: Snapshot) -> Outcome:
    """Check ``snapshot`` against ``requirements``; return the checklist and the decision.

    Items come in a fixed order: lessons, grade, each required quiz, each
    additional requirement, approval. Raises ``ValueError`` for requirements
    that :func:`validate_requirements` rejects.
    """
    _check(requirements)
    items = [
        *_lessons_item(requirements, snapshot),
        *_grade_item(requirements, snapshot),
        *(_quiz_item(requirements, snapshot, key) for key in requirements.required_quizzes),
        *(_additional_item(snapshot, key, label) for key, label in requirements.additional_requirements),
    ]
    others_met = all(item.met for item in items)
    awaiting_approval = False
    if requirements.requires_approval:
        items.append(_approval_item(snapshot, others_met))
        awaiting_approval = others_met and snapshot.approval is None
    return Outcome(
        items=tuple(items),
        eligible=all(item.met for item in items),
        awaiting_approval=awaiting_approval,
    )


def summarize(requirements: Requirements, *, block_titles: Mapping[str, str] | None = None,
              passing_grade: float | None = None) -> list[str]:
    """Describe ``requirements`` in plain sentences, for course pages and staff.

    ``block_titles`` (usage key string -> title) names the required quizzes;
    without it they are named by their usage keys. ``passing_grade`` is the
    host's grade cutoff (0..1), stated with "Pass the course" when known.
    Raises ``ValueError`` for requirements that :func:`validate_requirements`
    rejects.
    """
    _check(requirements)
    titles = block_titles or {}
    sentences = []
    if requirements.min_completion > 0:
        sentences.append(_lessons_label(requirements.min_completion))
    if requirements.min_grade != 0:
        sentences.append(_grade_label(requirements.min_grade, _cutoff(passing_grade)))
    needed = _threshold(requirements.min_quiz_score)
    sentences += [
        _("Score at least {needed} on {quiz}").format(needed=needed, quiz=_title(titles, key))
        for key in requirements.required_quizzes
    ]
    sentences += [
        _("{requirement} (confirmed by course staff)").format(requirement=label)
        for _key, label in requirements.additional_requirements
    ]
    if requirements.requires_approval:
        sentences.append(_("Get approval from the course staff"))
    return sentences


def validate_requirements(
    requirements: Requirements, graded_keys: Collection[str] | None = None
) -> list[str]:
    """Return one plain message per problem in ``requirements``; empty when they are sound.

    Checks the ranges of the shares, duplicate or empty quiz and requirement
    keys, empty labels and, when ``graded_keys`` (the usage key strings of the
    course's graded blocks) is given, required quizzes the course does not have.
    """
    problems = [
        _("{name} must be between 0 and 1 (a share, e.g. 0.8 for 80%); got {value}.").format(
            name=name, value=f"{value:g}")
        for name, value in (
            ("min_grade", requirements.min_grade),
            ("min_completion", requirements.min_completion),
            ("min_quiz_score", requirements.min_quiz_score),
        )
        if value is not None and not 0 <= value <= 1  # also catches NaN
    ]
    quizzes = requirements.required_quizzes
    if any(not key.strip() for key in quizzes):
        problems.append(_("A required quiz has an empty usage key."))
    problems += [_("Required quiz {key} is listed more than once.").format(key=key)
                 for key in _duplicates(quizzes)]
    if graded_keys is not None:
        known = {str(key) for key in graded_keys}
        problems += [
            _("Required quiz {key} is not a graded block of this course.").format(key=key)
            for key in dict.fromkeys(quizzes)
            if key.strip() and key not in known
        ]
    keys = [key for key, _ in requirements.additional_requirements]
    if any(not key.strip() for key in keys):
        problems.append(_("An additional requirement has an empty key."))
    problems += [_("Additional requirement key {key} is used more than once.").format(key=repr(key))
                 for key in _duplicates(keys)]
    problems += [
        _("Additional requirement {key} has no label.").format(key=repr(key))
        for key, label in requirements.additional_requirements
        if key.strip() and not label.strip()
    ]
    return problems


# Checklist items ---------------------------------------------------------------------------------


def _lessons_item(requirements: Requirements, snapshot: Snapshot) -> list[ChecklistItem]:
    total = len(snapshot.lessons)
    if total == 0 and requirements.min_completion <= 0:
        return []
    label = _lessons_label(requirements.min_completion)
    if total == 0:
        return [ChecklistItem("lessons", label, True, _("This course has no lessons to complete"))]
    done = sum(1 for key, _title in snapshot.lessons if key in snapshot.completed)
    needed = math.ceil(requirements.min_completion * total - _EPSILON)
    detail = ngettext("{done} of {total} lesson completed", "{done} of {total} lessons completed",
                      total).format(done=done, total=total)
    return [ChecklistItem("lessons", label, done >= needed, detail)]


def _grade_item(requirements: Requirements, snapshot: Snapshot) -> list[ChecklistItem]:
    minimum = requirements.min_grade
    if minimum == 0:
        return []
    cutoff = snapshot.passing_grade
    if minimum is None:  # the host's own decision, against its cutoff when it tells it
        met = snapshot.grade_passed
        grade = _shown(snapshot.grade_percent, None if met else cutoff)
        if met:
            detail = _("Current grade {grade} (passing)").format(grade=grade)
        elif cutoff is not None:
            detail = _("Current grade {grade} (needs {needed} to pass)").format(
                grade=grade, needed=_threshold(cutoff))
        else:
            detail = _("Current grade {grade} (not passing yet)").format(grade=grade)
    else:
        met = _reaches(snapshot.grade_percent, minimum)
        grade = _shown(snapshot.grade_percent, minimum or None)
        detail = (_("Current grade {grade}").format(grade=grade) if met
                  else _("Current grade {grade} (needs {needed})").format(grade=grade,
                                                                          needed=_threshold(minimum)))
    return [ChecklistItem("grade", _grade_label(minimum, cutoff), met, detail)]


def _quiz_item(requirements: Requirements, snapshot: Snapshot, key: str) -> ChecklistItem:
    title = _title(snapshot.block_titles, key)
    label = _("Pass {quiz}").format(quiz=title)
    if key in snapshot.unavailable and key not in snapshot.scores:
        detail = _("{quiz}: not part of your course content").format(quiz=title)
        return ChecklistItem(f"quiz:{key}", label, True, detail)
    score = snapshot.scores.get(key)
    needed = _threshold(requirements.min_quiz_score)
    met = score is not None and _reaches(score, requirements.min_quiz_score)
    if score is None:
        detail = _("{quiz}: not attempted yet (needs {needed})").format(quiz=title, needed=needed)
    else:
        shown = _shown(score, requirements.min_quiz_score)
        detail = (_("{quiz}: {score}").format(quiz=title, score=shown) if met
                  else _("{quiz}: {score} (needs {needed})").format(quiz=title, score=shown, needed=needed))
    return ChecklistItem(f"quiz:{key}", label, met, detail)


def _additional_item(snapshot: Snapshot, key: str, label: str) -> ChecklistItem:
    met = key in snapshot.met_requirements
    if met:
        detail = _("Confirmed by course staff")
    elif snapshot.recertifying:
        detail = _("Staff confirm it again for each recertification")
    else:
        detail = _("Not yet confirmed by course staff")
    return ChecklistItem(f"{ADDITIONAL_PREFIX}{key}", label, met, detail)


def _approval_item(snapshot: Snapshot, others_met: bool) -> ChecklistItem:
    reason = snapshot.approval_reason.strip()
    if snapshot.approval == APPROVED:
        detail = _("Approved")
    elif snapshot.approval == REJECTED:
        detail = (_("Not approved: {reason}").format(reason=reason) if reason
                  else _("Not approved: contact the course staff"))
    elif snapshot.recertifying:
        detail = (_("Waiting for the course staff to approve your recertification") if others_met
                  else _("Staff approve each recertification again, once the other requirements are met"))
    elif others_met:
        detail = _("Waiting for the course staff to approve")
    else:
        detail = _("Staff approve once the other requirements are met")
    return ChecklistItem("approval", _("Approval by the course staff"), snapshot.approval == APPROVED, detail)


# Wording and numbers -----------------------------------------------------------------------------


def _lessons_label(min_completion: float) -> str:
    if _reaches(min_completion, 1.0):
        return _("Complete all lessons")
    return _("Complete at least {needed} of lessons").format(needed=_threshold(min_completion))


def _grade_label(min_grade: float | None, passing_grade: float | None = None) -> str:
    if min_grade is None:
        return _("Pass the course") if passing_grade is None else (
            _("Pass the course (passing grade: {cutoff})").format(cutoff=_threshold(passing_grade)))
    return _("Reach a course grade of at least {needed}").format(needed=_threshold(min_grade))


def _cutoff(value: Any) -> float | None:
    """The host's grade cutoff as a share 0..1, or None when it is unknown or not a share."""
    try:
        share = None if value is None or isinstance(value, bool) else float(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return share if share is not None and 0 <= share <= 1 else None


def _title(titles: Mapping[str, str], key: str) -> str:
    """A block's title, or its usage key when the title is unknown or blank."""
    return titles.get(key, "").strip() or key


def _reaches(value: float, minimum: float) -> bool:
    """``value >= minimum``, tolerant of float noise."""
    return value >= minimum - _EPSILON


def _shown(value: float, minimum: float | None = None) -> str:
    """A learner's share as a whole percentage, rounded to the nearest (as the LMS shows grades),
    except that an unmet share never displays as reaching its minimum ("69%", never "70% (needs 70%)")."""
    percent = math.floor(value * 100 + 0.5 + 100 * _EPSILON)
    if minimum is not None and not _reaches(value, minimum):
        percent = min(percent, math.ceil(minimum * 100 - 100 * _EPSILON) - 1)
    return f"{max(percent, 0)}%"


def _threshold(value: float) -> str:
    """A required share as a whole percentage, rounded up, so that it never looks met when it is not."""
    return f"{math.ceil(value * 100 - 100 * _EPSILON)}%"


# Plumbing ----------------------------------------------------------------------------------------


def _check(requirements: Requirements) -> None:
    problems = validate_requirements(requirements)
    if problems:
        raise ValueError("Invalid certificate requirements: " + " ".join(problems))


def _duplicates(values: Iterable[str]) -> list[str]:
    return [value for value, count in Counter(values).items() if count > 1]


def _number(name: str, value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError, OverflowError):  # OverflowError: an int too large for a float
        raise ValueError(f"{name} must be a number between 0 and 1; got {value!r}.") from None


def _sequence(name: str, value: Iterable[Any]) -> Iterable[Any]:
    if isinstance(value, (str, bytes)):  # a lone key would otherwise be split into characters
        raise TypeError(f"{name} must be a list, not a single string; got {value!r}.")
    return value


def _set(instance: object, name: str, value: Any) -> None:
    """Assign a field of a frozen dataclass while it is being built."""
    object.__setattr__(instance, name, value)
