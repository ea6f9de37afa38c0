"""The public Python API of cert_plugin: the one door to its records.

Views, the REST API, admin, the XBlock, receivers, tasks and management
commands call these functions; nothing else writes the plugin's models.
``course_key`` arguments accept an opaque-keys ``CourseKey`` or its string.
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property, lru_cache
from itertools import islice
from typing import TYPE_CHECKING, Any, TypeGuard

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import IntegrityError, connections, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.module_loading import import_string
from opaque_keys import InvalidKeyError
from opaque_keys.edx.keys import CourseKey

from cert_plugin import codes, conf, notify, requirements, scheduling
from cert_plugin.credentials import signing
from cert_plugin.credentials.errors import PdfSigningError
from cert_plugin.data import (
    ChecklistItem,
    CourseStatus,
    Download,
    LearnerPage,
    LearnerRow,
    Progress,
    Verification,
)
from cert_plugin.host.base import BlockInfo, CourseInfo, GradeInfo, Host, LearnerInfo
from cert_plugin.models import (
    Approval,
    AuditEvent,
    BrandingAsset,
    Certificate,
    CertificateTemplate,
    CertificateTemplateVersion,
    CourseCertificateConfig,
    Job,
    OrganizationBranding,
    OutboxTask,
    ReissueRequest,
    RenderedFile,
    RequirementRecord,
    SigningKey,
    TemplateAsset,
)
from cert_plugin.rendering import builtin
from cert_plugin.rendering import context as page_context
from cert_plugin.rendering import html as sandbox
from cert_plugin.rendering.base import Asset, RenderError

if TYPE_CHECKING:
    from types import ModuleType

log = logging.getLogger(__name__)

__all__ = [
    "BRANDING_LOGO",
    "LEARNER_STATUSES",
    "STATUS_LIST_SIZE",
    "BackfillReport",
    "BrandingError",
    "CertPluginError",
    "ChecklistItem",
    "CourseStatus",
    "Download",
    "InvalidCourseKey",
    "LearnerPage",
    "LearnerRow",
    "Progress",
    "RenderFailed",
    "RequirementsError",
    "TemplateError",
    "UnknownCourse",
    "Verification",
    "active_certificate",
    "announce",
    "approve",
    "attachable_courses",
    "audit_events",
    "audit_trail",
    "awaiting_approval",
    "backfill",
    "branding",
    "branding_asset",
    "builtin_templates",
    "cached_file",
    "can_edit_org",
    "can_edit_template",
    "can_use_template_editor",
    "can_view",
    "certificate_by_code",
    "certificates_for",
    "configure_course",
    "course_learner",
    "course_learners",
    "courses_using",
    "create_template",
    "credential_json",
    "credential_jwt",
    "decide_reissue_request",
    "download",
    "duplicate_template",
    "editable_orgs",
    "editor_templates",
    "enrolled_count",
    "evaluate",
    "evaluate_ids",
    "export_rows",
    "get_config",
    "get_host",
    "get_progress",
    "issue",
    "issuer_jwks",
    "issuer_profile",
    "job",
    "learner_overview",
    "mark_requirement_met",
    "notify_backend",
    "org_courses",
    "parse_course_key",
    "preview_template",
    "preview_template_version",
    "public_certificates",
    "queue_backfill",
    "recent_jobs",
    "reissue",
    "reissue_all",
    "reissue_requests",
    "reject",
    "render_files",
    "render_pdf",
    "render_png",
    "request_reissue",
    "requirements_summary",
    "restore_template_version",
    "revoke",
    "revoked_status_indexes",
    "run_job",
    "send_expiry_reminders",
    "set_branding",
    "set_course_template",
    "set_public",
    "signature_payload",
    "signature_valid",
    "signing_keys",
    "start_job",
    "status_list_credential",
    "status_list_jwt",
    "template_asset",
    "template_by_id",
    "template_sample_data",
    "template_variables",
    "template_versions",
    "templates",
    "update_template",
    "verify",
    "verify_url",
]


# --------------------------------------------------------------------------- errors


class CertPluginError(Exception):
    """Base of the errors the API raises for bad input; the message is for people."""


class InvalidCourseKey(CertPluginError, ValueError):
    """The text is not a course key."""


class UnknownCourse(CertPluginError, LookupError):
    """The host LMS does not know the course."""


class RequirementsError(CertPluginError, ValueError):
    """A course's certificate requirements are not valid."""


class TemplateError(CertPluginError, ValueError):
    """A certificate template is not valid (the message names the line and reason)."""

    def __init__(self, message: str, *, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line  # 1-based line of the HTML it concerns, when known


class RenderFailed(CertPluginError):
    """A certificate could not be rendered now; it stays issued and valid, and a retry may succeed."""


# --------------------------------------------------------------------------- helpers


_MAX_COURSE_KEY = 255  # the course_key columns (and edx-platform's CourseOverview.id) hold no more


def parse_course_key(course_key: CourseKey | str) -> CourseKey:
    """The CourseKey for ``course_key``, or InvalidCourseKey with a readable message.

    A key longer than a course key column holds is refused too: no course can have it, and a
    lookup or a write with it would fail in the database (PostgreSQL, MySQL) instead.
    """
    text = str(course_key or "").strip()
    if isinstance(course_key, CourseKey) and len(text) <= _MAX_COURSE_KEY:
        return course_key
    try:
        if len(text) <= _MAX_COURSE_KEY:
            return CourseKey.from_string(text)
    except InvalidKeyError:
        pass
    shown = text if len(text) <= 80 else text[:79] + "…"
    raise InvalidCourseKey(
        f"{shown!r} is not a valid course key; expected something like "
        f"'course-v1:Org+Course+Run'."
    ) from None


@lru_cache(maxsize=4)
def _host_for(path: str) -> Host:
    return import_string(path)()


def get_host() -> Host:
    """The configured host adapter (``CERT_PLUGIN["HOST"]``), one instance per path."""
    return _host_for(conf.get().HOST)


def _audit(action: str, course_key: CourseKey, *, user: Any = None, certificate: Certificate | None = None,
           actor: Any = None, reason: str = "", **data: Any) -> None:
    AuditEvent.objects.create(action=action, course_key=course_key, user=user, certificate=certificate,
                              actor=actor, reason=reason, data=data)


def _user_id(user: Any) -> int | None:
    return getattr(user, "pk", None)


def get_config(course_key: CourseKey | str) -> CourseCertificateConfig | None:
    """The course's certificate configuration, or None if it never had one."""
    return CourseCertificateConfig.objects.filter(course_key=parse_course_key(course_key)).first()


def active_certificate(user: Any, course_key: CourseKey | str) -> Certificate | None:
    """The learner's active certificate in the course (possibly expired), if any."""
    return (
        Certificate.objects.select_related("template_version")
        .filter(user=user, course_key=parse_course_key(course_key), active=True)
        .first()
    )


# --------------------------------------------------------------------------- configuration


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
    # Values of any type are checked here, so that a bad one is a RequirementsError, never another
    # exception, and nothing is saved (the database would refuse some only at save time).
    problems: list[str] = []
    shares = {name: _share(name, value, problems, optional=name == "min_grade") for name, value in (
        ("min_grade", min_grade), ("min_completion", min_completion), ("min_quiz_score", min_quiz_score))}
    quizzes = _usage_keys(required_quizzes, problems)
    extra = _normalize_additional(additional_requirements, problems)
    validity = _validity_days(validity_days, problems)
    hours_value = _hours(hours, problems)
    if problems:
        raise RequirementsError(" ".join(problems))
    rules = requirements.Requirements(
        min_grade=shares["min_grade"],
        min_completion=shares["min_completion"],  # type: ignore[arg-type]  # None only with a problem
        required_quizzes=quizzes,
        min_quiz_score=shares["min_quiz_score"],  # type: ignore[arg-type]
        requires_approval=bool(requires_approval),
        additional_requirements=tuple((item["key"], item["label"]) for item in extra),
    )
    graded = {str(block.usage_key) for block in host.outline(key) if block.graded}
    problems = requirements.validate_requirements(rules, graded_keys=graded)
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
        "additional_requirements": extra,
        "validity_days": validity,
        "hours": hours_value,
    }
    with transaction.atomic():
        config = CourseCertificateConfig.objects.select_for_update().filter(course_key=key).first()
        was_enabled = bool(config and config.enabled)
        if config is None:
            config = CourseCertificateConfig(course_key=key)
        changes = {
            field: _jsonable(value)
            for field, value in values.items()
            if getattr(config, field, None) != value or config.pk is None
        }
        for field, value in values.items():
            setattr(config, field, value)
        config.save()
        if changes:
            _audit(AuditEvent.CONFIGURED, key, actor=by, **changes)
        if backfill and config.enabled and not was_enabled:
            scheduling.enqueue("cert_plugin.tasks.backfill_course", str(key))
    return config


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


# --------------------------------------------------------------------------- progress


def requirements_summary(course_key: CourseKey | str) -> list[str]:
    """The course's certificate requirements in plain sentences ([] when it offers none).

    Raises RequirementsError (saying what is wrong) for a configuration saved
    before today's validation rules; the staff settings form fixes it.
    """
    key = parse_course_key(course_key)
    config = get_config(key)
    if config is None:
        return []
    titles = {str(block.usage_key): block.title for block in get_host().outline(key)}
    try:
        return requirements.summarize(_requirements_of(config), block_titles=titles)
    except ValueError as exc:
        raise RequirementsError(str(exc)) from None


def _requirements_of(config: CourseCertificateConfig) -> requirements.Requirements:
    return requirements.Requirements(
        min_grade=config.min_grade,
        min_completion=config.min_completion,
        required_quizzes=tuple(config.required_quizzes or ()),
        min_quiz_score=config.min_quiz_score,
        requires_approval=config.requires_approval,
        additional_requirements=tuple(
            (item["key"], item["label"]) for item in (config.additional_requirements or ())
        ),
    )


def _lessons(outline: Iterable[BlockInfo]) -> tuple[tuple[str, str], ...]:
    return tuple((str(b.usage_key), b.title) for b in outline if b.completable)


class _Course:
    """The course-level facts an evaluation reads: config, course, outline, rules, template.

    Each is read on first use and kept for the object's life, so a learner who
    already holds a certificate costs no course reads at all. ``get_progress``
    and ``evaluate`` make one per call; a backfill makes one for its whole run
    (a settings or template change made meanwhile applies from the next run).
    """

    def __init__(self, key: CourseKey, host: Host | None = None) -> None:
        self.key = key
        self.host = host or get_host()
        # The signing key id a certificate issued through this object was saved with: its
        # SigningKey row exists, so later issues in the same run need not check it again.
        self.registered_key_id = ""

    @cached_property
    def config(self) -> CourseCertificateConfig | None:
        return get_config(self.key)

    @property
    def offered(self) -> bool:
        return self.config is not None and self.config.enabled

    @cached_property
    def info(self) -> CourseInfo | None:
        return self.host.course(self.key)

    def require_info(self) -> CourseInfo:
        """The host's course, or UnknownCourse."""
        info = self.info
        if info is None:
            raise UnknownCourse(f"The LMS has no course {self.key}.")
        return info

    @cached_property
    def rules(self) -> requirements.Requirements:
        if self.config is None:
            raise CertPluginError(f"{self.key} offers no certificate.")
        return _requirements_of(self.config)

    @cached_property
    def outline(self) -> list[BlockInfo]:
        return self.host.outline(self.key)

    @cached_property
    def lessons(self) -> tuple[tuple[str, str], ...]:
        return _lessons(self.outline)

    @cached_property
    def varies(self) -> bool:
        """Whether learners see different parts of the course (host's ``outline_varies_by_learner``).

        Asked once per object (once per backfill run); only then is each
        learner's own outline read (``learner_outline``), so a course that is
        the same for everyone costs no per-learner structure reads.
        """
        varies = getattr(self.host, "outline_varies_by_learner", None)
        if not callable(varies) or not callable(getattr(self.host, "learner_outline", None)):
            return False
        return bool(varies(self.key))

    @cached_property
    def block_titles(self) -> dict[str, str]:
        return {str(b.usage_key): b.title for b in self.outline}

    @cached_property
    def template_version(self) -> CertificateTemplateVersion:
        return _template_version(self.config)


@dataclass
class _LearnerFacts:
    """The host's facts about one learner in one course, read on first need (or prefetched in bulk)."""

    grade: GradeInfo | None = None
    completed: set[Any] | None = None  # usage keys completed
    outline: list[BlockInfo] | None = None  # the learner's own outline, in a course that varies by learner


@dataclass(frozen=True)
class _Standing:
    """The learner's certificates in one course, from a single read."""

    active: Certificate | None  # the active certificate (possibly expired)
    last_revoked: Certificate | None  # the newest certificate if revoked (never re-issued automatically)


def _standing(user: Any, key: CourseKey, *, with_template: bool = True) -> _Standing:
    """``with_template`` joins each certificate's template version (what pages showing it read)."""
    query = Certificate.objects.filter(user=user, course_key=key).order_by("-issued_at", "-id")
    if with_template:
        query = query.select_related("template_version")
    rows = list(query)
    active = next((row for row in rows if row.active), None)
    revoked = rows[0] if rows and rows[0].state == Certificate.REVOKED else None
    return _Standing(active=active, last_revoked=revoked)


