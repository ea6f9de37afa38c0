"""The public Python API of cert_plugin: the one door to its records.

Views, the REST API, admin, the XBlock, receivers, tasks and management
commands call these functions; nothing else writes the plugin's models.
``course_key`` arguments accept an opaque-keys ``CourseKey`` or its string.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import timedelta
from decimal import Decimal
from functools import lru_cache
from typing import Any, TypeGuard

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from opaque_keys import InvalidKeyError
from opaque_keys.edx.keys import CourseKey

from cert_plugin import codes, conf, jobs, requirements
from cert_plugin.data import ChecklistItem, Progress, Verification
from cert_plugin.host.base import Host
from cert_plugin.models import (
    Approval,
    AuditEvent,
    Certificate,
    CertificateTemplate,
    CertificateTemplateVersion,
    CourseCertificateConfig,
    RequirementRecord,
)

log = logging.getLogger(__name__)

__all__ = [
    "BackfillReport",
    "CertPluginError",
    "ChecklistItem",
    "InvalidCourseKey",
    "Progress",
    "RequirementsError",
    "TemplateError",
    "UnknownCourse",
    "Verification",
    "active_certificate",
    "approve",
    "audit_trail",
    "backfill",
    "certificates_for",
    "configure_course",
    "create_template",
    "enrolled_count",
    "evaluate",
    "evaluate_ids",
    "get_config",
    "get_host",
    "get_progress",
    "issue",
    "mark_requirement_met",
    "parse_course_key",
    "queue_backfill",
    "reissue",
    "reject",
    "render_pdf",
    "render_png",
    "revoke",
    "update_template",
    "verify",
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


# --------------------------------------------------------------------------- helpers


def parse_course_key(course_key: CourseKey | str) -> CourseKey:
    """The CourseKey for ``course_key``, or InvalidCourseKey with a readable message."""
    if isinstance(course_key, CourseKey):
        return course_key
    text = str(course_key or "").strip()
    try:
        return CourseKey.from_string(text)
    except InvalidKeyError:
        raise InvalidCourseKey(
            f"{text!r} is not a valid course key; expected something like "
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
    extra = _normalize_additional(additional_requirements)
    rules = requirements.Requirements(
        min_grade=None if min_grade is None else float(min_grade),
        min_completion=float(min_completion),
        required_quizzes=tuple(str(q) for q in required_quizzes),
        min_quiz_score=float(min_quiz_score),
        requires_approval=bool(requires_approval),
        additional_requirements=tuple((item["key"], item["label"]) for item in extra),
    )
    graded = {str(block.usage_key) for block in host.outline(key) if block.graded}
    problems = requirements.validate_requirements(rules, graded_keys=graded)
    if validity_days is not None and (int(validity_days) != validity_days or validity_days < 1):
        problems.append("Validity must be a whole number of days (1 or more), or empty for no expiry.")
    hours_value = None if hours in (None, "") else Decimal(str(hours))
    if hours_value is not None and not (Decimal(0) < hours_value < Decimal(100000)):
        problems.append("Hours must be a positive number.")
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
        "validity_days": validity_days,
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
            jobs.enqueue("cert_plugin.tasks.backfill_course", str(key))
    return config


def _normalize_additional(items: Sequence[Mapping[str, str] | str]) -> list[dict[str, str]]:
    result = []
    for item in items:
        if isinstance(item, str):
            item = {"key": item, "label": item}
        key = str(item.get("key", "")).strip()
        label = str(item.get("label", "") or key).strip()
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
    candidates = CertificateTemplate.objects.filter(name=template, org__in=[org, ""])
    found = sorted(candidates, key=lambda t: t.org != org)  # the course's organization first
    if not found:
        raise TemplateError(f"There is no certificate template named {template!r}.")
    return found[0]


# --------------------------------------------------------------------------- progress


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


def _snapshot(user: Any, key: CourseKey, host: Host) -> requirements.Snapshot:
    outline = host.outline(key)
    grade = host.grade(user, key)
    met = RequirementRecord.objects.filter(user=user, course_key=key, met=True).values_list("key", flat=True)
    approval = Approval.objects.filter(user=user, course_key=key).values_list("decision", flat=True).first()
    return requirements.Snapshot(
        lessons=tuple((str(b.usage_key), b.title) for b in outline if b.completable),
        completed=frozenset(str(k) for k in host.completed_blocks(user, key)),
        grade_percent=float(grade.percent),
        grade_passed=bool(grade.passed),
        scores=dict(grade.scores),
        block_titles={str(b.usage_key): b.title for b in outline},
        met_requirements=frozenset(met),
        approval=approval,
    )


def _is_current(certificate: Certificate | None) -> TypeGuard[Certificate]:
    return certificate is not None and certificate.status == Certificate.ISSUED


def get_progress(user: Any, course_key: CourseKey | str) -> Progress:
    """Where the learner stands: status, eligibility and the requirement checklist."""
    key = parse_course_key(course_key)
    current = active_certificate(user, key)
    if _is_current(current):
        return Progress(status="issued", eligible=True, certificate=current,
                        message="Your certificate is ready to download.")
    config = get_config(key)
    if config is None or not config.enabled:
        return Progress(status="not_offered", eligible=False,
                        message="This course does not offer a certificate.")
    host = get_host()
    if host.course(key) is None:
        raise UnknownCourse(f"The LMS has no course {key}.")
    outcome = requirements.evaluate(_requirements_of(config), _snapshot(user, key, host))
    revoked = _last_revoked(user, key)
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


def _last_revoked(user: Any, key: CourseKey) -> Certificate | None:
    """The learner's latest certificate when it was revoked (so it is not re-issued automatically)."""
    latest = Certificate.objects.filter(user=user, course_key=key).order_by("-issued_at", "-id").first()
    return latest if latest is not None and latest.state == Certificate.REVOKED else None


