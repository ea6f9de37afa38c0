"""Progress, eligibility and issuing: from a learner's facts to one certificate.

Owns the read of a course and a learner (``CourseFacts``, ``LearnerFacts``),
the requirements snapshot, ``get_progress``, ``evaluate`` (what the
``evaluate_learner`` task runs on each grade event), ``issue``, staff
decisions that may issue (approve, reject, mark a requirement met; which
decision stands is ``domain/approvals.py``'s) and the status list index. A
recertification asks what the course asks now: staff approve it, and confirm
additional requirements, again.
Writes: Certificate, Approval (the "awaiting" marker), RequirementRecord (and
AuditEvent).
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from functools import cached_property
from typing import Any, TypeGuard

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from opaque_keys.edx.keys import CourseKey

from cert_plugin import codes, requirements, text
from cert_plugin.data import Progress, Refusal
from cert_plugin.dates import local_date
from cert_plugin.domain.approvals import decide, refusal_of, standing_decision, still_approved
from cert_plugin.domain.branding import issuer_name_for
from cert_plugin.domain.notifications import render_and_announce
from cert_plugin.domain.shared import (
    CertPluginError,
    InvalidCourseKey,
    RequirementsError,
    UnknownCourse,
    active_certificate,
    get_config,
    get_host,
    parse_course_key,
    record_audit,
)
from cert_plugin.domain.templates import issuing_version
from cert_plugin.domain.verification import forget_verify_answers, sign_certificate
from cert_plugin.host.base import BlockInfo, CourseInfo, GradeInfo, Host
from cert_plugin.models import (
    Approval,
    AuditEvent,
    Certificate,
    CertificateTemplateVersion,
    CourseCertificateConfig,
    RequirementRecord,
)

log = logging.getLogger("cert_plugin.api")  # the name operators' logging configuration knows


def requirements_summary(course_key: CourseKey | str) -> list[str]:
    """The course's certificate requirements in plain sentences ([] when it offers none).

    Raises RequirementsError (saying what is wrong) for a configuration saved
    before today's validation rules; the staff settings form fixes it.
    """
    key = parse_course_key(course_key)
    config = get_config(key)
    if config is None:
        return []
    host = get_host()
    titles = {str(block.usage_key): block.title for block in host.outline(key)}
    info = host.course(key)
    try:
        return requirements.summarize(_requirements_of(config), block_titles=titles,
                                      passing_grade=info.passing_grade if info is not None else None)
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


class CourseFacts:
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
        return issuing_version(self.config)

    @cached_property
    def issuer_name(self) -> str:
        """The issuer its certificates name: the organization's display name (branding) first."""
        return issuer_name_for(self.require_info().org)


@dataclass
class LearnerFacts:
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


def _snapshot(user: Any, course: CourseFacts, facts: LearnerFacts,
              since: Any = None) -> tuple[requirements.Snapshot, Approval | None]:
    """The learner's progress as the requirements engine reads it, and staff's decision that counts
    (``since``: see ``standing_decision``); fills ``facts`` with what it read."""
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
        # For a recertification, staff confirm again: a record from before the expired certificate's
        # issue (whole seconds, as issued_at) was for that certificate.
        met = [requirement for requirement, when in records.values_list("key", "modified_at")
               if since is None or when.replace(microsecond=0) > since]
    decision = standing_decision(user, key, since) if rules.requires_approval else None
    grade = facts.grade
    return requirements.Snapshot(
        lessons=lessons,
        completed=frozenset(str(k) for k in facts.completed),
        grade_percent=float(grade.percent),
        grade_passed=bool(grade.passed),
        scores=dict(grade.scores),
        block_titles=course.block_titles,
        met_requirements=frozenset(met),
        approval=decision.decision if decision is not None else None,
        approval_reason=decision.reason if decision is not None else "",
        recertifying=since is not None,
        unavailable=unavailable,
        passing_grade=course.info.passing_grade if course.info is not None else None,
    ), decision


def _is_current(certificate: Certificate | None) -> TypeGuard[Certificate]:
    return certificate is not None and certificate.status == Certificate.ISSUED


def get_progress(user: Any, course_key: CourseKey | str) -> Progress:
    """Where the learner stands: status, eligibility and the requirement checklist."""
    key = parse_course_key(course_key)
    return _progress(user, CourseFacts(key), _standing(user, key), LearnerFacts())


