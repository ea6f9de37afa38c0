"""Staff's approval decisions, and the learner's request that staff reconsider a refusal.

Owns which decision stands (``standing_decision``: for a recertification only
one made after the expired certificate was issued, since staff approve each
certification), recording a decision under the lock issuing re-reads it with
(``decide``, ``still_approved``), and the learner's review request
(``request_review``), which staff's next decision answers. Issuing
(``domain/issuing.py``) asks these before it issues; ``approve`` and ``reject``
live there because a decision may issue. Writes: Approval (and AuditEvent).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from opaque_keys.edx.keys import CourseKey

from cert_plugin import text
from cert_plugin.data import Refusal
from cert_plugin.domain.shared import CertPluginError, active_certificate, parse_course_key, record_audit
from cert_plugin.models import Approval, AuditEvent, Certificate

__all__ = ["REVIEW_MESSAGE_MAX", "decide", "refusal_of", "request_review", "standing_decision",
           "still_approved"]

REVIEW_MESSAGE_MAX = 2000  # characters of the note a learner may add to a review request


def standing_decision(user: Any, key: CourseKey, since: Any = None) -> Approval | None:
    """Staff's approval or refusal that stands, if any.

    ``since`` is the issue time of the learner's active certificate, when they
    hold one (an expired one, for a recertification): a decision made no later
    than that was for that certificate and does not count any more.
    """
    row = Approval.objects.filter(user=user, course_key=key).first()
    if row is None or row.decision not in (Approval.APPROVED, Approval.REJECTED):
        return None
    if since is not None and not _after(row.decided_at, since):
        return None
    return row


def _after(decided_at: Any, since: Any) -> bool:
    """Whether a decision made at ``decided_at`` (whole seconds) came after a certificate issued at
    ``since`` (whole seconds too: an approval in the very second its certificate was issued was for it)."""
    return decided_at is not None and decided_at > since


def refusal_of(row: Approval | None) -> Refusal | None:
    """The refusal a standing decision is, as the learner reads it (None for an approval)."""
    if row is None or row.decision != Approval.REJECTED:
        return None
    return Refusal(reason=row.reason, decided_at=row.decided_at, review_requested_at=row.review_requested_at,
                   review_message=row.review_message)


def decide(user: Any, key: CourseKey, decision: str, *, by: Any, reason: str) -> None:
    """Record the decision under the lock issuing reads it with (see :func:`still_approved`).

    A refusal once the certificate is issued changes nothing and says so: the
    certificate is revoked instead (an expired one may be refused its
    recertification). So a certificate exists exactly when the decision that
    stands is "approved", however two staff's clicks interleave. A decision
    answers the learner's review request, if any.
    """
    now = timezone.now().replace(microsecond=0)  # compared with Certificate.issued_at, whole seconds too
    with transaction.atomic():
        Approval.objects.select_for_update().filter(user=user, course_key=key).first()
        if decision == Approval.REJECTED and Certificate.objects.select_for_update().filter(
                Q(expires_at__isnull=True) | Q(expires_at__gt=now), user=user, course_key=key,
                active=True).exists():
            raise CertPluginError("The learner's certificate is already issued; to withdraw it, revoke it.")
        Approval.objects.update_or_create(user=user, course_key=key, defaults={
            "decision": decision, "by": by, "reason": reason, "decided_at": now,
            "review_requested_at": None, "review_message": ""})
        record_audit(decision, key, user=user, actor=by, reason=reason)


def still_approved(user: Any, key: CourseKey) -> bool:
    """Whether staff's approval stands, read under the lock a refusal writes with; for a
    recertification, only an approval given after the expired certificate was issued."""
    row = Approval.objects.select_for_update().filter(user=user, course_key=key,
                                                      decision=Approval.APPROVED).first()
    if row is None:
        return False
    expired = Certificate.objects.select_for_update().filter(
        user=user, course_key=key, active=True, expires_at__lte=timezone.now()).first()
    return expired is None or _after(row.decided_at, expired.issued_at)


def request_review(user: Any, course_key: CourseKey | str, *, message: str = "") -> Refusal:
    """The learner asks staff to reconsider their refusal; staff see it on their dashboard.

    Recorded once, in the audit trail too: asking again (a double submit, two
    tabs) returns the same request. Raises CertPluginError, saying why, when no
    refusal stands (staff decided again meanwhile, or never refused) or the
    note is too long.
    """
    key = parse_course_key(course_key)
    message = text.strip_controls(message or "").strip()
    if len(message) > REVIEW_MESSAGE_MAX:
        raise CertPluginError(f"Your note may have at most {REVIEW_MESSAGE_MAX} characters "
                              f"(it has {len(message)}).")
    with transaction.atomic():
        Approval.objects.select_for_update().filter(user=user, course_key=key).first()
        held = active_certificate(user, key)
        row = standing_decision(user, key, held.issued_at if held is not None else None)
        refusal = refusal_of(row)
        if row is None or refusal is None:
            raise CertPluginError("There is no refusal to reconsider: the course staff have not refused "
                                  "your certificate, or they have decided again since.")
        if refusal.review_requested_at is not None:
            return refusal  # asked already: one request
        row.review_requested_at = timezone.now()
        row.review_message = message
        row.save(update_fields=["review_requested_at", "review_message", "modified_at"])
        record_audit(AuditEvent.REVIEW_REQUESTED, key, user=user, actor=user, reason=message,
                     refusal=row.reason)
    return Refusal(reason=row.reason, decided_at=row.decided_at, review_requested_at=row.review_requested_at,
                   review_message=row.review_message)
