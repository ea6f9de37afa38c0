"""The staff read model: a course's learners, statuses, export, audit trail.

Owns the paged learners table of the staff dashboard (``course_learners``,
``course_learner``), the CSV export (cells safe from spreadsheet formulas),
who awaits approval, who asks staff to reconsider a refusal, the audit trail
and the enrolment count. Reads only; writes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from opaque_keys.edx.keys import CourseKey

from cert_plugin import text
from cert_plugin.data import (
    LearnerPage,
    LearnerRow,
)
from cert_plugin.domain.issuing import get_progress
from cert_plugin.domain.learners import LEARNER_STATUSES
from cert_plugin.domain.shared import CertPluginError, get_host, parse_course_key
from cert_plugin.domain.verification import iso_timestamp
from cert_plugin.host.base import Host
from cert_plugin.models import (
    Approval,
    AuditEvent,
    Certificate,
)


def audit_trail(course_key: CourseKey | str, *, user: Any = None) -> list[AuditEvent]:
    """The course's audit events, newest first (optionally for one learner)."""
    return list(audit_events(course_key, user=user))


def audit_events(course_key: CourseKey | str, *, user: Any = None) -> QuerySet[AuditEvent]:
    """:func:`audit_trail` unread, for paging in SQL: a course's log grows with every learner."""
    events = AuditEvent.objects.filter(course_key=parse_course_key(course_key))
    if user is not None:
        events = events.filter(user=user)
    return events.select_related("actor", "user")


def enrolled_count(course_key: CourseKey | str) -> int | None:
    """How many learners a backfill will visit, when the host can tell cheaply."""
    learners = get_host().enrolled_learners(parse_course_key(course_key))
    for attribute in ("count", "__len__"):
        counter = getattr(learners, attribute, None)
        if callable(counter):
            return int(counter())
    return None


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
    sets = _status_sets(key, now)
    awaiting, refused = _decisions(key)
    counts = {name: learners.filter(pk__in=ids).count() for name, ids in sets.items()}
    counts["all"] = learners.count()
    counts["in_progress"] = max(0, counts["all"] - sum(counts[name] for name in sets))
    selected = learners
    term = text.strip_controls(search).strip()  # NUL would be a database error on PostgreSQL
    if term:
        selected = selected.filter(
            Q(username__icontains=term) | Q(email__icontains=term) | Q(first_name__icontains=term)
            | Q(last_name__icontains=term)
            | Q(pk__in=Certificate.objects.filter(course_key=key, learner_name__icontains=term)
                 .values("user_id")))
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
    not_approved = set(refused.filter(user__in=users).values_list("user_id", flat=True))
    rows = []
    for user in users:
        certificate = newest.get(user.pk)
        row_status = _row_status(certificate, now, awaiting=user.pk in waiting,
                                 refused=user.pk in not_approved)
        progress = None
        if with_progress and row_status in ("in_progress", "not_approved", "pending_approval", "expired"):
            progress = get_progress(user, key)
        rows.append(LearnerRow(user=user, name=certificate.learner_name if certificate else
                               (user.get_full_name() or user.username), status=row_status,
                               certificate=certificate, progress=progress))
    return LearnerPage(rows=tuple(rows), total=total, page=page, pages=pages, counts=counts)


def _decisions(key: CourseKey) -> tuple[QuerySet[Approval], QuerySet[Approval]]:
    """The course's learners awaiting approval, and those whose refusal stands: a refusal made before
    the learner's active certificate was issued (staff issued it anyway, or it expired since and is
    up for recertification) was for that certificate, and no longer stands."""
    decisions = Approval.objects.filter(course_key=key)
    later_certificate = Certificate.objects.filter(course_key=key, user_id=OuterRef("user_id"), active=True,
                                                   issued_at__gte=OuterRef("decided_at"))
    refused = decisions.filter(decision=Approval.REJECTED).exclude(Exists(later_certificate))
    return decisions.filter(decision=Approval.AWAITING), refused


