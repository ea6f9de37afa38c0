"""A course's certificate configuration: validating and saving what staff set.

Owns ``configure_course`` and the checks of its fields (shares, usage keys,
validity, hours, additional requirements, the template). Saving it enables
the course and, the first time, schedules the backfill. Writes:
CourseCertificateConfig (and AuditEvent through ``record_audit``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import IntegrityError, transaction
from opaque_keys.edx.keys import CourseKey

from cert_plugin import requirements, scheduling
from cert_plugin.domain.shared import (
    RequirementsError,
    TemplateError,
    UnknownCourse,
    get_host,
    parse_course_key,
    record_audit,
)
from cert_plugin.models import (
    AuditEvent,
    CertificateTemplate,
    CourseCertificateConfig,
    RequirementRecord,
)


def configure_course(
    course_key: CourseKey | str,
    *,
    enabled: bool = True,
    template: CertificateTemplate | str | None = None,
    min_grade: float | None = None,
    min_completion: float = 1.0,
    required_quizzes: Sequence[str] = (),
    min_quiz_score: float = 0.7,
    requires_approval: bool = False,
    additional_requirements: Sequence[Mapping[str, str]] = (),
    validity_days: int | None = None,
    hours: Decimal | float | str | None = None,
    by: Any = None,
    backfill: bool = True,
) -> CourseCertificateConfig:
    """Create or replace a course's certificate offer and its requirements.

    Invalid requirements raise RequirementsError naming the problem. Turning a
    course's certificate on (also long after learners finished it) schedules a
    backfill, so learners who already qualify receive their certificate; pass
    ``backfill=False`` to run it later (``cert_backfill``).
    """
    key = parse_course_key(course_key)
    host = get_host()
    course = host.course(key)
    if course is None:
        raise UnknownCourse(f"The LMS has no course {key}.")
    rules, settings, problems = _checked(
        key, host, min_grade=min_grade, min_completion=min_completion, required_quizzes=required_quizzes,
        min_quiz_score=min_quiz_score, requires_approval=requires_approval,
        additional_requirements=additional_requirements, validity_days=validity_days, hours=hours)
    if problems:
        raise RequirementsError(" ".join(problems))
    template_obj = _resolve_template(template, org=course.org)
    values = {
        "enabled": bool(enabled),
        "template": template_obj,
        "min_grade": rules.min_grade,
        "min_completion": rules.min_completion,
        "required_quizzes": list(rules.required_quizzes),
        "min_quiz_score": rules.min_quiz_score,
        "requires_approval": rules.requires_approval,
        "additional_requirements": settings["additional_requirements"],
        "validity_days": settings["validity_days"],
        "hours": settings["hours"],
    }
    return _save_config(key, values, by=by, backfill=backfill)


def configuration_problems(
    course_key: CourseKey | str,
    *,
    enabled: bool = True,
    min_grade: float | None = None,
    min_completion: float = 1.0,
    required_quizzes: Sequence[str] = (),
    min_quiz_score: float = 0.7,
    requires_approval: bool = False,
    additional_requirements: Sequence[Mapping[str, str]] = (),
    validity_days: int | None = None,
    hours: Decimal | float | str | None = None,
) -> list[str]:
    """Every problem :func:`configure_course` would refuse these settings for, one message each;
    empty when they are sound. Saves nothing (the staff settings form shows them all at once).
    ``enabled`` is accepted (any value is sound) so the same arguments can be passed to both."""
    key = parse_course_key(course_key)
    host = get_host()
    if host.course(key) is None:
        raise UnknownCourse(f"The LMS has no course {key}.")
    return _checked(key, host, min_grade=min_grade, min_completion=min_completion,
                    required_quizzes=required_quizzes, min_quiz_score=min_quiz_score,
                    requires_approval=requires_approval, additional_requirements=additional_requirements,
                    validity_days=validity_days, hours=hours)[2]


_DEFAULT_SHARES = {"min_grade": None, "min_completion": 1.0, "min_quiz_score": 0.7}


def _checked(key: CourseKey, host: Any, *, min_grade: Any, min_completion: Any, required_quizzes: Any,
             min_quiz_score: Any, requires_approval: Any, additional_requirements: Any, validity_days: Any,
             hours: Any) -> tuple[requirements.Requirements, dict[str, Any], list[str]]:
    """The requirements, the other settings as stored, and every problem with them.

    Values of any type are checked here, so that a bad one is a problem, never another exception,
    and nothing is saved (the database would refuse some only at save time). A value with a problem
    is replaced by its default while the rest are judged, so one call reports every problem.
    """
    problems: list[str] = []
    shares = {name: _share(name, value, problems, optional=name == "min_grade") for name, value in (
        ("min_grade", min_grade), ("min_completion", min_completion), ("min_quiz_score", min_quiz_score))}
    shares = {name: _DEFAULT_SHARES[name] if value is None and name != "min_grade" else value
              for name, value in shares.items()}
    quizzes = _usage_keys(required_quizzes, problems)
    extra = _normalize_additional(additional_requirements, problems)
    settings = {"additional_requirements": extra, "validity_days": _validity_days(validity_days, problems),
                "hours": _hours(hours, problems)}
    rules = requirements.Requirements(
        min_grade=shares["min_grade"],
        min_completion=shares["min_completion"],  # type: ignore[arg-type]  # never None (defaults above)
        required_quizzes=quizzes,
        min_quiz_score=shares["min_quiz_score"],  # type: ignore[arg-type]
        requires_approval=bool(requires_approval),
        additional_requirements=tuple((item["key"], item["label"]) for item in extra),
    )
    graded = {str(block.usage_key) for block in host.outline(key) if block.graded}
    problems += requirements.validate_requirements(rules, graded_keys=graded)
    return rules, settings, problems


def _save_config(key: CourseKey, values: dict[str, Any], *, by: Any,
                 backfill: bool) -> CourseCertificateConfig:
    """Write the config under its row lock; a concurrent first save (no row to lock yet) retries once."""
    for attempt in (1, 2):
        try:
            return _save_config_once(key, values, by=by, backfill=backfill)
        except IntegrityError:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _save_config_once(key: CourseKey, values: dict[str, Any], *, by: Any,
                      backfill: bool) -> CourseCertificateConfig:
    with transaction.atomic():
        config = CourseCertificateConfig.objects.select_for_update().filter(course_key=key).first()
        was_enabled = bool(config and config.enabled)
        if config is None:
            config = CourseCertificateConfig(course_key=key)
        _refuse_archived(values.get("template"), current=config.template_id)
        changes = {
            field: _jsonable(value)
            for field, value in values.items()
            if getattr(config, field, None) != value or config.pk is None
        }
        for field, value in values.items():
            setattr(config, field, value)
        config.save()
        if changes:
            record_audit(AuditEvent.CONFIGURED, key, actor=by, **changes)
        if backfill and config.enabled and not was_enabled:
            scheduling.enqueue("cert_plugin.tasks.backfill_course", str(key))
    return config


def _refuse_archived(template: CertificateTemplate | None, *, current: int | None) -> None:
    """A course may keep the template it has, never take up an archived one.

    The template's row is locked, as ``archive_template`` locks it before it looks for courses
    using it: a course cannot take the template up while it is being archived.
    """
    if template is None or template.pk == current:
        return
    locked = CertificateTemplate.objects.select_for_update().filter(pk=template.pk).first()
    if locked is not None and locked.archived_at is not None:
        raise TemplateError(f"The template {locked.name!r} is archived: unarchive it before a course "
                            "uses it.")


_MAX_VALIDITY_DAYS = 36500  # 100 years: any longer and an expiry date would leave the calendar


_MAX_HOURS = Decimal(100000)  # CourseCertificateConfig.hours holds 5 digits before the point


_CENTS = Decimal("0.01")


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:39] + "…"


def _share(name: str, value: Any, problems: list[str], *, optional: bool = False) -> float | None:
    """A share 0..1 as a float (its range is judged by requirements.validate_requirements)."""
    if value is None and optional:
        return None
    try:
        return float(value)
    except (TypeError, ValueError, OverflowError):
        problems.append(f"{name} must be a number between 0 and 1 (a share, e.g. 0.8 for 80%); "
                        f"got {_short(value)}.")
        return None


def _is_list(value: Any) -> bool:
    return isinstance(value, Iterable) and not isinstance(value, str | bytes | Mapping)


def _usage_keys(values: Any, problems: list[str]) -> tuple[str, ...]:
    if not _is_list(values):
        problems.append(f"required_quizzes must be a list of usage keys; got {_short(values)}.")
        return ()
    keys = tuple(str(value) for value in values)
    if any("\x00" in key for key in keys):
        problems.append("A required quiz key contains a NUL character.")
    return keys


def _validity_days(value: Any, problems: list[str]) -> int | None:
    if value is None or value == "":
        return None
    try:
        days = int(value)
        whole = not isinstance(value, bool) and Decimal(str(value)) == days
    except (TypeError, ValueError, OverflowError, ArithmeticError):
        whole = False
    if not whole or not 1 <= days <= _MAX_VALIDITY_DAYS:
        problems.append(f"Validity must be a whole number of days from 1 to {_MAX_VALIDITY_DAYS} "
                        "(100 years), or empty for no expiry.")
        return None
    return days


def _hours(value: Any, problems: list[str]) -> Decimal | None:
    """Hours as stored: rounded to hundredths, positive and below 100000."""
    if value is None or value == "":
        return None
    try:
        number = None if isinstance(value, bool) else Decimal(str(value))
        if number is not None and number.is_finite() and abs(number) < _MAX_HOURS * 10:
            number = number.quantize(_CENTS, rounding=ROUND_HALF_UP)
    except (TypeError, ValueError, ArithmeticError):
        number = None
    if number is None or not number.is_finite() or not Decimal(0) < number < _MAX_HOURS:
        problems.append(f"Hours must be a positive number below {_MAX_HOURS}.")
        return None
    return number


def _normalize_additional(items: Any, problems: list[str] | None = None) -> list[dict[str, str]]:
    """``[{"key", "label"}]`` from dicts or plain labels; what cannot be one is a problem."""
    problems = [] if problems is None else problems
    if not _is_list(items):
        problems.append(f"additional_requirements must be a list; got {_short(items)}.")
        return []
    longest = RequirementRecord._meta.get_field("key").max_length or 100
    result = []
    for item in items:
        if isinstance(item, str):
            item = {"key": item, "label": item}
        if not isinstance(item, Mapping):
            problems.append('Each additional requirement must be {"key": ..., "label": ...}; '
                            f"got {_short(item)}.")
            continue
        key = str(item.get("key", "")).strip()
        label = str(item.get("label", "") or key).strip()
        if len(key) > longest:
            problems.append(f"Additional requirement key {_short(key)} is longer than {longest} characters.")
        prefix = requirements.ADDITIONAL_PREFIX
        if key.startswith(prefix):
            problems.append(f'Additional requirement key {_short(key)} starts with "{prefix}", which the '
                            "learner's checklist puts before every key; leave it out.")
        if "\x00" in key + label:
            problems.append(f"Additional requirement {_short(key)} contains a NUL character.")
        result.append({"key": key, "label": label})
    return result


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, CertificateTemplate):
        return value.name
    return value


def _resolve_template(template: CertificateTemplate | str | None, *, org: str) -> CertificateTemplate | None:
    if template is None or isinstance(template, CertificateTemplate):
        return template
    if not isinstance(template, str) or "\x00" in template:
        raise TemplateError(f"There is no certificate template named {_short(template)}.")
    candidates = CertificateTemplate.objects.filter(name=template, org__in=[org, ""])
    found = sorted(candidates, key=lambda t: t.org != org)  # the course's organization first
    if not found:
        raise TemplateError(f"There is no certificate template named {template!r}.")
    return found[0]