# --------------------------------------------------------------------------- issuing


def evaluate(user: Any, course_key: CourseKey | str) -> Certificate | None:
    """Issue the learner's certificate if they now qualify; idempotent.

    Returns the active certificate (new or existing), or None while the
    learner does not qualify. Repeated and concurrent calls never create a
    second active certificate. A revoked certificate is not replaced
    automatically: only staff ``issue`` does that.
    """
    key = parse_course_key(course_key)
    current = active_certificate(user, key)
    if _is_current(current):
        return current
    progress = get_progress(user, key)
    if progress.status == "issued":
        return progress.certificate  # issued meanwhile by a concurrent evaluation
    if progress.status != "in_progress" or not progress.eligible or progress.certificate is not None:
        return None  # not yet qualified, awaiting approval, or revoked (only staff re-issue then)
    return _issue(user, key, actor=None, reason="")


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
    return _issue(user, key, actor=by, reason=reason or "Issued by course staff")


def _template_version(config: CourseCertificateConfig | None) -> CertificateTemplateVersion:
    template = config.template if config is not None else None
    version = template.current_version if template is not None else None
    return version or _builtin_version()


def _builtin_version() -> CertificateTemplateVersion:
    """The built-in default template's current version, created on first use."""
    from cert_plugin.rendering.builtin import builtin_source

    name, orientation, html, css = builtin_source()
    template, _ = CertificateTemplate.objects.get_or_create(org="", name=name, defaults={"is_builtin": True})
    current = template.current_version
    digest = CertificateTemplateVersion.compute_digest(html, css, orientation)
    if current is not None and current.digest == digest:
        return current
    try:
        with transaction.atomic():
            return CertificateTemplateVersion.objects.create(
                template=template, number=(current.number + 1) if current else 1,
                html=html, css=css, orientation=orientation)
    except IntegrityError:  # created concurrently
        latest = template.current_version
        if latest is None:
            raise
        return latest


def _issue(user: Any, key: CourseKey, *, actor: Any, reason: str) -> Certificate:
    host = get_host()
    course = host.course(key)
    if course is None:
        raise UnknownCourse(f"The LMS has no course {key}.")
    config = get_config(key)
    learner = host.learner(user)
    grade = host.grade(user, key)
    version = _template_version(config)
    now = timezone.now()
    validity = config.validity_days if config is not None else None
    for _attempt in range(3):
        try:
            with transaction.atomic():
                _retire_expired(user, key, now)
                certificate = Certificate.objects.create(
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
                )
                _audit(AuditEvent.ISSUED, key, user=user, certificate=certificate, actor=actor, reason=reason,
                       learner_name=learner.full_name, template_version=version.pk)
        except IntegrityError:
            existing = _locked_active(user, key)
            if existing is not None:
                return existing  # a concurrent evaluation issued it first
            continue  # a verification code collision (2^-80): draw another code
        log.info("cert_plugin: issued %s to user %s in %s", certificate.verification_code, user.pk, key)
        return certificate
    raise IntegrityError("Could not issue a certificate after 3 attempts.")


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
        locked.save()
        _audit(AuditEvent.REISSUED, locked.course_key, user=locked.user, certificate=locked, actor=by,
               reason=reason, before=before,
               after={"learner_name": locked.learner_name, "course_title": locked.course_title,
                      "template_version": version.pk, "revision": locked.revision})
    return locked


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
        newer = (Certificate.objects.filter(user_id=certificate.user_id, course_key=certificate.course_key,
                                            issued_at__gt=certificate.issued_at, state=Certificate.ISSUED)
                 .order_by("-issued_at").first())
    return Verification(status=status, certificate=certificate, code=certificate.formatted_code, newer=newer)


