"""The staff actions on learners: each a POST that redirects back to the table with a message.

Approve, reject, requirement met (one or in bulk), issue now, revoke, reissue,
retry a failed render, decide a name-change request.
"""

from __future__ import annotations

from typing import Any

from django.http import (
    HttpRequest,
    HttpResponse,
)
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from cert_plugin import api
from cert_plugin.forms import BulkForm, DecideRequestForm, ReasonForm, RevokeForm
from cert_plugin.views.csp import content_security_policy
from cert_plugin.views.staff.common import (
    StaffCourse,
    back_to_table,
    certificate_in_course,
    extra_requirements,
    flash_error,
    flash_success,
    form_error_text,
    learner_in_course,
    staff_only,
    user_label,
)


@content_security_policy
@require_POST
@staff_only
def approve(request: HttpRequest, course: StaffCourse) -> HttpResponse:
    form = ReasonForm(request.POST)
    user = learner_in_course(course, form.cleaned_data["user"]) if form.is_valid() else None
    if user is None:
        flash_error(request, _("That learner is not enrolled in this course."))
        return back_to_table(request, course)
    try:
        certificate = api.approve(user, course.key, by=request.user, reason=form.cleaned_data["reason"])
    except api.CertPluginError as exc:
        flash_error(request, str(exc))
        return back_to_table(request, course)
    if certificate is not None:
        flash_success(request, _("Approved. %(name)s's certificate is issued (code %(code)s).") % {
            "name": certificate.learner_name, "code": certificate.formatted_code})
    else:
        flash_success(request, _("Approved %(name)s. The certificate is issued once the other requirements "
                                 "are met.") % {"name": user_label(user)})
    return back_to_table(request, course)


@content_security_policy
@require_POST
@staff_only
def reject(request: HttpRequest, course: StaffCourse) -> HttpResponse:
    form = ReasonForm(request.POST)
    user = learner_in_course(course, form.cleaned_data["user"]) if form.is_valid() else None
    if user is None:
        flash_error(request, _("That learner is not enrolled in this course."))
        return back_to_table(request, course)
    reason = form.cleaned_data["reason"]
    if not reason:
        flash_error(request, _("Say why the certificate is not approved; the learner sees the reason."))
        return back_to_table(request, course)
    try:
        api.reject(user, course.key, by=request.user, reason=reason)
    except api.CertPluginError as exc:
        flash_error(request, str(exc))
        return back_to_table(request, course)
    flash_success(request, _("Not approved: %(name)s sees your reason.") % {"name": user_label(user)})
    return back_to_table(request, course)


@content_security_policy
@require_POST
@staff_only
def requirement(request: HttpRequest, course: StaffCourse) -> HttpResponse:
    """Mark one additional requirement met (``met=1``) or not met (``met=0``) for one learner."""
    form = ReasonForm(request.POST)
    user = learner_in_course(course, form.cleaned_data["user"]) if form.is_valid() else None
    if user is None:
        flash_error(request, _("That learner is not enrolled in this course."))
        return back_to_table(request, course)
    met = request.POST.get("met", "1") != "0"
    try:
        progress = api.mark_requirement_met(user, course.key, request.POST.get("requirement", ""),
                                            by=request.user, met=met)
    except api.CertPluginError as exc:
        flash_error(request, str(exc))
        return back_to_table(request, course)
    name = user_label(user)
    if progress.status == "issued" and met:
        flash_success(request,
                      _("%(name)s has now met every requirement: certificate issued.") % {"name": name})
    elif met:
        flash_success(request, _("Marked as met for %(name)s.") % {"name": name})
    else:
        flash_success(request, _("Marked as not met for %(name)s.") % {"name": name})
    return back_to_table(request, course)


_NAMES_SHOWN = 5  # learners named in a bulk action's message; the rest are counted


def _names(labels: list[str]) -> str:
    """"Amelia Okafor, Kenji Watanabe" (at most five names, then "and 3 others")."""
    shown = ", ".join(labels[:_NAMES_SHOWN])
    rest = len(labels) - _NAMES_SHOWN
    if rest <= 0:
        return shown
    return shown + " " + ngettext("and %(count)s other", "and %(count)s others", rest) % {"count": rest}


def _newly_issued(certificate: Any, held: Any) -> bool:
    """Whether ``certificate`` is a current certificate the learner did not hold before (``held``)."""
    return (certificate is not None and certificate.status == "issued"
            and (held is None or certificate.pk != held.pk))