def _snapshot(user: Any, course: _Course, facts: _LearnerFacts) -> requirements.Snapshot:
    """The learner's progress as the requirements engine reads it; fills ``facts`` with what it read."""
    host, key, rules = course.host, course.key, course.rules
    if facts.grade is None:
        facts.grade = host.grade(user, key)
    if facts.completed is None:
        facts.completed = host.completed_blocks(user, key)
    lessons, unavailable = course.lessons, frozenset[str]()
    if course.varies:  # count lessons over what this learner can see (cohorts, item banks, gating...)
        if facts.outline is None:
            facts.outline = list(host.learner_outline(user, key))  # type: ignore[attr-defined]
        lessons = _lessons(facts.outline)
        own = {str(block.usage_key) for block in facts.outline}
        unavailable = frozenset(quiz for quiz in rules.required_quizzes
                                if quiz in course.block_titles and quiz not in own)
    met: Iterable[str] = ()
    if rules.additional_requirements:  # records only matter for a course that has such requirements
        records = RequirementRecord.objects.filter(user=user, course_key=key, met=True)
        met = records.values_list("key", flat=True)
    approval = None
    if rules.requires_approval:
        decisions = Approval.objects.filter(user=user, course_key=key).values_list("decision", flat=True)
        decision = decisions.first()
        approval = decision if decision in (Approval.APPROVED, Approval.REJECTED) else None
    grade = facts.grade
    return requirements.Snapshot(
        lessons=lessons,
        completed=frozenset(str(k) for k in facts.completed),
        grade_percent=float(grade.percent),
        grade_passed=bool(grade.passed),
        scores=dict(grade.scores),
        block_titles=course.block_titles,
        met_requirements=frozenset(met),
        approval=approval,
        unavailable=unavailable,
    )


def _is_current(certificate: Certificate | None) -> TypeGuard[Certificate]:
    return certificate is not None and certificate.status == Certificate.ISSUED


def get_progress(user: Any, course_key: CourseKey | str) -> Progress:
    """Where the learner stands: status, eligibility and the requirement checklist."""
    key = parse_course_key(course_key)
    return _progress(user, _Course(key), _standing(user, key), _LearnerFacts())


def _progress(user: Any, course: _Course, standing: _Standing, facts: _LearnerFacts) -> Progress:
    current = standing.active
    if _is_current(current):
        return Progress(status="issued", eligible=True, certificate=current,
                        message="Your certificate is ready to download.")
    if not course.offered:
        return Progress(status="not_offered", eligible=False,
                        message="This course does not offer a certificate.")
    course.require_info()
    outcome = requirements.evaluate(course.rules, _snapshot(user, course, facts))
    revoked = standing.last_revoked
    if revoked is not None:
        return Progress(status="in_progress", eligible=outcome.eligible, items=outcome.items,
                        certificate=revoked,
                        message=f"Your certificate was revoked on {revoked.revoked_at:%Y-%m-%d}. "
                                "Contact the course staff.")
    if outcome.awaiting_approval:
        return Progress(status="pending_approval", eligible=False, items=outcome.items,
                        message="All other requirements are met. The course staff will review your work and "
                                "approve your certificate.")
    missing = [item for item in outcome.items if not item.met]
    message = "" if outcome.eligible else (
        f"{len(missing)} requirement{'s' if len(missing) != 1 else ''} left: "
        + "; ".join(item.label for item in missing) + "."
    )
    if current is not None and current.status == Certificate.EXPIRED:
        message = (f"Your certificate expired on {current.expires_at:%Y-%m-%d}. "
                   "Meet the requirements again to recertify. " + message).strip()
    return Progress(status="in_progress", eligible=outcome.eligible, items=outcome.items, message=message)


# --------------------------------------------------------------------------- issuing


def evaluate(user: Any, course_key: CourseKey | str) -> Certificate | None:
    """Issue the learner's certificate if they now qualify; idempotent.

    Returns the active certificate (new or existing), or None while the
    learner does not qualify. Repeated and concurrent calls never create a
    second active certificate. A revoked certificate is not replaced
    automatically: only staff ``issue`` does that.
    """
    return _evaluate(user, _Course(parse_course_key(course_key)))[0]


def _evaluate(user: Any, course: _Course, facts: _LearnerFacts | None = None, *,
              backfill: bool = False) -> tuple[Certificate | None, Progress | None]:
    """:func:`evaluate`, also giving the progress it computed (None when already issued).

    ``facts`` may carry the learner's grade and completions read in bulk; a
    backfill only counts the certificates it finds, so it skips their template.
    """
    standing = _standing(user, course.key, with_template=not backfill)
    if _is_current(standing.active):
        return standing.active, None
    facts = facts if facts is not None else _LearnerFacts()
    progress = _progress(user, course, standing, facts)
    _mark_awaiting(user, course.key, progress)
    if progress.status != "in_progress" or not progress.eligible or progress.certificate is not None:
        return None, progress  # not yet qualified, awaiting approval, or revoked (only staff re-issue)
    # Only a certificate active when ``standing`` was read can be an expired one to retire: one
    # issued since by a concurrent evaluation is current, and the insert below then yields to it.
    certificate = _issue(user, course, actor=None, reason="", grade=facts.grade,
                         retire=standing.active is not None)
    return certificate, progress


def _mark_awaiting(user: Any, key: CourseKey, progress: Progress) -> None:
    """Keep the "awaiting approval" marker in step with the learner's progress."""
    awaiting = progress.status == "pending_approval"
    if not awaiting and not any(item.key == "approval" for item in progress.items):
        return  # the course needs no approval, so there is no marker to clear
    if awaiting:
        try:
            with transaction.atomic():
                Approval.objects.get_or_create(user=user, course_key=key,
                                               defaults={"decision": Approval.AWAITING})
        except IntegrityError:
            pass  # marked concurrently
    else:
        Approval.objects.filter(user=user, course_key=key, decision=Approval.AWAITING).delete()


def evaluate_ids(user_id: int, course_key: str) -> Certificate | None:
    """:func:`evaluate` for task and event payloads: unknown users or courses are logged and ignored."""
    user = get_user_model().objects.filter(pk=user_id).first()
    if user is None:
        log.warning("cert_plugin: ignoring evaluation for unknown user id %s in %s", user_id, course_key)
        return None
    try:
        return evaluate(user, course_key)
    except (InvalidCourseKey, UnknownCourse) as exc:
        log.warning("cert_plugin: ignoring evaluation of user %s: %s", user_id, exc)
        return None


def issue(user: Any, course_key: CourseKey | str, *, by: Any = None, reason: str = "") -> Certificate:
    """Issue a certificate now, whatever the requirements say (a staff override).

    Returns the existing active certificate when the learner already holds
    one. Also replaces a revoked certificate (with a new code).
    """
    key = parse_course_key(course_key)
    current = active_certificate(user, key)
    if _is_current(current):
        return current
    return _issue(user, _Course(key), actor=by, reason=reason or "Issued by course staff")


def _template_version(config: CourseCertificateConfig | None) -> CertificateTemplateVersion:
    template = config.template if config is not None else None
    version = template.current_version if template is not None else None
    return version or _builtin_version(builtin.builtin_templates()[0])


def _builtin_version(source: builtin.BuiltinTemplate) -> CertificateTemplateVersion:
    """A built-in template's current version, created on first use and when a release changes it."""
    template, _ = CertificateTemplate.objects.get_or_create(org="", name=source.name,
                                                            defaults={"is_builtin": True})
    current = template.current_version
    hashes = {name: hashlib.sha256(content).hexdigest() for name, (content, _) in source.assets.items()}
    digest = CertificateTemplateVersion.compute_digest(source.html, source.css, source.orientation,
                                                       source.options, hashes.items())
    if current is not None and current.digest == digest:
        return current
    try:
        with transaction.atomic():
            return _create_version(template, html=source.html, css=source.css, orientation=source.orientation,
                                   options=dict(source.options), assets=source.assets)
    except IntegrityError:  # created concurrently
        latest = template.current_version
        if latest is None:
            raise
        return latest


# Bits in the revocation status list: 2^22 (512 KB raw, a few KB gzipped while sparse). At
# 100,000 certificates a random draw collides 2.4% of the time; a collision draws again.
STATUS_LIST_SIZE = 2**22
_ISSUE_ATTEMPTS = 10


def _issue(user: Any, course_facts: _Course, *, actor: Any, reason: str, grade: GradeInfo | None = None,
           retire: bool = True) -> Certificate:
    """Create the certificate; ``grade`` when the caller already read it, ``retire=False`` when it knows
    the learner held no active certificate (so there is no expired one to retire)."""
    key, host = course_facts.key, course_facts.host
    course = course_facts.require_info()
    config = course_facts.config
    learner = host.learner(user)
    if grade is None:
        grade = host.grade(user, key)
    version = course_facts.template_version
    now = timezone.now().replace(microsecond=0)  # the signed timestamp has whole seconds
    validity = config.validity_days if config is not None else None
    for _attempt in range(_ISSUE_ATTEMPTS):
        try:
            with transaction.atomic():
                if retire:
                    _retire_expired(user, key, now)
                certificate = Certificate(
                    verification_code=codes.generate(),
                    user=user,
                    course_key=key,
                    learner_name=learner.full_name,
                    course_title=course.title,
                    org=course.org,
                    issuer_name=conf.get().ISSUER_NAME or course.org,
                    hours=(config.hours if config is not None and config.hours is not None else course.hours),
                    grade=round(float(grade.percent), 4),
                    issued_at=now,
                    expires_at=now + timedelta(days=validity) if validity else None,
                    template_version=version,
                    language=course.language or "en",
                    status_index=secrets.randbelow(STATUS_LIST_SIZE),
                )
                _sign(certificate, registered_key_id=course_facts.registered_key_id)
                certificate.save(force_insert=True)
                _audit(AuditEvent.ISSUED, key, user=user, certificate=certificate, actor=actor, reason=reason,
                       learner_name=learner.full_name, template_version=version.pk)
                # In the same transaction: with a broker, the tasks' outbox rows commit with the certificate.
                _render_and_announce(certificate, "issued")
        except IntegrityError:
            existing = _locked_active(user, key)
            if existing is not None:
                return existing  # a concurrent evaluation issued it first
            continue  # a verification code (2^-80) or status index collision: draw again
        course_facts.registered_key_id = certificate.signing_key_id
        log.info("cert_plugin: issued %s to user %s in %s", certificate.verification_code, user.pk, key)
        return certificate
    raise IntegrityError(f"Could not issue a certificate after {_ISSUE_ATTEMPTS} attempts.")


def _locked_active(user: Any, key: CourseKey) -> Certificate | None:
    """Read the active row with a locking read, which sees rows committed after
    this transaction's snapshot (needed on MySQL's REPEATABLE READ)."""
    with transaction.atomic():
        return Certificate.objects.select_for_update().filter(user=user, course_key=key, active=True).first()


def _retire_expired(user: Any, key: CourseKey, now: Any) -> None:
    """Retire an expired active certificate so a recertification can take its place."""
    expired = Certificate.objects.filter(user=user, course_key=key, active=True, expires_at__lte=now)
    for certificate in expired.select_for_update():
        Certificate.objects.filter(pk=certificate.pk).update(active=None, state=Certificate.EXPIRED,
                                                             modified_at=now)
        _audit(AuditEvent.EXPIRED, key, user=user, certificate=certificate,
               reason="Expired; replaced by recertification")


def approve(user: Any, course_key: CourseKey | str, *, by: Any, reason: str = "") -> Certificate | None:
    """Record staff approval; issues the certificate when everything else is met too."""
    key = parse_course_key(course_key)
    _decide(user, key, Approval.APPROVED, by=by, reason=reason)
    return evaluate(user, key)


def reject(user: Any, course_key: CourseKey | str, *, by: Any, reason: str = "") -> Progress:
    """Record that staff do not approve the learner's certificate (the learner sees it)."""
    key = parse_course_key(course_key)
    _decide(user, key, Approval.REJECTED, by=by, reason=reason)
    return get_progress(user, key)


def _decide(user: Any, key: CourseKey, decision: str, *, by: Any, reason: str) -> None:
    with transaction.atomic():
        Approval.objects.update_or_create(user=user, course_key=key,
                                          defaults={"decision": decision, "by": by, "reason": reason})
        _audit(decision, key, user=user, actor=by, reason=reason)


def mark_requirement_met(user: Any, course_key: CourseKey | str, key: str, *, by: Any,
                         met: bool = True, reason: str = "") -> Progress:
    """Record staff's word on an additional requirement (attendance, project...).

    Issues the certificate when this was the last unmet requirement.
    """
    course = parse_course_key(course_key)
    config = get_config(course)
    known = {item["key"]: item["label"] for item in (config.additional_requirements if config else [])}
    if key not in known:
        raise RequirementsError(
            f"{course} has no additional requirement {key!r}; "
            f"known: {', '.join(sorted(known)) or 'none'}."
        )
    with transaction.atomic():
        RequirementRecord.objects.update_or_create(user=user, course_key=course, key=key,
                                                   defaults={"met": met, "by": by})
        action = AuditEvent.REQUIREMENT_MET if met else AuditEvent.REQUIREMENT_UNMET
        _audit(action, course, user=user, actor=by, reason=reason, requirement=key, label=known[key])
    if met:
        evaluate(user, course)
    return get_progress(user, course)