def _progress(user: Any, course: CourseFacts, standing: _Standing, facts: LearnerFacts) -> Progress:
    current = standing.active
    if _is_current(current):
        return Progress(status="issued", eligible=True, certificate=current,
                        message=_("Your certificate is ready to download."))
    if not course.offered:
        return Progress(status="not_offered", eligible=False,
                        message=_("This course does not offer a certificate."))
    course.require_info()
    expired = current  # active but not current: expired, and replaced by a recertification
    snapshot, decision = _snapshot(user, course, facts, since=expired.issued_at if expired else None)
    outcome = requirements.evaluate(course.rules, snapshot)
    revoked = standing.last_revoked
    if revoked is not None:
        return Progress(status="in_progress", eligible=outcome.eligible, items=outcome.items,
                        certificate=revoked,
                        message=_("Your certificate was revoked on {date}. Contact the course staff.").format(
                            date=local_date(revoked.revoked_at)))
    if outcome.awaiting_approval:
        message = _("All other requirements are met. The course staff will review your work and "
                    "approve your certificate.")
        if expired is not None:
            message = _("Your certificate expired on {date}. You meet the other requirements again; the "
                        "course staff will review your work and approve your recertification.").format(
                date=local_date(expired.expires_at))
        return Progress(status="pending_approval", eligible=False, items=outcome.items, message=message,
                        expired=expired)
    missing = [item for item in outcome.items if not item.met]
    message = "" if outcome.eligible else ngettext(
        "{count} requirement left: {requirements}.", "{count} requirements left: {requirements}.",
        len(missing)).format(count=len(missing), requirements="; ".join(item.label for item in missing))
    refusal = refusal_of(decision)
    if refusal is not None:
        message = _refusal_message(refusal)
    if expired is not None:
        message = _recertification_message(expired, outcome.items, refusal)
    return Progress(status="in_progress", eligible=outcome.eligible, items=outcome.items, message=message,
                    refusal=refusal, expired=expired)


def _refusal_message(refusal: Refusal) -> str:
    reason = refusal.reason.strip().rstrip(".")
    if refusal.review_requested_at is not None:
        then = _("You asked them to reconsider on {date}.").format(
            date=local_date(refusal.review_requested_at))
    else:
        then = _("You can ask them to reconsider.")
    if reason:
        return _("The course staff did not approve your certificate: {reason}. {then}").format(
            reason=reason, then=then)
    return _("The course staff did not approve your certificate. {then}").format(then=then)


# Said with every recertification checklist that counts grades or lessons: the host reports a
# learner's scores and completions, not when they were earned, so none can be asked to be recent.
_ATTEMPTS_COUNT = gettext_lazy("Grades and lessons you completed before count too: the LMS does not tell "
                               "when they were earned.")


def _recertification_message(expired: Certificate, items: Iterable[Any], refusal: Refusal | None) -> str:
    """Exactly what remains before a recertification replaces the expired certificate."""
    items = list(items)
    missing = [item.label for item in items if not item.met]
    sentences = [_("Your certificate expired on {date}.").format(date=local_date(expired.expires_at))]
    if refusal is not None:
        sentences.append(_refusal_message(refusal))
    elif missing:
        sentences.append(_("To recertify: {requirements}.").format(requirements="; ".join(missing)))
    else:
        sentences.append(_("You meet every requirement again: recertify to get a new certificate."))
    if any(item.undated for item in items):
        sentences.append(str(_ATTEMPTS_COUNT))
    return " ".join(sentences)


def evaluate(user: Any, course_key: CourseKey | str) -> Certificate | None:
    """Issue the learner's certificate if they now qualify; idempotent.

    Returns the active certificate (new or existing), or None while the
    learner does not qualify. Repeated and concurrent calls never create a
    second active certificate. A revoked certificate is not replaced
    automatically: only staff ``issue`` does that.
    """
    return evaluate_with_progress(user, CourseFacts(parse_course_key(course_key)))[0]