@content_security_policy
@require_POST
@staff_only
def bulk(request: HttpRequest, course: StaffCourse) -> HttpResponse:
    """"Approve selected" or "Mark requirement … met for selected" on the ticked learners.

    Approving is for a course whose certificates staff approve, and only for learners it can
    change: one who holds a current certificate, or whose certificate was revoked (approving
    would issue nothing, only log an approval), is named as skipped. The message counts only
    certificates this action issued.
    """
    form = BulkForm(request.POST)
    if not form.is_valid():
        flash_error(request, form_error_text(form))
        return back_to_table(request, course)
    action = form.cleaned_data["action"]
    key = form.cleaned_data["requirement"]
    config = api.get_config(course.key)
    if action == "approve" and not (config is not None and config.requires_approval):
        flash_error(request, _("This course does not ask staff to approve certificates, so there is "
                               "nothing to approve: learners receive theirs as soon as they meet the "
                               "requirements."))
        return back_to_table(request, course)
    known = {item["key"]: item["label"] for item in extra_requirements(config)}
    if action == "requirement" and key not in known:
        flash_error(request, _("Choose which requirement to mark as met."))
        return back_to_table(request, course)
    done, issued, not_enrolled = 0, 0, 0
    holders: list[str] = []  # approve: already hold a current certificate
    revoked: list[str] = []  # approve: their certificate was revoked
    for user_id in dict.fromkeys(form.cleaned_data["users"]):
        user = learner_in_course(course, user_id)
        if user is None:
            not_enrolled += 1
            continue
        held = api.active_certificate(user, course.key)  # (an expired one: a recertification replaces it)
        try:
            if action == "approve":
                progress = api.get_progress(user, course.key)
                if progress.status == "issued":
                    holders.append(user_label(user))
                    continue
                if progress.certificate is not None and progress.certificate.status == "revoked":
                    revoked.append(user_label(user))
                    continue
                issued += _newly_issued(api.approve(user, course.key, by=request.user), held)
            else:
                progress = api.mark_requirement_met(user, course.key, key, by=request.user)
                issued += _newly_issued(progress.certificate if progress.status == "issued" else None, held)
        except api.CertPluginError as exc:
            flash_error(request, f"{user_label(user)}: {exc}")
            continue
        done += 1
    sentences = []
    if done:
        if action == "approve":
            sentence = ngettext("Approved %(count)s learner", "Approved %(count)s learners", done) % {
                "count": done}
        else:
            sentence = ngettext("Marked “%(label)s” as met for %(count)s learner",
                                "Marked “%(label)s” as met for %(count)s learners", done) % {
                "label": known[key], "count": done}
        if issued:
            sentence += "; " + ngettext("%(count)s certificate issued.", "%(count)s certificates issued.",
                                        issued) % {"count": issued}
        else:
            sentence += "; " + _("no new certificate issued.")
        sentences.append(sentence)
    if holders:
        sentences.append(ngettext(
            "Skipped %(names)s, who already has a certificate.",
            "Skipped %(names)s, who already have a certificate.", len(holders)) % {"names": _names(holders)})
    if revoked:
        sentences.append(ngettext(
            "Skipped %(names)s: the certificate was revoked, and approving does not undo that. To give a "
            "new certificate, use “Issue now” in the learner's row.",
            "Skipped %(names)s: their certificates were revoked, and approving does not undo that. To give "
            "a new certificate, use “Issue now” in each learner's row.",
            len(revoked)) % {"names": _names(revoked)})
    if not_enrolled:
        sentences.append(ngettext("%(count)s selected learner is not enrolled and was skipped.",
                                  "%(count)s selected learners are not enrolled and were skipped.",
                                  not_enrolled) % {"count": not_enrolled})
    if sentences:
        (flash_success if done else flash_error)(request, " ".join(sentences))
    return back_to_table(request, course)