def revoke(certificate: Certificate, *, reason: str, by: Any = None,
           publish_reason: bool = False) -> Certificate:
    """Revoke a certificate; it then verifies as revoked (with the date)."""
    if not (reason or "").strip():
        raise CertPluginError("Say why the certificate is revoked; the reason is kept in the audit trail.")
    with transaction.atomic():
        locked = Certificate.objects.select_for_update().get(pk=certificate.pk)
        if locked.state == Certificate.REVOKED:
            return locked
        locked.state = Certificate.REVOKED
        locked.active = None
        locked.revoked_at = timezone.now()
        locked.revoke_reason = reason.strip()
        locked.revoke_reason_public = publish_reason
        locked.save()
        _audit(AuditEvent.REVOKED, locked.course_key, user=locked.user, certificate=locked, actor=by,
               reason=locked.revoke_reason)
        _announce(locked, "revoked")
    return locked


def reissue(certificate: Certificate, *, by: Any = None, reason: str = "") -> Certificate:
    """Refresh a certificate's snapshot (name, course title, hours, template)
    while keeping its verification code and dates; bumps its revision."""
    if certificate.state == Certificate.REVOKED:
        raise CertPluginError("A revoked certificate cannot be reissued; issue a new one instead.")
    host = get_host()
    course = host.course(certificate.course_key)
    learner = host.learner(certificate.user)
    version = _template_version(get_config(certificate.course_key))
    with transaction.atomic():
        locked = Certificate.objects.select_for_update().get(pk=certificate.pk)
        before = {"learner_name": locked.learner_name, "course_title": locked.course_title,
                  "template_version": locked.template_version_id, "revision": locked.revision}
        locked.learner_name = learner.full_name
        if course is not None:
            locked.course_title = course.title
        locked.template_version = version
        locked.revision += 1
        _sign(locked)
        locked.save()
        _audit(AuditEvent.REISSUED, locked.course_key, user=locked.user, certificate=locked, actor=by,
               reason=reason, before=before,
               after={"learner_name": locked.learner_name, "course_title": locked.course_title,
                      "template_version": version.pk, "revision": locked.revision})
        _render_and_announce(locked, "reissued")
    return locked


def set_public(certificate: Certificate, public: bool, *, by: Any = None) -> Certificate:
    """Publish the certificate on the learner's public profile (or hide it again).

    Only an issued (not revoked) certificate can be published; unpublishing is
    always allowed. Anyone can then open its page and PNG.
    """
    with transaction.atomic():
        locked = Certificate.objects.select_for_update().get(pk=certificate.pk)
        if public and locked.state == Certificate.REVOKED:
            raise CertPluginError("A revoked certificate cannot be published.")
        if locked.is_public == public:
            return locked
        locked.is_public = public
        locked.save(update_fields=["is_public", "modified_at"])
        _audit(AuditEvent.PUBLISHED if public else AuditEvent.UNPUBLISHED, locked.course_key,
               user=locked.user, certificate=locked, actor=by)
    return locked


def public_certificates(user: Any) -> list[Certificate]:
    """What a learner chose to show on their public profile: published, not revoked, newest first."""
    return list(Certificate.objects.filter(user=user, is_public=True).exclude(state=Certificate.REVOKED)
                .order_by("-issued_at", "-id"))


def revoked_status_indexes() -> list[int]:
    """Status-list positions of revoked certificates (for the published Bitstring Status List)."""
    rows = Certificate.objects.filter(state=Certificate.REVOKED, status_index__isnull=False)
    return [index for index in rows.values_list("status_index", flat=True) if index is not None]


# --------------------------------------------------------------------------- reading


def verify(code: str) -> Verification:
    """Check a verification code as a person typed, pasted or scanned it."""
    canonical = codes.normalize(code or "")
    if canonical is None:
        return Verification(status="not_found")
    certificate = Certificate.objects.select_related("template_version").filter(
        verification_code=canonical).first()
    if certificate is None:
        return Verification(status="not_found", code=codes.format_code(canonical))
    status = {"issued": "valid"}.get(certificate.status, certificate.status)
    newer = None
    if status == "expired":
        still_valid = Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now())
        newer = (Certificate.objects.filter(still_valid, user_id=certificate.user_id,
                                            course_key=certificate.course_key,
                                            issued_at__gt=certificate.issued_at, state=Certificate.ISSUED)
                 .order_by("-issued_at").first())
    return Verification(status=status, certificate=certificate, code=certificate.formatted_code, newer=newer,
                        signature_valid=signature_valid(certificate))


def certificates_for(user: Any) -> list[Certificate]:
    """Every certificate the learner was issued, newest first (revoked and expired included)."""
    return list(Certificate.objects.filter(user=user).order_by("-issued_at", "-id"))


def audit_trail(course_key: CourseKey | str, *, user: Any = None) -> list[AuditEvent]:
    """The course's audit events, newest first (optionally for one learner)."""
    return list(audit_events(course_key, user=user))


def audit_events(course_key: CourseKey | str, *, user: Any = None) -> QuerySet[AuditEvent]:
    """:func:`audit_trail` unread, for paging in SQL: a course's log grows with every learner."""
    events = AuditEvent.objects.filter(course_key=parse_course_key(course_key))
    if user is not None:
        events = events.filter(user=user)
    return events.select_related("actor", "user")


@dataclass
class BackfillReport:
    """Counts from evaluating every enrolled learner of a course."""

    course_key: str
    learners: int = 0
    issued: int = 0  # newly issued by this run
    already_issued: int = 0
    pending_approval: int = 0
    in_progress: int = 0
    failed: int = 0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


# Learners evaluated per bulk read of grades and completions (when the host offers bulk reads).
_BACKFILL_CHUNK = 500


def backfill(course_key: CourseKey | str, *,
             on_progress: Callable[[int], None] | None = None) -> BackfillReport:
    """Evaluate every enrolled learner; issue to those who already qualify.

    Safe to run again (it never duplicates) and safe to interrupt: a rerun
    picks up where the last one stopped, since evaluation is idempotent.
    The course's facts (config, course, outline, template) are read once per
    run; each learner costs one read of their certificates plus their grade
    and completions, which are read in bulk when the host offers
    ``grades_for`` / ``completed_blocks_for``.
    """
    key = parse_course_key(course_key)
    course = _Course(key)
    course.require_info()
    report = BackfillReport(course_key=str(key))
    learners: Iterable[Any] = course.host.enrolled_learners(key)
    for chunk in _chunks(learners, _BACKFILL_CHUNK):
        facts = _bulk_facts(course, chunk)
        for learner in chunk:
            report.learners += 1
            try:
                _backfill_one(learner, course, report, facts.get(_user_id(learner)))
            except Exception:  # one learner's bad data must not stop the course's backfill
                report.failed += 1
                log.exception("cert_plugin: backfill of user %s in %s failed", _user_id(learner), key)
            if on_progress is not None:
                on_progress(report.learners)
    log.info("cert_plugin: backfill %s", report.as_dict())
    return report


