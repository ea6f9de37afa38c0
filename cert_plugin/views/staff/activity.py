"""The *Activity* tab (``/certs/staff/<course_key>/audit/``): the audit trail in plain words."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import (
    HttpRequest,
    HttpResponse,
)
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from cert_plugin import api
from cert_plugin.views.csp import content_security_policy
from cert_plugin.views.staff.common import (
    StaffCourse,
    page_context,
    page_numbers,
    query_string,
    staff_only,
    user_label,
)

AUDIT_PER_PAGE = 50


def _action_label(action: str) -> str:
    return {
        "issued": _("Certificate issued"),
        "reissued": _("Certificate reissued"),
        "revoked": _("Certificate revoked"),
        "expired": _("Certificate expired"),
        "approved": _("Approved"),
        "rejected": _("Not approved"),
        "requirement_met": _("Requirement met"),
        "requirement_unmet": _("Requirement not met"),
        "configured": _("Settings changed"),
        "published": _("Published on profile"),
        "unpublished": _("Removed from profile"),
        "reissue_requested": _("Name change requested"),
        "reissue_declined": _("Name change declined"),
        "review_requested": _("Asked to reconsider the refusal"),
    }.get(action, action.replace("_", " "))


_SETTING_NAMES = {
    "enabled": gettext_lazy("certificate offered"), "template": gettext_lazy("template"),
    "min_grade": gettext_lazy("minimum grade"), "min_completion": gettext_lazy("lessons"),
    "required_quizzes": gettext_lazy("required quizzes"), "min_quiz_score": gettext_lazy("quiz score"),
    "requires_approval": gettext_lazy("approval"),
    "additional_requirements": gettext_lazy("additional requirements"),
    "validity_days": gettext_lazy("validity"), "hours": gettext_lazy("hours"),
}


def _detail(event: Any) -> str:
    data = event.data or {}
    if event.action in ("requirement_met", "requirement_unmet"):
        return str(data.get("label") or data.get("requirement") or "")
    if event.action == "reissued":
        before, after = data.get("before") or {}, data.get("after") or {}
        if before.get("learner_name") and before.get("learner_name") != after.get("learner_name"):
            return _("Name: %(before)s → %(after)s") % {"before": before["learner_name"],
                                                        "after": after["learner_name"]}
        return _("Revision %(revision)s") % {"revision": after.get("revision", "")}
    if event.action == "reissue_requested":
        return _("Name: %(before)s → %(after)s") % {"before": data.get("before", ""),
                                                    "after": data.get("after", "")}
    if event.action == "review_requested" and data.get("refusal"):
        return _("Refusal: %(reason)s") % {"reason": data["refusal"]}
    if event.action == "configured":
        return ", ".join(str(_SETTING_NAMES.get(name, name)) for name in data)
    return ""


@content_security_policy
@require_safe
@staff_only
def audit(request: HttpRequest, course: StaffCourse) -> HttpResponse:
    """``/certs/staff/<course_key>/audit/``: who did what, when and why; newest first."""
    paginator = Paginator(api.audit_events(course.key), AUDIT_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    names: dict[int, str] = {}
    events = []
    for event in page.object_list:
        learner = ""
        if event.user is not None:
            if event.user.pk not in names:
                names[event.user.pk] = user_label(event.user)
            learner = names[event.user.pk]
        events.append({
            "event": event,
            "action": _action_label(event.action),
            "actor": event.actor.get_username() if event.actor is not None else "",
            "learner": learner,
            "username": event.user.get_username() if event.user is not None else "",
            "code": event.certificate.formatted_code if event.certificate is not None else "",
            "detail": _detail(event),
        })
    context = {
        **page_context(request, course, "audit"),
        "events": events,
        "page": page,
        "page_links": [{"number": n, "url": query_string(page=n) if n else ""}
                       for n in page_numbers(page.number, paginator.num_pages)],
        "prev_url": query_string(page=page.number - 1) if page.has_previous() else "",
        "next_url": query_string(page=page.number + 1) if page.has_next() else "",
    }
    return render(request, "cert_plugin/staff/audit.html", context)