def _status_sets(key: CourseKey, now: Any) -> dict[str, Any]:
    """Each status's learners (user id subqueries, disjoint): a decision staff owe or made comes first
    (a recertification awaiting approval is "pending_approval", not "expired")."""
    certificates = Certificate.objects.filter(course_key=key)
    active = certificates.filter(active=True)
    current = active.filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now), state=Certificate.ISSUED)
    revoked = certificates.filter(state=Certificate.REVOKED).exclude(user_id__in=active.values("user_id"))
    settled = Q(user_id__in=current.values("user_id")) | Q(user_id__in=revoked.values("user_id"))
    awaiting, refused = _decisions(key)
    awaiting, refused = awaiting.exclude(settled), refused.exclude(settled)
    expired = active.filter(state=Certificate.ISSUED, expires_at__lte=now).exclude(
        Q(user_id__in=awaiting.values("user_id")) | Q(user_id__in=refused.values("user_id")))
    return {"issued": current.values("user_id"), "expired": expired.values("user_id"),
            "revoked": revoked.values("user_id"), "not_approved": refused.values("user_id"),
            "pending_approval": awaiting.values("user_id")}


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


def _row_status(certificate: Certificate | None, now: Any, *, awaiting: bool, refused: bool) -> str:
    """As :func:`_status_sets` decides (``awaiting`` and ``refused`` from :func:`_decisions`)."""
    expired = False
    if certificate is not None:
        if certificate.state == Certificate.REVOKED:
            return "revoked"
        if certificate.active and certificate.state == Certificate.ISSUED:
            expired = certificate.expires_at is not None and certificate.expires_at <= now
            if not expired:
                return "issued"
    if awaiting:
        return "pending_approval"
    if refused:
        return "not_approved"
    return "expired" if expired else "in_progress"


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
    awaiting_rows, refused_rows = _decisions(key)
    awaiting = set(awaiting_rows.values_list("user_id", flat=True))
    refused = set(refused_rows.values_list("user_id", flat=True))
    batch = 2000
    last_pk = 0
    while True:
        users = list(learners.filter(pk__gt=last_pk).order_by("pk")[:batch])
        if not users:
            return
        newest = _newest_certificates(key, users)
        for user in users:
            certificate = newest.get(user.pk)
            status = _row_status(certificate, now, awaiting=user.pk in awaiting, refused=user.pk in refused)
            # no control or bidi characters: a U+202E would reorder what the next cells show
            yield [_spreadsheet_text(text.strip_controls(str(cell))) for cell in (
                user.username, user.email, certificate.learner_name if certificate else "", status,
                certificate.formatted_code if certificate else "",
                iso_timestamp(certificate.issued_at) or "" if certificate else "",
                iso_timestamp(certificate.expires_at) or "" if certificate else "",
                f"{certificate.grade:.2%}" if certificate and certificate.grade is not None else "",
                iso_timestamp(certificate.revoked_at) or "" if certificate else "",
                certificate.revoke_reason if certificate else "")]
        last_pk = users[-1].pk


def awaiting_approval(course_key: CourseKey | str) -> list[Any]:
    """Learners who met everything but staff approval, longest waiting first."""
    key = parse_course_key(course_key)
    rows = Approval.objects.filter(course_key=key, decision=Approval.AWAITING).select_related("user")
    return [row.user for row in rows.order_by("modified_at", "id")]


def review_requests(course_key: CourseKey | str) -> list[Approval]:
    """Refused learners who asked staff to reconsider, longest waiting first (each Approval row has
    the refusal's ``reason`` and the learner's ``review_message``; ``user`` is joined)."""
    key = parse_course_key(course_key)
    _awaiting, refused = _decisions(key)
    rows = refused.filter(review_requested_at__isnull=False).select_related("user")
    return list(rows.order_by("review_requested_at", "id"))