@content_security_policy
@require_POST
@staff_only
def issue_now(request: HttpRequest, course: StaffCourse) -> HttpResponse:
    """A staff override: issue whatever the requirements say, with a reason for the audit trail."""
    form = ReasonForm(request.POST)
    user = learner_in_course(course, form.cleaned_data["user"]) if form.is_valid() else None
    if user is None:
        flash_error(request, _("That learner is not enrolled in this course."))
        return back_to_table(request, course)
    if not form.cleaned_data["reason"]:
        flash_error(request, _("Say why you issue the certificate without the requirements; it is kept "
                               "in the activity log."))
        return back_to_table(request, course)
    try:
        certificate = api.issue(user, course.key, by=request.user, reason=form.cleaned_data["reason"])
    except api.CertPluginError as exc:
        flash_error(request, str(exc))
        return back_to_table(request, course)
    flash_success(request, _("Certificate issued to %(name)s (code %(code)s).") % {
        "name": certificate.learner_name, "code": certificate.formatted_code})
    return back_to_table(request, course)


@content_security_policy
@require_POST
@staff_only
def revoke(request: HttpRequest, course: StaffCourse) -> HttpResponse:
    form = RevokeForm(request.POST)
    if not form.is_valid():
        flash_error(request, form_error_text(form))
        return back_to_table(request, course)
    certificate = certificate_in_course(course, form.cleaned_data["code"])
    if certificate is None:
        flash_error(request, _("This course has no certificate with that code."))
        return back_to_table(request, course)
    try:
        revoked = api.revoke(certificate, reason=form.cleaned_data["reason"], by=request.user,
                             publish_reason=form.cleaned_data["publish_reason"])
    except api.CertPluginError as exc:
        flash_error(request, str(exc))
        return back_to_table(request, course)
    flash_success(request, _("Certificate %(code)s of %(name)s is revoked; its verify page now says so.") % {
        "code": revoked.formatted_code, "name": revoked.learner_name})
    return back_to_table(request, course)


@content_security_policy
@require_POST
@staff_only
def reissue(request: HttpRequest, course: StaffCourse) -> HttpResponse:
    """Refresh one certificate (current name, course title, template), keeping its code."""
    certificate = certificate_in_course(course, request.POST.get("code", ""))
    if certificate is None:
        flash_error(request, _("This course has no certificate with that code."))
        return back_to_table(request, course)
    try:
        fresh = api.reissue(certificate, by=request.user, reason=_("Reissued by course staff"))
    except api.CertPluginError as exc:
        flash_error(request, str(exc))
        return back_to_table(request, course)
    message = _("Reissued %(code)s for %(name)s (revision %(revision)s); the code is unchanged.") % {
        "code": fresh.formatted_code, "name": fresh.learner_name, "revision": fresh.revision}
    flash_success(request, message)
    return back_to_table(request, course)


@content_security_policy
@require_POST
@staff_only
def retry_render(request: HttpRequest, course: StaffCourse) -> HttpResponse:
    """Render a certificate's PDF and PNG again after a failure."""
    certificate = certificate_in_course(course, request.POST.get("code", ""))
    if certificate is None:
        flash_error(request, _("This course has no certificate with that code."))
        return back_to_table(request, course)
    try:
        api.render_files(certificate.pk)
    except api.CertPluginError as exc:  # RenderFailed: still failing
        flash_error(request, str(exc))
        return back_to_table(request, course)
    flash_success(request, _("The files of %(code)s are ready.") % {"code": certificate.formatted_code})
    return back_to_table(request, course)


@content_security_policy
@require_POST
@staff_only
def decide_name_change(request: HttpRequest, course: StaffCourse, request_id: int) -> HttpResponse:
    """Grant (reissue with the profile name) or decline (with a note) a learner's name-change request."""
    form = DecideRequestForm(request.POST)
    pending = next((r for r in api.reissue_requests(course.key) if r.pk == request_id), None)
    if pending is None:
        flash_error(request, _("That request was already decided or does not exist."))
        return back_to_table(request, course, "name-changes")
    if not form.is_valid():
        flash_error(request, form_error_text(form))
        return back_to_table(request, course, "name-changes")
    grant = form.cleaned_data["decision"] == "grant"
    try:
        api.decide_reissue_request(pending, grant=grant, by=request.user, note=form.cleaned_data["note"])
    except api.CertPluginError as exc:
        flash_error(request, str(exc))
        return back_to_table(request, course, "name-changes")
    if grant:
        flash_success(request, _("Reissued with the name %(name)s; the code is unchanged.") % {
            "name": pending.requested_name})
    else:
        flash_success(request, _("Declined %(name)s's request; they see your note.") % {
            "name": pending.current_name})
    return back_to_table(request, course, "name-changes")
