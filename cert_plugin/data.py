"""Plain data that the public API hands out (no Django models inside)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from cert_plugin.models import Certificate, ReissueRequest

__all__ = ["ChecklistItem", "CourseStatus", "Download", "LearnerPage", "LearnerRow", "Progress", "Refusal",
           "Verification"]


@dataclass(frozen=True)
class ChecklistItem:
    """One requirement as the learner sees it: "12 of 14 lessons completed"."""

    key: str  # stable id: "lessons", "grade", "quiz:<usage key>", "req:<key>", "approval"
    label: str  # what must be done, e.g. "Complete all lessons"
    met: bool
    detail: str  # where the learner stands, e.g. "12 of 14 lessons completed"
    url: str = ""  # where to go to meet it, when the host knows

    @property
    def undated(self) -> bool:
        """Met by work the host reports without a date (lessons, grade, quizzes), so work done before
        an expiry counts for a recertification too; staff decisions are dated, and are asked anew."""
        return self.key in ("lessons", "grade") or self.key.startswith("quiz:")


@dataclass(frozen=True)
class Refusal:
    """Staff's refusal to approve a learner's certificate, as it stands, and the learner's answer to it."""

    reason: str  # staff's words, shown to the learner as written ("" when staff gave none)
    decided_at: datetime | None  # when staff refused
    review_requested_at: datetime | None = None  # when the learner asked staff to reconsider (once)
    review_message: str = ""  # what the learner added to that request


@dataclass(frozen=True)
class Progress:
    """A learner's certification progress in one course."""

    status: str  # "not_offered" | "in_progress" | "pending_approval" | "issued"
    eligible: bool  # every requirement met (approval included)
    items: tuple[ChecklistItem, ...] = ()
    certificate: Certificate | None = None  # the active certificate when issued (the revoked one if revoked)
    message: str = ""  # one plain sentence summing up what is next
    refusal: Refusal | None = None  # staff refused approval and that stands (status stays "in_progress")
    # The learner's expired certificate, which a recertification replaces: ``items`` are then what the
    # course asks now, approval included (an approval given for the expired certificate does not count).
    expired: Certificate | None = None

    @property
    def met_count(self) -> int:
        return sum(1 for item in self.items if item.met)

    @property
    def percent(self) -> int:
        """Share of checklist items met, 0..100, for a progress bar."""
        if not self.items:
            return 100 if self.status == "issued" else 0
        return round(100 * self.met_count / len(self.items))

    @property
    def missing(self) -> tuple[ChecklistItem, ...]:
        return tuple(item for item in self.items if not item.met)

    @property
    def earlier_work_counts(self) -> bool:
        """A recertification in which work done before the expiry counts (see ``ChecklistItem.undated``)."""
        return self.expired is not None and any(item.undated for item in self.items)


@dataclass(frozen=True)
class Verification:
    """The answer to "is this certificate genuine?"."""

    status: str  # "valid" | "revoked" | "expired" | "not_found"
    certificate: Certificate | None = None
    code: str = ""  # the code as normalized, formatted XXXX-XXXX-XXXX-XXXX
    newer: Certificate | None = None  # for an expired one: a later certificate for the same learner/course
    signature_valid: bool | None = None  # the Ed25519 signature checks out; None = issued unsigned
    # What a third party checks it with (algorithm, key_id, payload, value), when it checks out:
    signature: dict[str, str] | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Download:
    """A rendered certificate file, ready to send."""

    content: bytes
    mime: str  # "application/pdf" or "image/png"
    filename: str  # e.g. "certificate-PY101-ABCD-EFGH-JKMN-PQRS.pdf"
    etag: str  # sha256 of the content
    modified_at: datetime  # when this revision was rendered


@dataclass(frozen=True)
class CourseStatus:
    """One course on the learner's "My certificates" tab."""

    course_key: str
    course_title: str
    status: str  # "issued" | "expired" | "revoked" | "not_approved" | "pending_approval" | "in_progress"
    progress: Progress  # the checklist (empty once issued)
    certificate: Certificate | None = None  # the newest certificate of the course, if any
    profile_name: str = ""  # the profile name when it differs from the printed one (else "")
    reissue_request: ReissueRequest | None = None  # the learner's open request, if any
    course_url: str = ""  # where the course is, when the host can tell


@dataclass(frozen=True)
class LearnerRow:
    """One learner in the staff learners table."""

    user: Any
    name: str  # the name printed on their certificate, else their username
    status: str  # "issued" | "expired" | "revoked" | "not_approved" | "pending_approval" | "in_progress"
    certificate: Certificate | None = None
    progress: Progress | None = None  # computed for the rows shown only


@dataclass(frozen=True)
class LearnerPage:
    """A page of the staff learners table, with counts for the status filters."""

    rows: tuple[LearnerRow, ...]
    total: int  # learners matching search and filter
    page: int
    pages: int
    counts: dict[str, int]  # per status, over the whole course (before search and filter)