def _chunks(items: Iterable[Any], size: int) -> Iterable[list[Any]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _bulk_facts(course: _Course, learners: list[Any]) -> dict[Any, _LearnerFacts]:
    """Grades and completions of many learners in a few reads, when the host offers bulk reads.

    Learners the host left out are read one by one later; a failing bulk read
    is logged and falls back to that too.
    """
    if not course.offered:
        return {}  # nobody is evaluated against requirements
    facts: dict[Any, _LearnerFacts] = {_user_id(learner): _LearnerFacts() for learner in learners}
    grades_for = getattr(course.host, "grades_for", None)
    completed_for = getattr(course.host, "completed_blocks_for", None)
    try:
        if callable(grades_for):
            for user_id, grade in grades_for(learners, course.key).items():
                if user_id in facts:
                    facts[user_id].grade = grade
        if callable(completed_for):
            for user_id, completed in completed_for(learners, course.key).items():
                if user_id in facts:
                    facts[user_id].completed = set(completed)
    except Exception:  # the learners are then read one by one, each failing on its own if it must
        log.exception("cert_plugin: bulk read of grades or completions in %s failed", course.key)
        return {}
    return facts


def queue_backfill(course_key: CourseKey | str) -> None:
    """Send a backfill of the course to the workers (in process when there is no broker)."""
    key = parse_course_key(course_key)
    if get_host().course(key) is None:
        raise UnknownCourse(f"The LMS has no course {key}.")
    scheduling.enqueue("cert_plugin.tasks.backfill_course", str(key))


def enrolled_count(course_key: CourseKey | str) -> int | None:
    """How many learners a backfill will visit, when the host can tell cheaply."""
    learners = get_host().enrolled_learners(parse_course_key(course_key))
    for attribute in ("count", "__len__"):
        counter = getattr(learners, attribute, None)
        if callable(counter):
            return int(counter())
    return None


def _backfill_one(learner: Any, course: _Course, report: BackfillReport, facts: _LearnerFacts | None) -> None:
    certificate, progress = _evaluate(learner, course, facts, backfill=True)
    if progress is None:
        report.already_issued += 1
        return
    if certificate is not None:
        report.issued += 1
        return
    status = progress.status
    if status == "pending_approval":
        report.pending_approval += 1
    elif status == "issued":
        report.already_issued += 1
    else:
        report.in_progress += 1


# --------------------------------------------------------------------------- templates

MAX_ASSET_BYTES = 2 * 1024 * 1024  # per uploaded file; a certificate PDF must stay under 2 MB
ASSET_TYPES = {"image/png", "image/jpeg", "image/svg+xml", "image/webp", "image/gif"}
_ASSET_NAME = re.compile(r"^[a-z][a-z0-9_]{0,49}$")
_SIGNATURES = {b"\x89PNG": "image/png", b"\xff\xd8\xff": "image/jpeg", b"GIF8": "image/gif"}

AssetInput = bytes | tuple[bytes, str] | None  # content (type read from it), (content, mime); None removes


def templates(*, org: str | None = None) -> list[CertificateTemplate]:
    """Templates a course may pick: site-wide ones and, given ``org``, that organization's own."""
    builtin_templates()
    found = CertificateTemplate.objects.filter(org__in=["", org] if org else [""])
    return list(found.order_by("-is_builtin", "org", "name"))


def template_variables() -> dict[str, str]:
    """The variables a template may use, each with what it holds (the editor's palette)."""
    return dict(sandbox.TEMPLATE_VARIABLES)


def create_template(name: str, *, html: str, css: str = "", orientation: str = "landscape",
                    org: str | None = None, assets: Mapping[str, AssetInput] | None = None,
                    options: Mapping[str, Any] | None = None, by: Any = None) -> CertificateTemplate:
    """Create a staff template and its first version, after checking it renders.

    Raises TemplateError naming the line and the reason for a syntax error, an
    unknown variable, a tag outside the sandbox, broken CSS, a missing asset,
    or a page that does not render on one A4 sheet.
    """
    name = (name or "").strip()
    if not name:
        raise TemplateError("Give the template a name.")
    org = (org or "").strip()
    if CertificateTemplate.objects.filter(org=org, name=name).exists():
        raise TemplateError(f"There is already a template named {name!r}{' for ' + org if org else ''}.")
    assets, options = _inherit_branding(org, assets, options)  # defined in the branding section
    files = _merge_assets({}, assets)
    clean_options = _validate_template(html, css, orientation, files, options)
    with transaction.atomic():
        template = CertificateTemplate.objects.create(name=name, org=org)
        _create_version(template, html=html, css=css, orientation=orientation, options=clean_options,
                        assets=files, by=by)
    return template


def update_template(template: CertificateTemplate, *, html: str | None = None, css: str | None = None,
                    orientation: str | None = None, assets: Mapping[str, AssetInput] | None = None,
                    options: Mapping[str, Any] | None = None, by: Any = None) -> CertificateTemplate:
    """Save a new immutable version of ``template`` (what is not given is kept).

    Certificates already issued keep rendering with the version they were
    issued with, until staff reissue them.
    """
    current = template.current_version
    if current is None:
        raise TemplateError(f"Template {template} has no version to update.")
    if template.is_builtin:
        raise TemplateError("Built-in templates cannot be edited; create a template of your own from it.")
    files = _merge_assets(_version_assets(current), assets)
    new_html = current.html if html is None else html
    new_css = current.css if css is None else css
    new_orientation = current.orientation if orientation is None else orientation
    clean_options = _validate_template(new_html, new_css, new_orientation, files,
                                       current.options if options is None else options)
    with transaction.atomic():
        _create_version(template, html=new_html, css=new_css, orientation=new_orientation,
                        options=clean_options, assets=files, by=by)
    return template


def restore_template_version(template: CertificateTemplate, number: int, *,
                             by: Any = None) -> CertificateTemplate:
    """Make an older version current again, as a new version (history is never rewritten)."""
    old = template.versions.filter(number=number).first()
    if old is None:
        raise TemplateError(f"Template {template} has no version {number}.")
    removed: dict[str, AssetInput] = dict.fromkeys(_version_assets(template.current_version))
    return update_template(template, html=old.html, css=old.css, orientation=old.orientation,
                           options=old.options, assets={**removed, **_version_assets(old)}, by=by)


def preview_template(*, html: str, css: str = "", orientation: str = "landscape",
                     assets: Mapping[str, AssetInput] | None = None, options: Mapping[str, Any] | None = None,
                     template: CertificateTemplate | None = None, dpi: int = 100) -> bytes:
    """A PNG of the template filled with sample data, for the editor's live preview.

    ``template`` lends its current assets (so the editor need not upload them
    again). Raises TemplateError exactly as saving would.
    """
    base = _version_assets(template.current_version) if template is not None else {}
    files = _merge_assets(base, assets)
    clean_options = _validate_template(html, css, orientation, files, options, render=False)
    return _png().pdf_to_png(_trial_pdf(html, css, orientation, files, clean_options), dpi=dpi)


def builtin_templates() -> list[CertificateTemplate]:
    """The built-in templates, created (and brought up to date) on first use."""
    return [_builtin_version(source).template for source in builtin.builtin_templates()]


def _version_assets(version: CertificateTemplateVersion | None) -> dict[str, tuple[bytes, str]]:
    if version is None:
        return {}
    return {asset.name: (bytes(asset.content), asset.mime) for asset in version.assets.all()}


def _sniff(content: bytes) -> str:
    for magic, mime in _SIGNATURES.items():
        if content.startswith(magic):
            return mime
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "image/webp"
    head = content[:512].lstrip().lower()
    if head.startswith(b"<svg") or (head.startswith(b"<?xml") and b"<svg" in head):
        return "image/svg+xml"
    return "application/octet-stream"


def _merge_assets(base: Mapping[str, tuple[bytes, str]],
                  changes: Mapping[str, AssetInput] | None) -> dict[str, tuple[bytes, str]]:
    files = dict(base)
    for raw_name, value in (changes or {}).items():
        name = str(raw_name).strip()
        if value is None:
            files.pop(name, None)
            continue
        if not _ASSET_NAME.match(name):
            raise TemplateError(f"Asset name {name!r} must start with a letter and use only lower-case "
                                "letters, digits and _ (it is written {{ assets.NAME }} in the template).")
        content, mime = value if isinstance(value, tuple) else (value, "")
        content = bytes(content)
        mime = (mime or _sniff(content)).split(";")[0].strip().lower()
        if mime not in ASSET_TYPES:
            raise TemplateError(f"Asset {name!r} is not a PNG, JPEG, GIF, WebP or SVG image.")
        if len(content) > MAX_ASSET_BYTES:
            raise TemplateError(f"Asset {name!r} is {len(content) // 1024} KB; the limit is "
                                f"{MAX_ASSET_BYTES // (1024 * 1024)} MB per file.")
        if _sniff(content) != mime:
            raise TemplateError(f"Asset {name!r} does not contain a {mime} image.")
        files[name] = (content, mime)
    return files


_HONORS_RULE = 'Each honors rule is [minimum grade 0..1, text], e.g. [0.9, "With distinction"].'


def _clean_options(options: Mapping[str, Any] | None, asset_names: Iterable[str]) -> dict[str, Any]:
    names = set(asset_names)
    options = dict(options or {})
    unknown = sorted(set(options) - {"signatories", "honors", "colors"})
    if unknown:
        raise TemplateError(f"Unknown template option(s) {', '.join(unknown)}; "
                            "known: colors, honors, signatories.")
    clean: dict[str, Any] = {}
    colors = _clean_colors(options.get("colors"))  # defined in the branding section
    if colors:
        clean["colors"] = colors
    signatories = []
    for position, item in enumerate(options.get("signatories") or [], 1):
        if not isinstance(item, Mapping) or not str(item.get("name", "")).strip():
            raise TemplateError(f"Signatory {position} needs a name.")
        image = str(item.get("signature", "") or "").strip()
        if image and image not in names:
            raise TemplateError(f"Signatory {position} uses the signature image {image!r}, "
                                "which is not uploaded.")
        signatories.append({"name": str(item["name"]).strip(), "title": str(item.get("title", "")).strip(),
                            "signature": image})
    if signatories:
        clean["signatories"] = signatories
    honors = []
    for rule in options.get("honors") or []:
        try:
            minimum, text = float(rule[0]), str(rule[1]).strip()
        except (TypeError, ValueError, IndexError, KeyError):
            raise TemplateError(_HONORS_RULE) from None
        if not (0 < minimum <= 1) or not text:
            raise TemplateError(_HONORS_RULE)
        honors.append([minimum, text])
    if honors:
        clean["honors"] = sorted(honors, reverse=True)
    return clean


def _validate_template(html_source: str, css: str, orientation: str, files: Mapping[str, tuple[bytes, str]],
                       options: Mapping[str, Any] | None, *, render: bool = True) -> dict[str, Any]:
    """Everything a template must pass before it is saved; returns its cleaned options."""
    if orientation not in {"landscape", "portrait"}:
        raise TemplateError("Orientation must be 'landscape' or 'portrait'.")
    if not (html_source or "").strip():
        raise TemplateError("The template has no HTML.")
    clean_options = _clean_options(options, files)
    try:
        sandbox.check_template(html_source, css or "", asset_names=files)
    except sandbox.TemplateProblem as exc:
        raise TemplateError(str(exc), line=exc.line) from None
    if render:
        _trial_pdf(html_source, css, orientation, files, clean_options)
    return clean_options


def _trial_pdf(html_source: str, css: str, orientation: str, files: Mapping[str, tuple[bytes, str]],
               options: Mapping[str, Any]) -> bytes:
    """Render the template with sample data; TemplateError when it fails or spills over one page."""
    sample = page_context.sample_context(asset_names=files, options=options)
    try:
        document = sandbox.render_document(html_source, css or "", sample, orientation=orientation,
                                           title="Preview", author=sample.get("issuer_name", ""),
                                           colors=options.get("colors"))
        content = _pdf().render_pdf(document, assets=_pdf_assets(files), pdf_variant=None)
    except sandbox.TemplateProblem as exc:
        raise TemplateError(str(exc), line=exc.line) from None
    except RenderError as exc:
        raise TemplateError(f"The template could not be rendered: {exc}") from None
    pages = _png().page_count(content)
    if pages != 1:
        raise TemplateError(f"With sample data the certificate runs over {pages} pages; "
                            "make it fit on one A4 page.")
    return content


def _pdf() -> ModuleType:
    """The renderer, imported on first use (WeasyPrint costs ~0.5 s and tens of MB to load)."""
    from cert_plugin.rendering import pdf

    return pdf


def _png() -> ModuleType:
    from cert_plugin.rendering import png

    return png


def _pades() -> ModuleType:
    from cert_plugin.credentials import pades

    return pades


def _pdf_assets(files: Mapping[str, tuple[bytes, str]]) -> dict[str, Asset]:
    return {name: Asset(content=content, mime=mime) for name, (content, mime) in files.items()}


def _create_version(template: CertificateTemplate, *, html: str, css: str, orientation: str,
                    options: dict[str, Any], assets: Mapping[str, tuple[bytes, str]],
                    by: Any = None) -> CertificateTemplateVersion:
    hashes = {name: hashlib.sha256(content).hexdigest() for name, (content, _) in assets.items()}
    current = (CertificateTemplateVersion.objects.select_for_update().filter(template=template)
               .order_by("-number").first())
    version = CertificateTemplateVersion.objects.create(
        template=template, number=(current.number + 1) if current else 1, html=html, css=css or "",
        orientation=orientation, options=options, created_by=by,
        digest=CertificateTemplateVersion.compute_digest(html, css or "", orientation, options,
                                                         hashes.items()))
    TemplateAsset.objects.bulk_create(
        TemplateAsset(version=version, name=name, content=content, mime=mime, sha256=hashes[name],
                      size=len(content))
        for name, (content, mime) in sorted(assets.items())
    )
    return version


# --------------------------------------------------------------------------- signing


def signature_payload(certificate: Certificate) -> dict[str, Any]:
    """The snapshot fields the Ed25519 signature covers, as canonical strings."""
    return {
        "code": certificate.verification_code,
        "learner_name": certificate.learner_name,
        "course_key": str(certificate.course_key),
        "course_title": certificate.course_title,
        "hours": None if certificate.hours is None else f"{Decimal(certificate.hours):.2f}",
        "grade": None if certificate.grade is None else f"{float(certificate.grade):.4f}",
        "issued_at": _timestamp(certificate.issued_at),
        "expires_at": _timestamp(certificate.expires_at),
        "template_digest": certificate.template_version.digest,
        "issuer": certificate.issuer_name,
        "revision": certificate.revision,
    }


def _timestamp(value: Any) -> str | None:
    return None if value is None else value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _sign(certificate: Certificate, *, registered_key_id: str = "") -> None:
    """Sign the snapshot with ``CERT_PLUGIN["SIGNING_KEY"]`` (unsigned when none is configured).

    The key's public half is kept in ``SigningKey`` unless ``registered_key_id``
    says this run already saved a certificate with that key (a backfill issues thousands).
    """
    private_pem = conf.get().SIGNING_KEY
    if not private_pem:
        certificate.signature, certificate.signing_key_id = "", ""
        return
    result = signing.sign(signature_payload(certificate), private_pem)
    if result.key_id != registered_key_id:
        SigningKey.objects.get_or_create(key_id=result.key_id, defaults={
            "algorithm": signing.ALGORITHM, "public_key_pem": signing.public_key_pem(private_pem)})
    certificate.signature, certificate.signing_key_id = result.value, result.key_id


def signature_valid(certificate: Certificate) -> bool | None:
    """Whether the stored snapshot still matches its signature; None when it was issued unsigned."""
    if not certificate.signature:
        return None
    key = SigningKey.objects.filter(key_id=certificate.signing_key_id).first()
    if key is None:
        return False
    return signing.verify(signature_payload(certificate), certificate.signature, key.public_key_pem)


def signing_keys() -> list[SigningKey]:
    """Every public key certificates were signed with (current and rotated-out), oldest first."""
    return list(SigningKey.objects.order_by("created_at", "id"))


# --------------------------------------------------------------------------- rendering

_MIME = {RenderedFile.PDF: "application/pdf", RenderedFile.PNG: "image/png",
         RenderedFile.PNG_PRINT: "image/png"}
_DPI = {RenderedFile.PNG: 150, RenderedFile.PNG_PRINT: 300}


def verify_url(code: str) -> str:
    """The absolute verify URL printed (and QR-encoded) on a certificate."""
    base = (conf.get().BASE_URL or "").rstrip("/")
    return f"{base}/certs/verify/{codes.format_code(code)}/"


def render_pdf(certificate: Certificate) -> bytes:
    """The certificate as an A4 PDF: rendered once per revision, then read from storage."""
    return _rendered(certificate, RenderedFile.PDF)[0]


def render_png(certificate: Certificate, *, dpi: int = 150) -> bytes:
    """The certificate as a PNG (150 dpi for screens, 300 for print are kept; other sizes are not)."""
    kind = {150: RenderedFile.PNG, 300: RenderedFile.PNG_PRINT}.get(dpi)
    if kind is None:
        return _png().pdf_to_png(render_pdf(certificate), dpi=dpi)
    return _rendered(certificate, kind)[0]


def render_files(certificate_id: int) -> dict[str, int]:
    """Render and keep a certificate's PDF and screen PNG (the task run after issue and reissue)."""
    certificate = Certificate.objects.select_related("template_version").filter(pk=certificate_id).first()
    if certificate is None:
        log.warning("cert_plugin: nothing to render, certificate %s is gone", certificate_id)
        return {}
    return {"pdf": len(render_pdf(certificate)), "png": len(render_png(certificate))}


def cached_file(certificate: Certificate, kind: str) -> RenderedFile | None:
    """The stored render of the certificate's current revision, if there is one (renders nothing)."""
    return RenderedFile.objects.filter(certificate=certificate, revision=certificate.revision,
                                       kind=kind).first()


def download(certificate: Certificate, kind: str, *, stored: RenderedFile | None = None) -> Download:
    """A rendered file of the certificate, from storage or rendered now (RenderFailed if it cannot be).

    ``stored`` is the caller's :func:`cached_file` answer, when it already asked.
    """
    if kind not in _MIME:
        raise ValueError(f"Unknown kind {kind!r}")
    content, stored = _rendered(certificate, kind, stored=stored)
    course = getattr(certificate.course_key, "course", "") or "course"
    extension = "pdf" if kind == RenderedFile.PDF else "png"
    return Download(content=content, mime=_MIME[kind],
                    filename=f"certificate-{course}-{certificate.formatted_code}.{extension}",
                    etag=stored.sha256 if stored else hashlib.sha256(content).hexdigest(),
                    modified_at=stored.created_at if stored else timezone.now())


def _rendered(certificate: Certificate, kind: str, *,
              stored: RenderedFile | None = None) -> tuple[bytes, RenderedFile | None]:
    """The file's content and its stored record (None when storage refused to keep it)."""
    cached = _read_stored(stored or cached_file(certificate, kind))
    if cached is not None:
        return cached
    try:
        with transaction.atomic():
            locked = _lock_for_render(certificate.pk)
            cached = _read_stored(cached_file(locked, kind))
            if cached is not None:
                return cached
            content = _produce(locked, kind)
            return content, _store(locked, kind, content)
    except (RenderError, PdfSigningError) as exc:
        _record_render_error(certificate, f"{type(exc).__name__}: {exc}")
        raise RenderFailed("The certificate file could not be prepared right now; it is still valid. "
                           "Please try again in a few minutes.") from exc


def _lock_for_render(certificate_id: int) -> Certificate:
    """The certificate, its row locked until the transaction ends.

    The lock makes concurrent first downloads of one certificate wait for one
    render, then read its file. It takes the certificate's row alone: with a
    join, ``SELECT ... FOR UPDATE`` locks the joined template version too, which
    every certificate of the course shares, so workers rendered one at a time
    (benchmarks/README.md, "row locks serialise renders"). MariaDB has no
    ``FOR UPDATE OF``, so the template version is read after, unlocked.
    """
    return Certificate.objects.select_for_update().get(pk=certificate_id)


def _read_stored(stored: RenderedFile | None) -> tuple[bytes, RenderedFile] | None:
    if stored is None:
        return None
    try:
        with _storage().open(stored.path, "rb") as handle:
            return bytes(handle.read()), stored
    except OSError:
        log.warning("cert_plugin: stored file %s is missing; rendering again", stored.path)
        RenderedFile.objects.filter(pk=stored.pk).delete()
        return None


def _produce(certificate: Certificate, kind: str) -> bytes:
    if kind != RenderedFile.PDF:
        return _png().pdf_to_png(_rendered(certificate, RenderedFile.PDF)[0], dpi=_DPI[kind])
    version = certificate.template_version
    files = _version_assets(version)
    values = page_context.build_context(
        learner_name=certificate.learner_name, course_title=certificate.course_title,
        course_key=str(certificate.course_key), org=certificate.org,
        hours=None if certificate.hours is None else Decimal(certificate.hours), grade=certificate.grade,
        issued_at=certificate.issued_at, expires_at=certificate.expires_at,
        verification_code=certificate.formatted_code, verify_url=verify_url(certificate.verification_code),
        issuer_name=certificate.issuer_name, assets=files, options=version.options,
        language=certificate.language)
    issuer = certificate.issuer_name or certificate.org
    try:
        document = sandbox.render_document(
            version.html, version.css, values, orientation=version.orientation,
            title=f"{certificate.course_title}: {certificate.learner_name}", author=issuer,
            subject=f"Certificate of completion of {certificate.course_title}",
            keywords=["certificate", issuer, str(certificate.course_key), certificate.formatted_code],
            created=certificate.issued_at, lang=certificate.language,
            colors=(version.options or {}).get("colors"))
    except sandbox.TemplateProblem as exc:  # a version that passed validation; say so to staff
        raise RenderError(f"Template {version}: {exc}") from exc
    content = _pdf().render_pdf(document, assets=_pdf_assets(files))
    pdf_signing = conf.get().PDF_SIGNING
    if pdf_signing:
        content = _pades().sign_pdf(content, pkcs12_path=pdf_signing["PKCS12"],
                                 passphrase=pdf_signing.get("PASSPHRASE"), signer_name=issuer,
                                 reason=f"Certificate {certificate.formatted_code} issued by {issuer}")
    return content


def _storage() -> Any:
    return storages[conf.get().STORAGE]


def _store(certificate: Certificate, kind: str, content: bytes) -> RenderedFile | None:
    """Keep the file for later downloads; a storage failure is logged and the render still served."""
    suffix = {RenderedFile.PDF: ".pdf", RenderedFile.PNG: ".png", RenderedFile.PNG_PRINT: "-300dpi.png"}[kind]
    name = f"cert_plugin/{certificate.verification_code}/r{certificate.revision}{suffix}"
    try:
        path = _storage().save(name, ContentFile(content))
    except Exception:  # any storage backend's failure: the learner still gets the file
        log.exception("cert_plugin: could not store %s; serving it without caching", name)
        return None
    stored = RenderedFile.objects.create(certificate=certificate, revision=certificate.revision, kind=kind,
                                         path=path, size=len(content),
                                         sha256=hashlib.sha256(content).hexdigest())
    if certificate.render_error:
        Certificate.objects.filter(pk=certificate.pk).update(render_error="")
    return stored


def _record_render_error(certificate: Certificate, message: str) -> None:
    log.error("cert_plugin: rendering %s failed: %s", certificate.verification_code, message)
    Certificate.objects.filter(pk=certificate.pk).update(render_error=message[:2000])


# --------------------------------------------------------------------------- access


def certificate_by_code(code: str) -> Certificate | None:
    """The certificate with this verification code (typed, pasted or scanned), or None."""
    canonical = codes.normalize(code or "")
    if canonical is None:
        return None
    # No join to the template version: its HTML and CSS are only read when rendering, which locks
    # and re-reads the row anyway; a download served from storage never needs them.
    return Certificate.objects.filter(verification_code=canonical).first()


def can_view(user: Any, certificate: Certificate) -> bool:
    """The owner, the course's staff, and anyone once the learner made it public."""
    if certificate.is_public:
        return True
    if not getattr(user, "is_authenticated", False):
        return False
    return bool(user.pk == certificate.user_id or get_host().is_course_staff(user, certificate.course_key))


# --------------------------------------------------------------------------- learners' tab


LEARNER_STATUSES = ("issued", "expired", "revoked", "pending_approval", "in_progress")


def learner_overview(user: Any) -> list[CourseStatus]:
    """Every course of the learner that offers (or gave) a certificate, earned ones first.

    Courses come from the host's enrollments when it can list them, plus any
    course the learner already holds a certificate of.
    """
    host = get_host()
    lister = getattr(host, "enrolled_courses", None)
    enrolled = {parse_course_key(k) for k in lister(user)} if callable(lister) else set()
    offered = set(CourseCertificateConfig.objects.filter(course_key__in=enrolled, enabled=True)
                  .values_list("course_key", flat=True)) if enrolled else set()
    latest: dict[CourseKey, Certificate] = {}
    for held in Certificate.objects.filter(user=user).order_by("issued_at", "id"):
        latest[held.course_key] = held  # the newest per course wins
    profile_name = host.learner(user).full_name
    pending = {r.certificate_id: r for r in ReissueRequest.objects.filter(certificate__user=user, open=True)}
    url_of = getattr(host, "course_url", None)
    overview = []
    for key in sorted(offered | set(latest), key=str):
        certificate = latest.get(key)
        status, progress = _learner_status(user, key, certificate)
        if status == "not_offered":
            continue
        title = certificate.course_title if certificate else _course_title(host, key)
        differs = bool(certificate and certificate.state == Certificate.ISSUED
                       and profile_name and profile_name != certificate.learner_name)
        overview.append(CourseStatus(
            course_key=str(key), course_title=title, status=status, progress=progress,
            certificate=certificate, profile_name=profile_name if differs else "",
            reissue_request=pending.get(certificate.pk) if certificate else None,
            course_url=str(url_of(key)) if callable(url_of) else ""))
    order = {status: n for n, status in enumerate(LEARNER_STATUSES)}
    return sorted(overview, key=lambda row: (order[row.status], row.course_title.lower()))


def _course_title(host: Host, key: CourseKey) -> str:
    course = host.course(key)
    return course.title if course is not None else str(key)


def _learner_status(user: Any, key: CourseKey, certificate: Certificate | None) -> tuple[str, Progress]:
    if certificate is not None and certificate.active and certificate.status == Certificate.ISSUED:
        return "issued", Progress(status="issued", eligible=True, certificate=certificate)
    try:
        progress = get_progress(user, key)
    except UnknownCourse:
        progress = Progress(status="not_offered", eligible=False)
    if certificate is not None and progress.status == "in_progress" and certificate.status in (
            Certificate.EXPIRED, Certificate.REVOKED):
        return certificate.status, progress
    return progress.status, progress


def request_reissue(certificate: Certificate, *, by: Any) -> ReissueRequest | Certificate:
    """The learner asks for their certificate with their corrected profile name.

    With ``AUTO_REISSUE_ON_NAME_CHANGE`` the certificate is reissued at once (same
    code; the audit trail keeps the old name); otherwise the request waits for
    staff. Asking twice returns the open request.
    """
    if certificate.state != Certificate.ISSUED or not certificate.active:
        raise CertPluginError("Only a current certificate can be reissued.")
    name = get_host().learner(certificate.user).full_name.strip()
    if not name or name == certificate.learner_name:
        raise CertPluginError("The name on your certificate already matches your profile. "
                              "Update your name in your profile first.")
    if conf.get().AUTO_REISSUE_ON_NAME_CHANGE:
        return reissue(certificate, by=by, reason="The learner corrected their name")
    with transaction.atomic():
        existing = (ReissueRequest.objects.select_for_update()
                    .filter(certificate=certificate, open=True).first())
        if existing is not None:
            return existing
        request = ReissueRequest.objects.create(
            certificate=certificate, current_name=certificate.learner_name, requested_name=name)
        _audit(AuditEvent.REISSUE_REQUESTED, certificate.course_key, user=certificate.user,
               certificate=certificate, actor=by, before=certificate.learner_name, after=name)
    return request


def reissue_requests(course_key: CourseKey | str) -> list[ReissueRequest]:
    """Open name-change requests of a course, oldest first (for the staff dashboard)."""
    key = parse_course_key(course_key)
    return list(ReissueRequest.objects.filter(certificate__course_key=key, open=True)
                .select_related("certificate", "certificate__user").order_by("created_at", "id"))


def decide_reissue_request(request: ReissueRequest, *, grant: bool, by: Any,
                           note: str = "") -> ReissueRequest:
    """Staff grant (reissue with the profile name) or decline (with a reason) a request."""
    if not grant and not note.strip():
        raise CertPluginError("Say why the request is declined; the learner sees the reason.")
    with transaction.atomic():
        locked = ReissueRequest.objects.select_for_update().select_related("certificate").get(pk=request.pk)
        if not locked.open:
            return locked
        if grant:
            reissue(locked.certificate, by=by, reason="Name change requested by the learner")
        else:
            _audit(AuditEvent.REISSUE_DECLINED, locked.certificate.course_key, user=locked.certificate.user,
                   certificate=locked.certificate, actor=by, reason=note.strip())
        locked.status = ReissueRequest.GRANTED if grant else ReissueRequest.DECLINED
        locked.open = None
        locked.decided_by = by
        locked.decided_at = timezone.now()
        locked.note = note.strip()
        locked.save()
    return locked


# --------------------------------------------------------------------------- staff dashboard


def course_learners(course_key: CourseKey | str, *, search: str = "", status: str = "", page: int = 1,
                    per_page: int = 25, with_progress: bool = True) -> LearnerPage:
    """A page of the course's enrolled learners with their certification status.

    Search (username, email, names, printed name) and the status filter run in
    SQL when the host offers ``learners_queryset``, so the page stays fast with
    100,000 learners; the checklist is computed only for the rows shown.
    """
    key = parse_course_key(course_key)
    host = get_host()
    if status and status not in LEARNER_STATUSES:
        raise CertPluginError(f"Unknown status filter {status!r}; use one of {', '.join(LEARNER_STATUSES)}.")
    learners = _learners_queryset(host, key)
    now = timezone.now()
    certificates = Certificate.objects.filter(course_key=key)
    by_status = {
        "issued": certificates.filter(active=True, state=Certificate.ISSUED).filter(
            Q(expires_at__isnull=True) | Q(expires_at__gt=now)),
        "expired": certificates.filter(active=True, state=Certificate.ISSUED, expires_at__lte=now),
        "revoked": certificates.filter(state=Certificate.REVOKED).exclude(
            user_id__in=certificates.filter(active=True).values("user_id")),
    }
    awaiting = Approval.objects.filter(course_key=key, decision=Approval.AWAITING)
    sets: dict[str, Any] = {name: query.values("user_id") for name, query in by_status.items()}
    sets["pending_approval"] = awaiting.values("user_id")
    counts = {name: learners.filter(pk__in=ids).count() for name, ids in sets.items()}
    counts["all"] = learners.count()
    counts["in_progress"] = max(0, counts["all"] - sum(counts[name] for name in sets))
    selected = learners
    if search.strip():
        term = search.strip()
        selected = selected.filter(
            Q(username__icontains=term) | Q(email__icontains=term) | Q(first_name__icontains=term)
            | Q(last_name__icontains=term)
            | Q(pk__in=certificates.filter(learner_name__icontains=term).values("user_id")))
    if status == "in_progress":
        for ids in sets.values():
            selected = selected.exclude(pk__in=ids)
    elif status:
        selected = selected.filter(pk__in=sets[status])
    total = selected.count()
    per_page = max(1, min(int(per_page), 200))
    pages = max(1, -(-total // per_page))
    page = max(1, min(int(page), pages))
    users = list(selected.order_by("pk")[(page - 1) * per_page: page * per_page])
    newest = _newest_certificates(key, users)
    waiting = set(awaiting.filter(user__in=users).values_list("user_id", flat=True))
    rows = []
    for user in users:
        certificate = newest.get(user.pk)
        row_status = _row_status(certificate, user.pk in waiting, now)
        progress = None
        if with_progress and row_status in ("in_progress", "pending_approval", "expired"):
            progress = get_progress(user, key)
        rows.append(LearnerRow(user=user, name=certificate.learner_name if certificate else
                               (user.get_full_name() or user.username), status=row_status,
                               certificate=certificate, progress=progress))
    return LearnerPage(rows=tuple(rows), total=total, page=page, pages=pages, counts=counts)


def _newest_certificates(key: CourseKey, users: list[Any]) -> dict[int, Certificate]:
    """Each user's newest certificate in the course (one query)."""
    newest: dict[int, Certificate] = {}
    for certificate in Certificate.objects.filter(course_key=key, user__in=users).order_by("issued_at", "id"):
        newest[certificate.user_id] = certificate
    return newest


def course_learner(course_key: CourseKey | str, user_id: Any) -> Any:
    """The actively enrolled learner of the course with this user id, or None (for staff actions)."""
    try:
        pk = int(user_id)
    except (TypeError, ValueError):
        return None
    return _learners_queryset(get_host(), parse_course_key(course_key)).filter(pk=pk).first()


def _learners_queryset(host: Host, key: CourseKey) -> Any:
    queryset = getattr(host, "learners_queryset", None)
    if callable(queryset):
        return queryset(key)
    ids = [user.pk for user in host.enrolled_learners(key)]  # a host without SQL access: fine when small
    return get_user_model().objects.filter(pk__in=ids)


def _row_status(certificate: Certificate | None, awaiting: bool, now: Any) -> str:
    if certificate is not None:
        if certificate.state == Certificate.REVOKED:
            return "revoked"
        if certificate.active and certificate.state == Certificate.ISSUED:
            expired = certificate.expires_at is not None and certificate.expires_at <= now
            return "expired" if expired else "issued"
    return "pending_approval" if awaiting else "in_progress"


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # what makes a spreadsheet read a cell as a formula


def _spreadsheet_text(value: str) -> str:
    """A cell a spreadsheet shows as typed and never runs: names and reasons are typed by people, and
    ``=HYPERLINK(...)`` or ``@SUM(...)`` in one would run in Excel or LibreOffice (OWASP: CSV injection).
    A leading quote makes the cell text; values are otherwise unchanged."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def export_rows(course_key: CourseKey | str) -> Iterable[list[str]]:
    """The course's learners for a CSV export: a header, then one row per learner (streamed).

    Every cell is safe to open in a spreadsheet: one that would start a formula gets a leading quote.
    """
    key = parse_course_key(course_key)
    learners = _learners_queryset(get_host(), key)
    now = timezone.now()
    yield ["username", "email", "name_on_certificate", "status", "verification_code", "issued_at",
           "expires_at", "grade", "revoked_at", "revoke_reason"]
    awaiting = set(Approval.objects.filter(course_key=key, decision=Approval.AWAITING)
                   .values_list("user_id", flat=True))
    batch = 2000
    last_pk = 0
    while True:
        users = list(learners.filter(pk__gt=last_pk).order_by("pk")[:batch])
        if not users:
            return
        newest = _newest_certificates(key, users)
        for user in users:
            certificate = newest.get(user.pk)
            status = _row_status(certificate, user.pk in awaiting, now)
            yield [_spreadsheet_text(str(cell)) for cell in (
                user.username, user.email, certificate.learner_name if certificate else "", status,
                certificate.formatted_code if certificate else "",
                _timestamp(certificate.issued_at) or "" if certificate else "",
                _timestamp(certificate.expires_at) or "" if certificate else "",
                f"{certificate.grade:.2%}" if certificate and certificate.grade is not None else "",
                _timestamp(certificate.revoked_at) or "" if certificate else "",
                certificate.revoke_reason if certificate else "")]
        last_pk = users[-1].pk


def awaiting_approval(course_key: CourseKey | str) -> list[Any]:
    """Learners who met everything but staff approval, longest waiting first."""
    key = parse_course_key(course_key)
    rows = Approval.objects.filter(course_key=key, decision=Approval.AWAITING).select_related("user")
    return [row.user for row in rows.order_by("modified_at", "id")]


# --------------------------------------------------------------------------- jobs


def start_job(kind: str, course_key: CourseKey | str, *, by: Any = None) -> Job:
    """Start a course-wide job (backfill or reissue all) on the workers; staff watch ``job(id)``.

    While one of the same kind is queued or running, that one is returned (a
    second click shows the same progress bar), unless it is dead: silent for
    ``CERT_PLUGIN["JOB_STALE_AFTER"]`` seconds, as when its worker was killed.
    The dead one is then marked failed, saying so, and a new one starts (the
    jobs are idempotent: the new one finishes what the dead one began).
    """
    key = parse_course_key(course_key)
    if kind not in (Job.BACKFILL, Job.REISSUE_ALL):
        raise CertPluginError(f"Unknown job {kind!r}.")
    if get_host().course(key) is None:
        raise UnknownCourse(f"The LMS has no course {key}.")
    running = Job.objects.filter(kind=kind, course_key=key, state__in=[Job.QUEUED, Job.RUNNING]).first()
    if running is not None and not _fail_if_dead(running):
        return running  # one at a time: a second click shows the same progress bar
    with transaction.atomic():
        job = Job.objects.create(kind=kind, course_key=key, started_by=by)
        scheduling.enqueue("cert_plugin.tasks.run_job", job.pk)
    return job


def job(job_id: int) -> Job | None:
    """A job's current state and progress (a dead job shows as failed, saying why)."""
    found = Job.objects.filter(pk=job_id).first()
    if found is not None:
        _fail_if_dead(found)
    return found


def recent_jobs(course_key: CourseKey | str, *, limit: int = 10) -> list[Job]:
    found = list(Job.objects.filter(course_key=parse_course_key(course_key))[:limit])
    for item in found:
        _fail_if_dead(item)
    return found


def _fail_if_dead(item: Job) -> bool:
    """Mark a queued or running job failed when it has written no progress for the stale period.

    Returns True when it did (``item`` then shows the new state). A compare-and-set
    on the last heartbeat, so a job that just wrote progress is never marked.
    """
    if item.state not in (Job.QUEUED, Job.RUNNING):
        return False
    stale_after = conf.get().JOB_STALE_AFTER
    now = timezone.now()
    if (item.heartbeat_at or item.created_at) > now - timedelta(seconds=stale_after):
        return False
    minutes = max(1, round(stale_after / 60))
    if item.state == Job.RUNNING:
        error = (f"The worker running this job stopped: no progress for over {minutes} minute"
                 f"{'s' if minutes != 1 else ''} after {item.done} done. Start it again; it continues "
                 "where this one stopped, without duplicates.")
    else:
        error = (f"No worker started this job within {minutes} minute{'s' if minutes != 1 else ''}; "
                 "check that the Celery workers are running, then start it again.")
    marked = Job.objects.filter(pk=item.pk, state=item.state, heartbeat_at=item.heartbeat_at).update(
        state=Job.FAILED, error=error, finished_at=now)
    if not marked:
        item.refresh_from_db()  # it wrote progress meanwhile: alive
        return False
    log.warning("cert_plugin: job %s (%s of %s) taken for dead: %s", item.pk, item.kind, item.course_key,
                error)
    item.state, item.error, item.finished_at = Job.FAILED, error, now
    return True


class _JobAbandoned(Exception):
    """The job was taken for dead (and maybe restarted) while this worker still ran it."""


def run_job(job_id: int) -> Job | None:
    """Run a queued job, recording progress as it goes (the Celery task calls this).

    Also safe when the task is delivered again (a killed worker's late-acked
    task): the job starts over, which its idempotence makes harmless. A job
    taken for dead and replaced by a newer one of the same kind is not run.
    """
    current = Job.objects.filter(pk=job_id).first()
    if current is None or current.state == Job.DONE or _superseded(current):
        return current
    Job.objects.filter(pk=job_id).update(state=Job.RUNNING, done=0, failed=0, error="", finished_at=None,
                                         heartbeat_at=timezone.now())
    last_write = [0.0]

    def progress(done: int, failed: int = 0, total: int | None = None) -> None:
        now = time.monotonic()
        if now - last_write[0] >= 0.5 or (total is not None and done >= total):
            fields: dict[str, Any] = {"done": done, "failed": failed, "heartbeat_at": timezone.now()}
            if total is not None:
                fields["total"] = total
            if not Job.objects.filter(pk=job_id, state=Job.RUNNING).update(**fields):
                raise _JobAbandoned
            last_write[0] = now

    try:
        if current.kind == Job.BACKFILL:
            total = enrolled_count(current.course_key)
            Job.objects.filter(pk=job_id).update(total=total)
            report = backfill(current.course_key, on_progress=lambda n: progress(n, total=total))
            result = report.as_dict()
            done, failed = report.learners, report.failed
        else:
            result = reissue_all(current.course_key, by=current.started_by, on_progress=progress)
            done, failed = result["reissued"] + result["unchanged"] + result["failed"], result["failed"]
    except _JobAbandoned:
        log.warning("cert_plugin: job %s stopped: it was taken for dead while running", job_id)
        return Job.objects.get(pk=job_id)
    except Exception as exc:  # recorded for staff; the task's retry policy decides what next
        Job.objects.filter(pk=job_id).update(state=Job.FAILED, error=str(exc)[:2000],
                                             finished_at=timezone.now())
        raise
    Job.objects.filter(pk=job_id).update(state=Job.DONE, done=done, failed=failed, result=result,
                                         finished_at=timezone.now(), heartbeat_at=timezone.now())
    return Job.objects.get(pk=job_id)


def _superseded(item: Job) -> bool:
    """A failed job that a newer one of the same kind and course replaced (its delivery came late)."""
    return item.state == Job.FAILED and Job.objects.filter(
        kind=item.kind, course_key=item.course_key, pk__gt=item.pk).exists()


def reissue_all(course_key: CourseKey | str, *, by: Any = None,
                on_progress: Callable[..., None] | None = None) -> dict[str, int]:
    """Reissue every current certificate of the course whose template version or name is outdated.

    Each keeps its code; certificates already on the current template with the
    current name are left alone (safe to run again after an interruption).
    """
    key = parse_course_key(course_key)
    host = get_host()
    current = _template_version(get_config(key))
    targets = Certificate.objects.filter(course_key=key, active=True, state=Certificate.ISSUED)
    total = targets.count()
    counts = {"certificates": total, "reissued": 0, "unchanged": 0, "failed": 0}
    for certificate in targets.select_related("user").order_by("pk").iterator(chunk_size=500):
        try:
            name = host.learner(certificate.user).full_name
            if certificate.template_version_id == current.pk and certificate.learner_name == name:
                counts["unchanged"] += 1
            else:
                reissue(certificate, by=by, reason="Reissue all with the current template")
                counts["reissued"] += 1
        except Exception:  # one certificate's problem must not stop the course's reissue
            counts["failed"] += 1
            log.exception("cert_plugin: reissue of %s failed", certificate.verification_code)
        if on_progress is not None:
            on_progress(counts["reissued"] + counts["unchanged"] + counts["failed"], counts["failed"], total)
    return counts


# --------------------------------------------------------------------------- announcements


def _announce(certificate: Certificate, event: str) -> None:
    """Tell the outside world after commit: notifications to the learner, openedx-events out."""
    scheduling.enqueue("cert_plugin.tasks.announce", certificate.pk, event)


def _render_and_announce(certificate: Certificate, event: str) -> None:
    """Render a new (or reissued) certificate's files and announce it, after commit.

    One outbox write and one clean-up for both tasks: with a broker, a backfill
    that issues thousands of certificates pays one insert and one delete each.
    """
    scheduling.enqueue_all([("cert_plugin.tasks.render_certificate", (certificate.pk,)),
                      ("cert_plugin.tasks.announce", (certificate.pk, event))])


def announce(certificate_id: int, event: str) -> None:
    """Send what an issued/reissued/revoked certificate calls for (the task after commit).

    Emits the openedx-event when ``EVENTS_OUT`` is on (after commit; failures
    logged), then queues one ``notify_backend`` task per configured backend when
    the event is enabled in ``NOTIFY["EVENTS"]`` and the learner has an email, so
    each backend is retried on its own and none blocks another.
    """
    certificate = Certificate.objects.select_related("user").filter(pk=certificate_id).first()
    if certificate is None:
        log.warning("cert_plugin: cannot announce %s of certificate %s: it does not exist", event,
                    certificate_id)
        return
    if event in _OPENEDX_EVENTS and conf.get().EVENTS_OUT:
        transaction.on_commit(lambda: _emit_event(certificate, event))
    if not _should_notify(certificate, event):
        return
    for index in range(len(notify.backend_entries())):
        scheduling.enqueue("cert_plugin.tasks.notify_backend", certificate.pk, event, index)


# ----- open badges
# Open Badges 3.0 credentials (VC-JWT, EdDSA), the issuer's Profile and public keys, and the
# revocation list (W3C Bitstring Status List). The documents are built by the pure modules
# cert_plugin.credentials.openbadges and .statuslist; this section supplies the facts and keys.


def issuer_profile() -> dict[str, Any]:
    """The issuer's Open Badges 3.0 ``Profile`` as a JSON-LD document (public)."""
    from cert_plugin.credentials import openbadges

    return openbadges.issuer_profile(_ob_issuer(), standalone=True)


def issuer_jwks() -> dict[str, Any]:
    """Every public key the issuer signed with, current and rotated-out, as a JWKS (RFC 7517).

    Each key's ``kid`` is its RFC 7638 thumbprint, the fragment of the ``kid`` URI in VC-JWT
    headers and the ``signing_key_id`` of certificate snapshot signatures. Needs no signing key.
    """
    keys = [signing.public_jwk(key.public_key_pem) for key in signing_keys()]
    current = conf.get().SIGNING_KEY
    if current:
        jwk = signing.public_jwk(signing.public_key_pem(current))
        if all(known["kid"] != jwk["kid"] for known in keys):
            keys.append(jwk)
    return {"keys": keys}


def credential_json(certificate: Certificate) -> dict[str, Any]:
    """The certificate's ``OpenBadgeCredential`` (Open Badges 3.0 on VC Data Model 2.0), unsigned.

    The verifiable form is :func:`credential_jwt`; a revoked certificate keeps its credential and
    verifiers learn of the revocation from the status list. Needs ``CERT_PLUGIN["BASE_URL"]``.
    """
    from cert_plugin.credentials import openbadges

    learner = get_host().learner(certificate.user)
    has_status = certificate.status_index is not None
    return openbadges.build_credential(
        code=certificate.verification_code,
        learner_name=certificate.learner_name,
        email=learner.email or getattr(certificate.user, "email", "") or "",
        course_key=str(certificate.course_key),
        course_title=certificate.course_title,
        issuer=_ob_issuer(certificate.issuer_name or certificate.org),
        issued_at=certificate.issued_at,
        expires_at=certificate.expires_at,
        hours=None if certificate.hours is None else Decimal(certificate.hours),
        grade=certificate.grade,
        requirements=_ob_requirements(certificate.course_key),
        status_index=certificate.status_index if has_status else None,
        status_list_url=_ob_url("cert_plugin:status-list") if has_status else None,
    )


def credential_jwt(certificate: Certificate) -> str:
    """The certificate's credential secured as a VC-JWT (compact JWS, EdDSA) with the current key.

    Raises CertPluginError when no ``SIGNING_KEY`` (or no ``BASE_URL``) is configured.
    """
    from cert_plugin.credentials import openbadges

    private_pem = _ob_signing_key()
    return openbadges.sign_vc_jwt(credential_json(certificate), private_pem, kid=_ob_kid(private_pem))


def status_list_credential() -> dict[str, Any]:
    """The revocation ``BitstringStatusListCredential``: one bit per certificate, set once revoked."""
    from cert_plugin.credentials import openbadges, statuslist

    return statuslist.build_status_list_credential(
        url=_ob_url("cert_plugin:status-list"),
        issuer=openbadges.issuer_profile(_ob_issuer()),
        encoded_list=statuslist.encode_bitstring(revoked_status_indexes(), STATUS_LIST_SIZE),
        valid_from=timezone.now(),
        ttl_seconds=statuslist.DEFAULT_TTL,
    )


def status_list_jwt() -> str:
    """The revocation status list secured as a VC-JWT; CertPluginError without a signing key."""
    from cert_plugin.credentials import openbadges

    private_pem = _ob_signing_key()
    return openbadges.sign_vc_jwt(status_list_credential(), private_pem, kid=_ob_kid(private_pem))


def _ob_url(name: str) -> str:
    """The absolute URL of one of the plugin's views, from ``CERT_PLUGIN["BASE_URL"]``."""
    from django.urls import reverse

    base = (conf.get().BASE_URL or "").rstrip("/")
    if not base:
        raise CertPluginError('Open Badges credentials need absolute URLs: set CERT_PLUGIN["BASE_URL"] '
                              'to the site root, e.g. "https://lms.example.org".')
    return base + reverse(name)


def _ob_issuer(name: str = "") -> Any:
    from urllib.parse import urlsplit

    from cert_plugin.credentials import openbadges

    profile_url = _ob_url("cert_plugin:issuer")
    site = conf.get().BASE_URL.rstrip("/") + "/"
    return openbadges.Issuer(id=profile_url, url=site,
                             name=name or conf.get().ISSUER_NAME or urlsplit(site).hostname or site)


def _ob_signing_key() -> str:
    """The current signing key, recorded among the published keys (so rotating it keeps old
    credentials verifiable); CertPluginError when none is configured."""
    private_pem = conf.get().SIGNING_KEY
    if not private_pem:
        raise CertPluginError('Signed credentials are not available: no signing key is configured. '
                              'Set CERT_PLUGIN["SIGNING_KEY"] to an Ed25519 private key in PEM form.')
    SigningKey.objects.get_or_create(key_id=signing.key_id(signing.public_key_pem(private_pem)), defaults={
        "algorithm": signing.ALGORITHM, "public_key_pem": signing.public_key_pem(private_pem)})
    return private_pem


def _ob_kid(private_pem: str) -> str:
    """The VC-JWT ``kid``: the JWKS URL with the key's thumbprint as fragment (a dereferenceable URI)."""
    return f"{_ob_url('cert_plugin:issuer-keys')}#{signing.key_id(signing.public_key_pem(private_pem))}"


def _ob_requirements(course_key: CourseKey) -> list[str]:
    """The course's current requirements in plain sentences (the achievement's criteria)."""
    try:
        return requirements_summary(course_key)
    except RequirementsError:
        return []


# ----- notifications
# Messages to learners through the configured backends (cert_plugin.notify: email, webhook, SMS...)
# and openedx-events out. `announce` (in "announcements") fans out after commit: one
# `notify_backend` task per backend, so a failing backend is retried alone and never blocks issuance.

_OPENEDX_EVENTS = ("issued", "reissued", "revoked")


def _should_notify(certificate: Certificate, event: str, learner: LearnerInfo | None = None) -> bool:
    if event not in notify.enabled_events():
        return False
    if event != "revoked" and certificate.status != Certificate.ISSUED:
        return False  # revoked (or expired) since the event: the news is stale
    email = (learner or get_host().learner(certificate.user)).email
    if not email:
        log.info("cert_plugin: no %s notification for %s: the learner has no email address",
                 event, certificate.verification_code)
        return False
    return True


def _absolute(name: str, code: str) -> str:
    from django.urls import reverse

    return (conf.get().BASE_URL or "").rstrip("/") + reverse(name, args=[code])


def _notification(certificate: Certificate, event: str, learner: LearnerInfo) -> notify.Notification:
    base = (conf.get().BASE_URL or "").rstrip("/")
    if not base:
        log.warning('cert_plugin: CERT_PLUGIN["BASE_URL"] is not set; links in notifications are relative')
    code = certificate.formatted_code
    return notify.build(
        event=event,
        code=code,
        learner_name=certificate.learner_name,
        learner_email=learner.email,
        language=notify.learner_language(learner.language, certificate.language),
        course_key=str(certificate.course_key),
        course_title=certificate.course_title,
        issuer_name=certificate.issuer_name or certificate.org,
        issued_at=certificate.issued_at,
        expires_at=certificate.expires_at,
        certificate_url=_absolute("cert_plugin:certificate", code),
        pdf_url=_absolute("cert_plugin:download-pdf", code),
        verify_url=verify_url(certificate.verification_code),
        course_url=notify.course_url(base, str(certificate.course_key)),
    )


def notify_backend(certificate_id: int, event: str, backend_index: int) -> bool:
    """Send ``event``'s notification through backend ``backend_index`` of ``NOTIFY["BACKENDS"]``.

    Raises whatever the backend raises (the ``notify_backend`` task retries it);
    returns False when there is nothing to send (event disabled, no email,
    certificate gone or revoked since, backend removed from the settings).
    """
    certificate = Certificate.objects.select_related("user").filter(pk=certificate_id).first()
    entries = notify.backend_entries()
    if certificate is None or backend_index >= len(entries):
        log.warning("cert_plugin: %s notification %s/%s dropped: certificate or backend no longer exists",
                    event, certificate_id, backend_index)
        return False
    learner = get_host().learner(certificate.user)
    if not _should_notify(certificate, event, learner):
        return False
    notify.send_with(entries[backend_index], _notification(certificate, event, learner))
    log.info("cert_plugin: sent %s notification of %s through backend %s", event,
             certificate.verification_code, backend_index)
    return True


def _emit_event(certificate: Certificate, event: str) -> None:
    from cert_plugin import events

    user = certificate.user
    try:
        enrollment_mode = getattr(get_host(), "enrollment_mode", None)
        mode = (enrollment_mode(user, certificate.course_key) if callable(enrollment_mode) else "") or ""
        data = events.certificate_data(
            event, mode=mode, user_id=user.pk, username=user.get_username(), email=user.email or "",
            is_active=bool(user.is_active), learner_name=certificate.learner_name,
            course_key=certificate.course_key, course_title=certificate.course_title, grade=certificate.grade,
            download_url=_absolute("cert_plugin:download-pdf", certificate.formatted_code),
        )
    except Exception:  # building the payload must never fail the announcement
        log.exception("cert_plugin: could not build the openedx-event for %s", certificate.verification_code)
        return
    events.emit(event, data)


def send_expiry_reminders(now: Any = None) -> int:
    """Queue an "expiring" notification for each issued certificate entering a reminder window.

    ``NOTIFY["EXPIRY_REMINDER_DAYS"]`` (e.g. ``[30, 7]``) opens a window that
    many days before expiry; a certificate is reminded once per window
    (``expiry_reminded_at`` records it, claimed with a compare-and-set so
    concurrent runs never remind twice). Revoked, retired and expired
    certificates are skipped. Returns how many reminders were queued. Run it
    daily: ``manage.py cert_send_reminders`` or the ``send_expiry_reminders`` task.
    """
    from django.db.models import F

    days = notify.reminder_days()
    if "expiring" not in notify.enabled_events() or not days:
        return 0
    now = now or timezone.now()
    candidates = (
        Certificate.objects
        .filter(state=Certificate.ISSUED, active=True, expires_at__gt=now,
                expires_at__lte=now + timedelta(days=days[0]))
        .filter(Q(expiry_reminded_at__isnull=True)
                | Q(expiry_reminded_at__lt=F("expires_at") - timedelta(days=days[-1])))
        .order_by("pk")
        .values_list("pk", "expires_at", "expiry_reminded_at")
    )
    queued = 0
    for pk, expires_at, reminded_at in candidates.iterator():
        if expires_at is None:  # excluded by the query; keeps the types honest
            continue
        window = min(d for d in days if expires_at - now <= timedelta(days=d))
        if reminded_at is not None and reminded_at >= expires_at - timedelta(days=window):
            continue  # already reminded in this window
        with transaction.atomic():
            claimed = Certificate.objects.filter(pk=pk, expiry_reminded_at=reminded_at).update(
                expiry_reminded_at=now)
            if claimed:
                scheduling.enqueue("cert_plugin.tasks.announce", pk, "expiring")
                queued += 1
    return queued


# ----- branding
# An organization's branding (logo, colours, signatories), which the templates created for it
# inherit: it is copied into the template's first version, so a later branding change never
# alters a certificate already issued. Also who may edit which templates, and the read helpers
# of the template editor (views read through these, never the models).

_HEX_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
_COLOR_NAMES = ("primary", "accent")
BRANDING_LOGO = "logo"  # the asset name of an organization's logo, in its branding and templates


class BrandingError(CertPluginError, ValueError):
    """An organization's branding is not valid (the message says what to fix)."""


def _clean_color(value: Any, label: str) -> str:
    text = str(value or "").strip().lower()
    if text and not _HEX_COLOR.match(text):
        raise BrandingError(f"The {label} colour must be written as #rrggbb, e.g. #1f4e79 (not {text!r}).")
    return text


def _clean_colors(colors: Any) -> dict[str, str]:
    """A template's ``colors`` option: {"primary", "accent"}, each ``#rrggbb``; TemplateError otherwise."""
    if colors in (None, "", {}):
        return {}
    if not isinstance(colors, Mapping) or set(colors) - set(_COLOR_NAMES):
        raise TemplateError('The colors option is {"primary": "#rrggbb", "accent": "#rrggbb"}.')
    clean = {}
    for name in _COLOR_NAMES:
        try:
            value = _clean_color(colors.get(name), name)
        except BrandingError as exc:
            raise TemplateError(str(exc)) from None
        if value:
            clean[name] = value
    return clean


def branding(org: str) -> OrganizationBranding | None:
    """The organization's branding, or None when it has none."""
    org = (org or "").strip()
    if not org:
        return None
    return OrganizationBranding.objects.filter(org=org).prefetch_related("assets").first()


def branding_asset(org: str, name: str) -> BrandingAsset | None:
    """One file of an organization's branding (its logo or a signature image)."""
    return BrandingAsset.objects.filter(branding__org=(org or "").strip(), name=name).first()


def _branding_files(brand: OrganizationBranding | None) -> dict[str, tuple[bytes, str]]:
    if brand is None:
        return {}
    return {asset.name: (bytes(asset.content), asset.mime) for asset in brand.assets.all()}


def set_branding(org: str, *, display_name: str | None = None, primary_color: str | None = None,
                 accent_color: str | None = None, signatories: Sequence[Mapping[str, Any]] | None = None,
                 assets: Mapping[str, AssetInput] | None = None, by: Any = None) -> OrganizationBranding:
    """Create or change an organization's branding (what is not given is kept).

    ``assets`` adds or replaces files by name (``"logo"``, signature images; ``None`` removes
    one), checked like template assets. ``signatories`` are ``{"name", "title", "signature"}``
    where ``signature`` names an uploaded image. Colours are ``#rrggbb`` ("" clears one).
    Templates created for the organization afterwards inherit the branding; existing
    templates and issued certificates do not change. Raises BrandingError.
    """
    org = (org or "").strip()
    if not org:
        raise BrandingError("Name the organization the branding belongs to.")
    current = branding(org)
    try:
        files = _merge_assets(_branding_files(current), assets)
    except TemplateError as exc:
        raise BrandingError(str(exc)) from None
    primary = _clean_color(current.primary_color if primary_color is None and current else primary_color,
                           "primary")
    accent = _clean_color(current.accent_color if accent_color is None and current else accent_color,
                          "accent")
    people = list(current.signatories or []) if signatories is None and current else list(signatories or [])
    try:
        people = _clean_options({"signatories": people}, files).get("signatories", [])
    except TemplateError as exc:
        raise BrandingError(str(exc)) from None
    name = (current.display_name if display_name is None and current else (display_name or "")).strip()
    with transaction.atomic():
        brand, _ = OrganizationBranding.objects.select_for_update().get_or_create(org=org)
        brand.display_name = name[:255]
        brand.primary_color, brand.accent_color = primary, accent
        brand.signatories = people
        brand.updated_by = by if getattr(by, "pk", None) else None
        brand.save()
        brand.assets.all().delete()
        BrandingAsset.objects.bulk_create(
            BrandingAsset(branding=brand, name=asset_name, content=content, mime=mime, size=len(content))
            for asset_name, (content, mime) in sorted(files.items()))
    return branding(org) or brand


def _inherit_branding(org: str, assets: Mapping[str, AssetInput] | None,
                      options: Mapping[str, Any] | None) -> tuple[dict[str, AssetInput], dict[str, Any]]:
    """``create_template``'s assets and options completed from the organization's branding.

    Only what the caller did not give is inherited: the logo (unless an asset ``logo`` is given,
    also as None), the signatories with their signature images (unless signatories are given),
    and the colours (unless ``colors`` is given).
    """
    inherited_assets: dict[str, AssetInput] = dict(assets or {})
    inherited_options: dict[str, Any] = dict(options or {})
    brand = branding(org)
    if brand is None:
        return inherited_assets, inherited_options
    files = _branding_files(brand)
    if BRANDING_LOGO in files and BRANDING_LOGO not in inherited_assets:
        inherited_assets[BRANDING_LOGO] = files[BRANDING_LOGO]
    if not inherited_options.get("signatories") and brand.signatories:
        inherited_options["signatories"] = [dict(person) for person in brand.signatories]
        for person in brand.signatories:
            image = str(person.get("signature") or "")
            if image in files and image not in inherited_assets:
                inherited_assets[image] = files[image]
    colors = {name: value for name, value in (("primary", brand.primary_color),
                                                ("accent", brand.accent_color)) if value}
    if not inherited_options.get("colors") and colors:
        inherited_options["colors"] = colors
    return inherited_assets, inherited_options


def org_courses(org: str) -> list[CourseKey]:
    """The organization's courses that have a certificate configuration."""
    keys = CourseCertificateConfig.objects.order_by("course_key").values_list("course_key", flat=True)
    return [key for key in keys if key is not None and key.org == org]


def _is_site_staff(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "is_staff", False))


def editable_orgs(user: Any) -> list[str]:
    """Organizations whose templates and branding ``user`` may edit.

    Site staff: every organization known to the plugin (courses, templates, brandings). Course
    staff: the organizations of the configured courses they are staff of.
    """
    if not getattr(user, "is_authenticated", False):
        return []
    keys = list(CourseCertificateConfig.objects.values_list("course_key", flat=True))
    if _is_site_staff(user):
        orgs = {str(key.org) for key in keys if key is not None}
        orgs.update(CertificateTemplate.objects.exclude(org="").values_list("org", flat=True))
        orgs.update(OrganizationBranding.objects.values_list("org", flat=True))
        return sorted(orgs)
    host = get_host()
    return sorted({str(key.org) for key in keys if key is not None and host.is_course_staff(user, key)})


def can_edit_org(user: Any, org: str) -> bool:
    """Site staff, or course staff of at least one (configured) course of ``org``."""
    if _is_site_staff(user):
        return True
    if not org or not getattr(user, "is_authenticated", False):
        return False
    host = get_host()
    return any(host.is_course_staff(user, key) for key in org_courses(org))


def can_edit_template(user: Any, template: CertificateTemplate) -> bool:
    """Whether ``user`` may change ``template`` (built-ins are never edited, only duplicated)."""
    return not template.is_builtin and can_edit_org(user, template.org)


def can_use_template_editor(user: Any) -> bool:
    """Site staff and the course staff of any configured course."""
    return _is_site_staff(user) or bool(editable_orgs(user))


def editor_templates(user: Any) -> list[CertificateTemplate]:
    """What the template list shows ``user``: built-ins and site-wide templates, then their orgs' own."""
    builtin_templates()
    if _is_site_staff(user):
        found = CertificateTemplate.objects.all()
    else:
        found = CertificateTemplate.objects.filter(org__in=["", *editable_orgs(user)])
    return list(found.order_by("-is_builtin", "org", "name"))


def template_by_id(template_id: int) -> CertificateTemplate | None:
    return CertificateTemplate.objects.filter(pk=template_id).first()


def template_versions(template: CertificateTemplate) -> list[CertificateTemplateVersion]:
    """Every version of the template, newest first, with who saved it."""
    return list(template.versions.select_related("created_by").order_by("-number"))


def template_asset(template: CertificateTemplate, name: str, *,
                   number: int | None = None) -> TemplateAsset | None:
    """A file of the template's current version (or of version ``number``)."""
    version = (template.versions.filter(number=number).first() if number is not None
               else template.current_version)
    if version is None:
        return None
    return version.assets.filter(name=name).first()


def template_sample_data() -> dict[str, str]:
    """The sample values the editor's preview fills in, by variable (text values only)."""
    sample = page_context.sample_context()
    return {name: value for name, value in sample.items() if isinstance(value, str) and name != "qr_svg"}


def preview_template_version(template: CertificateTemplate, number: int, *, dpi: int = 100) -> bytes:
    """A PNG of one saved version with sample data (the editor's version history "View")."""
    version = template.versions.filter(number=number).first()
    if version is None:
        raise TemplateError(f"Template {template} has no version {number}.")
    files = _version_assets(version)
    options = dict(version.options or {})
    content = _trial_pdf(version.html, version.css, version.orientation, files, options)
    return _png().pdf_to_png(content, dpi=dpi)


def duplicate_template(source: CertificateTemplate, name: str, *, org: str | None = None,
                       by: Any = None) -> CertificateTemplate:
    """A new template whose first version copies ``source``'s current one (html, css, options, files).

    A copy made for an organization inherits its branding where ``source`` has no logo,
    signatories or colours of its own.
    """
    version = source.current_version
    if version is None:
        raise TemplateError(f"Template {source} has no version to copy.")
    return create_template(name, html=version.html, css=version.css, orientation=version.orientation,
                           org=org, assets=dict(_version_assets(version)),
                           options=dict(version.options or {}), by=by)


def courses_using(template: CertificateTemplate) -> list[CourseKey]:
    """The courses whose certificates are issued with ``template`` now."""
    return list(CourseCertificateConfig.objects.filter(template=template).order_by("course_key")
                .values_list("course_key", flat=True))


def attachable_courses(user: Any, template: CertificateTemplate) -> list[CourseKey]:
    """Configured courses ``user`` is staff of that may use ``template`` (its org's, or any for site-wide)."""
    if not getattr(user, "is_authenticated", False):
        return []
    host = get_host()
    keys = CourseCertificateConfig.objects.order_by("course_key").values_list("course_key", flat=True)
    return [key for key in keys if key is not None and (not template.org or key.org == template.org)
            and host.is_course_staff(user, key)]


def set_course_template(course_key: CourseKey | str, template: CertificateTemplate | None, *,
                        by: Any = None) -> CourseCertificateConfig:
    """Issue the course's certificates with ``template`` from now on (None: the built-in default).

    Every other setting of the course is kept. A course without a certificate configuration
    gets one with the default requirements, which turns certificates on and issues them to
    learners who already qualify (backfill). Certificates issued earlier keep their template.
    """
    key = parse_course_key(course_key)
    course = get_host().course(key)
    if course is None:
        raise UnknownCourse(f"The LMS has no course {key}.")
    if template is not None and template.org and template.org != course.org:
        raise TemplateError(f"The template {template.name!r} belongs to {template.org}; "
                            f"the course {key} is offered by {course.org}.")
    config = get_config(key)
    if config is None:
        return configure_course(key, template=template, by=by)
    return configure_course(
        key, enabled=config.enabled, template=template, min_grade=config.min_grade,
        min_completion=config.min_completion, required_quizzes=list(config.required_quizzes or ()),
        min_quiz_score=config.min_quiz_score, requires_approval=config.requires_approval,
        additional_requirements=list(config.additional_requirements or ()),
        validity_days=config.validity_days, hours=config.hours, by=by)


# --------------------------------------------------------------------------- task outbox
# The rows of the transactional outbox (docs/decisions/0005-task-outbox.rst). ``jobs.enqueue``
# records a task here in the caller's transaction and reports the outcome of its send after
# commit; the relay below sends what is still pending. Tasks take ids and key strings, so their
# arguments are JSON.

__all__ += ["OutboxReport", "outbox_failed", "outbox_record", "outbox_record_all", "outbox_sent",
            "record_render_failure", "relay_outbox"]

# The committing process sends a new row first; the relay takes it only after this grace period.
OUTBOX_GRACE = timedelta(minutes=5)
# A relay's claim on the rows it is sending; one that dies lets them go when the lease ends.
OUTBOX_LEASE = timedelta(minutes=5)
_OUTBOX_BATCH = 100


@dataclass
class OutboxReport:
    """What one relay run did."""

    sent: int = 0
    failed: int = 0  # sends that failed (the rows wait for a later run)
    pending: int = 0  # rows left in the outbox after the run
    error: str = ""  # the last send error, e.g. the broker's "connection refused"

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def outbox_record(task_name: str, args: Sequence[Any], *, using: str | None = None) -> int:
    """Keep task ``task_name(*args)`` to send, in the current transaction; returns the row id."""
    return outbox_record_all([(task_name, args)], using=using)[0]


def outbox_record_all(tasks: Sequence[tuple[str, Sequence[Any]]], *, using: str | None = None) -> list[int]:
    """Keep several tasks to send, in one insert where the database returns the new ids."""
    manager = OutboxTask.objects.db_manager(using)
    due = timezone.now() + OUTBOX_GRACE
    rows = [OutboxTask(task_name=name, args=list(args), next_attempt_at=due) for name, args in tasks]
    if len(rows) > 1 and connections[manager.db].features.can_return_rows_from_bulk_insert:
        return [row.pk for row in manager.bulk_create(rows)]
    for row in rows:
        row.save(force_insert=True, using=manager.db)
    return [row.pk for row in rows]


def outbox_sent(row_ids: int | Sequence[int], *, using: str | None = None) -> None:
    """The tasks reached the broker: their rows go (the outbox keeps no history)."""
    ids = [row_ids] if isinstance(row_ids, int) else list(row_ids)
    OutboxTask.objects.db_manager(using).filter(pk__in=ids).delete()


def outbox_failed(row_id: int, error: str, *, using: str | None = None) -> None:
    """A send failed: count it and keep the error for operators; the row is due for the relay at once."""
    from django.db.models import F

    now = timezone.now()
    OutboxTask.objects.db_manager(using).filter(pk=row_id).update(
        attempts=F("attempts") + 1, last_attempt_at=now, last_error=error[:2000], next_attempt_at=now)


def relay_outbox(*, limit: int = 1000) -> OutboxReport:
    """Send the outbox's due tasks, oldest first (the ``relay_outbox`` task and ``cert_flush_outbox``).

    Safe to run concurrently: each row is claimed by one relay (``SKIP LOCKED``
    where the database has it, a compare-and-set elsewhere) and sent outside any
    transaction. The first failed send ends the run, since the broker is most
    likely down, so an outage costs one attempt per run; the failed row goes to
    the back of the line, so one task that cannot be sent never holds back the others.
    """
    report = OutboxReport()
    unknown: list[int] = []  # rows of tasks this version does not know: not again in this run
    while report.sent + report.failed < limit and not report.error:
        started = timezone.now()
        batch = _claim_outbox(min(_OUTBOX_BATCH, limit - report.sent - report.failed), now=started,
                              skip=unknown)
        if not batch:
            break
        for index, row in enumerate(batch):
            try:
                scheduling.publish(row.task_name, row.args)
            except KeyError as exc:  # no such task in this version of the plugin: this row only
                report.failed += 1
                unknown.append(row.pk)
                outbox_failed(row.pk, f"Unknown task: {exc}")
                continue
            except Exception as exc:  # the broker client's many errors: stop, give the rest back
                report.failed += 1
                report.error = f"{type(exc).__name__}: {exc}"
                log.warning("cert_plugin: the outbox relay could not send %s%r; stopping this run",
                            row.task_name, tuple(row.args), exc_info=True)
                rest = [other.pk for other in batch[index + 1:]]
                OutboxTask.objects.filter(pk__in=rest).update(next_attempt_at=started)
                outbox_failed(row.pk, report.error)  # due again, after the rows given back
                break
            outbox_sent(row.pk)
            report.sent += 1
    report.pending = OutboxTask.objects.count()
    if report.sent or report.failed:
        log.info("cert_plugin: outbox relay %s", report.as_dict())
    return report


def _claim_outbox(limit: int, *, now: Any, skip: Sequence[int] = ()) -> list[OutboxTask]:
    """Take up to ``limit`` rows due at ``now`` for this relay by moving them a lease into the future."""
    from django.db import router

    lease_end = now + OUTBOX_LEASE
    due = (OutboxTask.objects.filter(next_attempt_at__lte=now).exclude(pk__in=skip)
           .order_by("next_attempt_at", "pk"))
    alias = router.db_for_write(OutboxTask)
    if transaction.get_connection(alias).features.has_select_for_update_skip_locked:
        with transaction.atomic(using=alias):  # PostgreSQL, MySQL 8, MariaDB 10.6+
            batch = list(due.select_for_update(skip_locked=True)[:limit])
            OutboxTask.objects.filter(pk__in=[row.pk for row in batch]).update(next_attempt_at=lease_end)
        return batch
    # SQLite has no SKIP LOCKED: concurrent relays may read the same rows, so each row is claimed
    # with a compare-and-set on the time it was read with; the loser's update matches no row.
    return [row for row in due[:limit]
            if OutboxTask.objects.filter(pk=row.pk, next_attempt_at=row.next_attempt_at)
            .update(next_attempt_at=lease_end)]


def record_render_failure(certificate_id: int, message: str) -> None:
    """Note a render that failed outside the renderer (the task's time limit) for staff."""
    certificate = Certificate.objects.filter(pk=certificate_id).first()
    if certificate is not None:
        _record_render_error(certificate, message)
