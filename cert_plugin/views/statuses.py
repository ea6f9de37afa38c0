"""How a learner's certification status looks on every page: its badge, icon and words."""

from __future__ import annotations

from django.utils.translation import gettext as _

__all__ = ["STATUS_BADGES", "status_label"]

# learner status -> (modifier of .cp-badge, icon of _icon.html)
STATUS_BADGES = {
    "issued": ("valid", "check"),
    "expired": ("expired", "clock"),
    "revoked": ("revoked", "cross"),
    "not_approved": ("revoked", "cross"),
    "pending_approval": ("pending", "clock"),
    "in_progress": ("neutral", "info"),
}


def status_label(status: str) -> str:
    """The status in words ("all" is the staff filter that shows everyone)."""
    return {
        "all": _("All"),
        "issued": _("Issued"),
        "expired": _("Expired"),
        "revoked": _("Revoked"),
        "not_approved": _("Not approved"),
        "pending_approval": _("Awaiting approval"),
        "in_progress": _("In progress"),
    }[status]