def evaluate_with_progress(user: Any, course: CourseFacts, facts: LearnerFacts | None = None, *,
                           backfill: bool = False) -> tuple[Certificate | None, Progress | None]:
    """:func:`evaluate`, also giving the progress it computed (None when already issued).

    ``facts`` may carry the learner's grade and completions read in bulk; a
    backfill only counts the certificates it finds, so it skips their template.
    """
    standing = _standing(user, course.key, with_template=not backfill)
    if _is_current(standing.active):
        return standing.active, None
    facts = facts if facts is not None else LearnerFacts()
    progress = _progress(user, course, standing, facts)
    _mark_awaiting(user, course.key, progress)
    if progress.status != "in_progress" or not progress.eligible or progress.certificate is not None:
        return None, progress  # not yet qualified, awaiting approval, or revoked (only staff re-issue)
    # Only a certificate active when ``standing`` was read can be an expired one to retire: one
    # issued since by a concurrent evaluation is current, and the insert below then yields to it.
    try:
        certificate = _issue(user, course, actor=None, reason="", grade=facts.grade,
                             retire=standing.active is not None, automatic=True)
    except RevokedMeanwhile:  # staff revoked or refused it while this evaluation ran
        return None, _progress(user, course, _standing(user, course.key), facts)
    return certificate, progress


def _mark_awaiting(user: Any, key: CourseKey, progress: Progress) -> None:
    """Keep the "awaiting approval" marker in step with the learner's progress.

    A recertification awaiting approval replaces the decision given for the expired certificate,
    so staff see the learner among those awaiting them again (the audit trail keeps the old one).
    """
    awaiting = progress.status == "pending_approval"
    if not awaiting and not any(item.key == "approval" for item in progress.items):
        return  # the course needs no approval, so there is no marker to clear
    if awaiting:
        try:
            with transaction.atomic():
                row, created = Approval.objects.get_or_create(user=user, course_key=key,
                                                              defaults={"decision": Approval.AWAITING})
        except IntegrityError:
            return  # marked concurrently
        if created or row.decision == Approval.AWAITING or progress.expired is None:
            return
        if row.decided_at is None or row.decided_at <= progress.expired.issued_at:
            # Only if unchanged since read: a decision staff make meanwhile stands.
            Approval.objects.filter(pk=row.pk, decision=row.decision, decided_at=row.decided_at).update(
                decision=Approval.AWAITING, by=None, reason="", decided_at=None, review_requested_at=None,
                review_message="", modified_at=timezone.now())
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
    return _issue(user, CourseFacts(key), actor=by, reason=reason or "Issued by course staff")


# Bits in the revocation status list: 2^22 (512 KB raw, a few KB gzipped while sparse). At
# 100,000 certificates a random draw collides 2.4% of the time; a collision draws again.
STATUS_LIST_SIZE = 2**22


_ISSUE_ATTEMPTS = 10


def _issue(user: Any, course_facts: CourseFacts, *, actor: Any, reason: str, grade: GradeInfo | None = None,
           retire: bool = True, automatic: bool = False) -> Certificate:
    """Create the certificate; ``grade`` when the caller already read it, ``retire=False`` when it knows
    the learner held no active certificate (so there is no expired one to retire), ``automatic`` for an
    evaluation's (RevokedMeanwhile if the certificate it would replace was revoked meanwhile)."""
    key, host = course_facts.key, course_facts.host
    course = course_facts.require_info()
    config = course_facts.config
    learner = host.learner(user)
    if grade is None:
        grade = host.grade(user, key)
    version = course_facts.template_version
    name = text.clean_name(learner.full_name)  # no controls, fits the column and the page
    now = timezone.now().replace(microsecond=0)  # the signed timestamp has whole seconds
    validity = config.validity_days if config is not None else None
    needs_approval = config is not None and config.requires_approval
    for _attempt in range(_ISSUE_ATTEMPTS):
        try:
            with transaction.atomic():
                if automatic and needs_approval and not still_approved(user, key):
                    raise RevokedMeanwhile  # refused since the evaluation read the approval
                if retire:
                    _retire_expired(user, key, now, automatic=automatic)
                certificate = Certificate(
                    verification_code=codes.generate(),
                    user=user,
                    course_key=key,
                    learner_name=name,
                    course_title=course.title,
                    org=course.org,
                    issuer_name=course_facts.issuer_name,
                    hours=(config.hours if config is not None and config.hours is not None else course.hours),
                    grade=round(float(grade.percent), 4),
                    issued_at=now,
                    expires_at=now + timedelta(days=validity) if validity else None,
                    template_version=version,
                    language=course.language or "en",
                    status_index=secrets.randbelow(STATUS_LIST_SIZE),
                )
                sign_certificate(certificate, registered_key_id=course_facts.registered_key_id)
                certificate.save(force_insert=True)
                record_audit(AuditEvent.ISSUED, key, user=user, certificate=certificate, actor=actor,
                             reason=reason, learner_name=name, template_version=version.pk)
                # In the same transaction: with a broker, the tasks' outbox rows commit with the certificate.
                render_and_announce(certificate, "issued")
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