def certificates_for(user: Any) -> list[Certificate]:
    """Every certificate the learner was issued, newest first (revoked and expired included)."""
    return list(Certificate.objects.filter(user=user).order_by("-issued_at", "-id"))


def audit_trail(course_key: CourseKey | str, *, user: Any = None) -> list[AuditEvent]:
    """The course's audit events, newest first (optionally for one learner)."""
    events = AuditEvent.objects.filter(course_key=parse_course_key(course_key))
    if user is not None:
        events = events.filter(user=user)
    return list(events.select_related("actor", "user"))


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


def backfill(course_key: CourseKey | str, *,
             on_progress: Callable[[int], None] | None = None) -> BackfillReport:
    """Evaluate every enrolled learner; issue to those who already qualify.

    Safe to run again (it never duplicates) and safe to interrupt: a rerun
    picks up where the last one stopped, since evaluation is idempotent.
    """
    key = parse_course_key(course_key)
    host = get_host()
    if host.course(key) is None:
        raise UnknownCourse(f"The LMS has no course {key}.")
    report = BackfillReport(course_key=str(key))
    learners: Iterable[Any] = host.enrolled_learners(key)
    for learner in learners:
        report.learners += 1
        try:
            _backfill_one(learner, key, report)
        except Exception:  # one learner's bad data must not stop the course's backfill
            report.failed += 1
            log.exception("cert_plugin: backfill of user %s in %s failed", _user_id(learner), key)
        if on_progress is not None:
            on_progress(report.learners)
    log.info("cert_plugin: backfill %s", report.as_dict())
    return report


def queue_backfill(course_key: CourseKey | str) -> None:
    """Send a backfill of the course to the workers (in process when there is no broker)."""
    key = parse_course_key(course_key)
    if get_host().course(key) is None:
        raise UnknownCourse(f"The LMS has no course {key}.")
    jobs.enqueue("cert_plugin.tasks.backfill_course", str(key))


def enrolled_count(course_key: CourseKey | str) -> int | None:
    """How many learners a backfill will visit, when the host can tell cheaply."""
    learners = get_host().enrolled_learners(parse_course_key(course_key))
    for attribute in ("count", "__len__"):
        counter = getattr(learners, attribute, None)
        if callable(counter):
            return int(counter())
    return None


def _backfill_one(learner: Any, key: CourseKey, report: BackfillReport) -> None:
    if _is_current(active_certificate(learner, key)):
        report.already_issued += 1
        return
    if evaluate(learner, key) is not None:
        report.issued += 1
        return
    status = get_progress(learner, key).status
    if status == "pending_approval":
        report.pending_approval += 1
    elif status == "issued":
        report.already_issued += 1
    else:
        report.in_progress += 1


# --------------------------------------------------------------------------- rendering (issue 3)


def render_pdf(certificate: Certificate) -> bytes:
    """The certificate as an A4 PDF (not available yet: arrives with the rendering work)."""
    raise NotImplementedError("PDF rendering is not implemented yet.")


def render_png(certificate: Certificate, *, dpi: int = 150) -> bytes:
    """The certificate as a PNG (not available yet: arrives with the rendering work)."""
    raise NotImplementedError("PNG rendering is not implemented yet.")


def create_template(name: str, *, html: str, css: str = "", orientation: str = "landscape",
                    org: str | None = None) -> CertificateTemplate:
    """Create a staff template (not available yet: arrives with the rendering work)."""
    raise NotImplementedError("Template editing is not implemented yet.")


def update_template(template: CertificateTemplate, *, html: str | None = None, css: str | None = None,
                    orientation: str | None = None) -> CertificateTemplate:
    """Add a template version (not available yet: arrives with the rendering work)."""
    raise NotImplementedError("Template editing is not implemented yet.")