def _retire_expired(user: Any, key: CourseKey, now: Any, *, automatic: bool) -> None:
    """Retire an expired active certificate so a recertification can take its place.

    The learner's certificates in the course are read under the lock this writes
    with: an automatic recertification (not a staff ``issue``) of a certificate
    revoked since the caller read it is refused (RevokedMeanwhile), never issued.
    """
    rows = list(Certificate.objects.select_for_update()
                .filter(Q(active=True) | Q(state=Certificate.REVOKED), user=user, course_key=key)
                .order_by("-issued_at", "-id"))
    if automatic and rows and rows[0].state == Certificate.REVOKED:
        raise RevokedMeanwhile
    for certificate in rows:
        if certificate.active and certificate.expires_at is not None and certificate.expires_at <= now:
            Certificate.objects.filter(pk=certificate.pk).update(active=None, state=Certificate.EXPIRED,
                                                                 modified_at=now)
            forget_verify_answers([certificate.verification_code])
            record_audit(AuditEvent.EXPIRED, key, user=user, certificate=certificate,
                         reason="Expired; replaced by recertification")


class RevokedMeanwhile(Exception):  # a signal within this module, not an error for callers
    """Staff withdrew the certificate (revoked it, or refused approval) while the evaluation ran."""


def approve(user: Any, course_key: CourseKey | str, *, by: Any, reason: str = "") -> Certificate | None:
    """Record staff approval; issues the certificate when everything else is met too."""
    key = parse_course_key(course_key)
    decide(user, key, Approval.APPROVED, by=by, reason=reason)
    return evaluate(user, key)


def reject(user: Any, course_key: CourseKey | str, *, by: Any, reason: str = "") -> Progress:
    """Record that staff do not approve the learner's certificate: the learner reads the reason on their
    card, the course page and the progress JSON, and may ask staff to reconsider (``request_review``).

    Also answers a learner's review request (the refusal stands, with this reason), and refuses a
    recertification (the expired certificate stays as it is).
    """
    key = parse_course_key(course_key)
    decide(user, key, Approval.REJECTED, by=by, reason=reason)
    return get_progress(user, key)


def mark_requirement_met(user: Any, course_key: CourseKey | str, key: str, *, by: Any,
                         met: bool = True, reason: str = "") -> Progress:
    """Record staff's word on an additional requirement (attendance, project...).

    ``key`` is the requirement's key as configured, or its checklist item's key
    (``"req:<key>"``, what ``get_progress(...).items`` hands out). Issues the
    certificate when this was the last unmet requirement.
    """
    course = parse_course_key(course_key)
    config = get_config(course)
    known = {item["key"]: item["label"] for item in (config.additional_requirements if config else [])}
    found = _requirement_key(key, known)
    if found is None:
        raise RequirementsError(
            f"{course} has no additional requirement {key!r}; "
            f"known: {', '.join(sorted(known)) or 'none'}."
        )
    key = found
    with transaction.atomic():
        RequirementRecord.objects.update_or_create(user=user, course_key=course, key=key,
                                                   defaults={"met": met, "by": by})
        action = AuditEvent.REQUIREMENT_MET if met else AuditEvent.REQUIREMENT_UNMET
        record_audit(action, course, user=user, actor=by, reason=reason, requirement=key, label=known[key])
    if met:
        evaluate(user, course)
    return get_progress(user, course)


def _requirement_key(key: str, known: dict[str, str]) -> str | None:
    """The configured key that ``key`` names: itself, or the key inside its checklist form "req:<key>"
    (configure_course refuses keys that start with "req:", so the two forms never name two requirements)."""
    if key in known:
        return key
    text = str(key)
    inner = text.removeprefix(requirements.ADDITIONAL_PREFIX)
    return inner if inner != text and inner in known else None
