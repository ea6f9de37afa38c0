"""The course staff certificates dashboard, under ``/certs/staff/<course_key>/``.

Three tabs: *Learners* (who waits for a decision, name-change requests, the
learners table with its actions, course-wide jobs and the CSV export),
*Settings* (the course's certificate offer and requirements) and *Activity*
(the audit trail).

Thin views over :mod:`cert_plugin.api`: every change is one api call made from a
POST (CSRF-protected) that redirects back with a message (Post/Redirect/Get); an
``api.CertPluginError`` becomes that message, never a 500. Only the course's
staff (``host.is_course_staff``) get in: anonymous visitors go to the login
page, other users get the same 403 page whether or not the course exists (so
course keys cannot be probed), a malformed key is a 404 for everyone, and an
unknown course a 404 for those who would be staff of it (site staff).
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import wraps
from typing import Any
from urllib.parse import parse_qsl, urlencode

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    JsonResponse,
    StreamingHttpResponse,
)
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import formats, timezone
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from opaque_keys.edx.keys import CourseKey

from cert_plugin import api
from cert_plugin.forms import BulkForm, DecideRequestForm, ReasonForm, RevokeForm, SettingsForm
from cert_plugin.host.base import CourseInfo
from cert_plugin.models import Certificate, Job
from cert_plugin.views.csp import content_security_policy
from cert_plugin.views.statuses import STATUS_BADGES, status_label

__all__ = [
    "approve",
    "audit",
    "bulk",
    "dashboard",
    "decide_name_change",
    "export_csv",
    "issue_now",
    "job_status",
    "reissue",
    "reject",
    "requirement",
    "retry_render",
    "revoke",
    "settings_page",
    "start_job",
]

PER_PAGE = 25  # learners per page of the table
AUDIT_PER_PAGE = 50
AWAITING_SHOWN = 20  # learners listed in "Awaiting approval" (the table's filter shows them all)
_BACK_KEYS = ("q", "status", "page")  # what "back to the table" keeps of the dashboard's query

View = Callable[..., HttpResponseBase]


@dataclass(frozen=True)
class StaffCourse:
    """The course a staff page is about."""

    key: CourseKey
    info: CourseInfo

    @property
    def key_str(self) -> str:
        return str(self.key)

    @property
    def title(self) -> str:
        return self.info.title


# --------------------------------------------------------------------------- access


def _forbidden(request: HttpRequest) -> HttpResponse:
    """The 403 page; it names no course, so it reads the same for a course that does not exist."""
    return render(request, "cert_plugin/staff/forbidden.html", status=403)


def _staff_only(view: View) -> View:
    """Login, course staff (else 403), then a course the LMS knows (else 404).

    Staff rights are checked before the course is looked up: whoever is not staff of the key gets
    the same 403 page whether or not a course has that key, so the pages never tell which course
    keys exist. Only a malformed key is a 404 for everyone (it names no course at all).
    """

    @wraps(view)
    def wrapper(request: HttpRequest, course_key: str, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        key = _parse_key(course_key)
        if key is None:
            return _not_found(request, course_key)
        if not api.get_host().is_course_staff(request.user, key):
            return _forbidden(request)
        course = _course(key)
        if course is None:
            return _not_found(request, course_key)
        response = view(request, course, *args, **kwargs)
        patch_cache_control(response, private=True, no_cache=True)
        patch_vary_headers(response, ["Cookie"])
        return response

    return wrapper


def _parse_key(course_key: str) -> CourseKey | None:
    try:
        return api.parse_course_key(course_key)
    except api.InvalidCourseKey:
        return None


def _course(key: CourseKey) -> StaffCourse | None:
    info = api.get_host().course(key)
    return StaffCourse(key=key, info=info) if info is not None else None


def _not_found(request: HttpRequest, course_key: str) -> HttpResponse:
    """The 404 page of a malformed key (anyone) or of a course the LMS does not have (site staff)."""
    return render(request, "cert_plugin/staff/not_found.html", {"typed": course_key}, status=404)


def _url(name: str, course: StaffCourse, *args: Any) -> str:
    return reverse(f"cert_plugin:{name}", args=[course.key_str, *args])


def _editor_url() -> str:
    """The template editor's list, when it is mounted (another part of the plugin)."""
    try:
        return reverse("cert_plugin:template-list")
    except NoReverseMatch:
        return ""


def _redirect(url: str) -> HttpResponse:
    response = HttpResponseRedirect(url)
    response.status_code = 303  # See Other: the browser GETs the page it is sent back to
    return response


def _back(request: HttpRequest, course: StaffCourse, anchor: str = "learners") -> HttpResponse:
    """Back to the dashboard, keeping the table's search, filter and page (from the ``back`` field)."""
    kept = [(k, v) for k, v in parse_qsl(request.POST.get("back", "")) if k in _BACK_KEYS]
    query = f"?{urlencode(kept)}" if kept else ""
    return _redirect(f"{_url('staff-dashboard', course)}{query}#{anchor}")


def _error(request: HttpRequest, message: str) -> None:
    messages.error(request, message, fail_silently=True)


def _success(request: HttpRequest, message: str) -> None:
    messages.success(request, message, fail_silently=True)


def _form_error(form: Any) -> str:
    for errors in form.errors.values():
        return str(errors[0])
    return _("Something in the form is missing; please try again.")


def _learner(course: StaffCourse, user_id: int | None) -> Any:
    """An enrolled learner of the course, or None."""
    return api.course_learner(course.key, user_id)


def _name(user: Any) -> str:
    return api.get_host().learner(user).full_name or user.get_username()


def _certificate(course: StaffCourse, code: str) -> Certificate | None:
    certificate = api.certificate_by_code(code)
    if certificate is None or certificate.course_key != course.key:
        return None
    return certificate


def _date(value: Any) -> str:
    return formats.date_format(value, "DATE_FORMAT") if value is not None else ""


def _number(value: int | None) -> str:
    return formats.number_format(value or 0, force_grouping=True)


# --------------------------------------------------------------------------- the learners tab




def _additional(config: Any) -> list[dict[str, str]]:
    return list(config.additional_requirements or []) if config is not None else []


def _row(row: api.LearnerRow, course: StaffCourse, extra: list[dict[str, str]]) -> dict[str, Any]:
    badge, icon = STATUS_BADGES[row.status]
    certificate = row.certificate
    progress = row.progress
    met = {item.key.removeprefix("req:") for item in (progress.items if progress else ()) if item.met
           and item.key.startswith("req:")}
    item: dict[str, Any] = {
        "user": row.user,
        "name": row.name if certificate is not None else _name(row.user),
        "status": row.status,
        "label": status_label(row.status),
        "badge": badge,
        "icon": icon,
        "certificate": certificate,
        "progress": progress if progress is not None and progress.items else None,
        "requirements": [{"key": r["key"], "label": r["label"], "met": r["key"] in met} for r in extra],
        "current": certificate is not None and row.status in ("issued", "expired"),
    }
    if certificate is not None:
        item["code"] = certificate.formatted_code
        item["verify_url"] = reverse("cert_plugin:verify", args=[certificate.formatted_code])
        item["page_url"] = reverse("cert_plugin:certificate", args=[certificate.formatted_code])
    return item


def _pages(current: int, pages: int) -> list[int | None]:
    """Page numbers to link, with None for a gap: 1 … 4 5 6 … 12."""
    shown = sorted({1, pages, *range(max(1, current - 2), min(pages, current + 2) + 1)})
    result: list[int | None] = []
    for number in shown:
        if result and number - (result[-1] or 0) > 1:
            result.append(None)
        result.append(number)
    return result


def _query(**values: Any) -> str:
    return "?" + urlencode({k: v for k, v in values.items() if v not in (None, "", 1)})


def _job_view(job: Job) -> dict[str, Any]:
    """What a job's progress bar says: the JSON of the status endpoint and the page's first paint."""
    unit_learners = job.kind == Job.BACKFILL
    done, total = job.done, job.total
    if job.state == Job.QUEUED:
        text = _("Waiting to start…")
    elif total is None:
        text = ngettext("%(done)s learner checked", "%(done)s learners checked", done) % {
            "done": _number(done)}
    elif unit_learners:
        text = ngettext("%(done)s of %(total)s learner", "%(done)s of %(total)s learners", total) % {
            "done": _number(done), "total": _number(total)}
    else:
        text = ngettext("%(done)s of %(total)s certificate", "%(done)s of %(total)s certificates", total) % {
            "done": _number(done), "total": _number(total)}
    return {
        "id": job.pk,
        "kind": job.kind,
        "kind_label": job.get_kind_display(),
        "state": job.state,
        "state_label": {Job.QUEUED: _("Queued"), Job.RUNNING: _("Running"), Job.DONE: _("Done"),
                        Job.FAILED: _("Failed")}[job.state],
        "done": done,
        "total": total,
        "failed": job.failed,
        "percent": job.percent,
        "result": job.result or {},
        "error": job.error,
        "text": text,
        "summary": _job_summary(job),
        "finished": job.state in (Job.DONE, Job.FAILED),
    }


def _job_summary(job: Job) -> str:
    result = job.result or {}
    if job.state == Job.FAILED:
        return _("The job stopped: %(error)s") % {"error": job.error or _("unknown error")}
    if job.state != Job.DONE:
        return ""
    if job.kind == Job.BACKFILL:
        return _("Checked %(learners)s learners: %(issued)s certificates issued, %(already)s already had "
                 "one, %(pending)s await approval, %(progress)s still in progress, %(failed)s failed.") % {
            "learners": _number(result.get("learners")), "issued": _number(result.get("issued")),
            "already": _number(result.get("already_issued")),
            "pending": _number(result.get("pending_approval")),
            "progress": _number(result.get("in_progress")), "failed": _number(result.get("failed"))}
    return _("%(certificates)s certificates: %(reissued)s reissued, %(unchanged)s already up to date, "
             "%(failed)s failed.") % {
        "certificates": _number(result.get("certificates")), "reissued": _number(result.get("reissued")),
        "unchanged": _number(result.get("unchanged")), "failed": _number(result.get("failed"))}


def _common(request: HttpRequest, course: StaffCourse, tab: str) -> dict[str, Any]:
    return {
        "course": course,
        "tab": tab,
        "dashboard_url": _url("staff-dashboard", course),
        "settings_url": _url("staff-settings", course),
        "audit_url": _url("staff-audit", course),
        "editor_url": _editor_url(),
    }


@content_security_policy
@require_safe
@_staff_only
def dashboard(request: HttpRequest, course: StaffCourse) -> HttpResponse:
    """``/certs/staff/<course_key>/``: who waits for staff, the learners table, jobs and the export."""
    search = request.GET.get("q", "").strip()[:200]
    status = request.GET.get("status", "")
    if status not in api.LEARNER_STATUSES:
        status = ""
    try:
        page_number = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        page_number = 1
    config = api.get_config(course.key)
    extra = _additional(config)
    page = api.course_learners(course.key, search=search, status=status, page=page_number, per_page=PER_PAGE)
    awaiting = api.awaiting_approval(course.key)
    jobs = [_job_view(job) for job in api.recent_jobs(course.key, limit=5)]
    back = urlencode([(k, v) for k, v in (("q", search), ("status", status), ("page", page.page))
                      if v not in ("", 1)])
    chips = [{"status": name, "label": status_label(name), "count": page.counts.get(name, 0),
              "url": _query(q=search, status="" if name == "all" else name),
              "current": (status or "all") == name}
             for name in ("all", *api.LEARNER_STATUSES)]
    rows = [_row(row, course, extra) for row in page.rows]
    context = {
        **_common(request, course, "learners"),
        "config": config,
        "summary": _summary(course, config),
        "search": search,
        "status": status,
        "status_label": status_label(status) if status else "",
        "page": page,
        "rows": rows,
        "render_problems": [row for row in rows if row["certificate"] is not None
                            and row["certificate"].render_error],
        "chips": chips,
        "page_links": [{"number": n, "url": _query(q=search, status=status, page=n) if n else ""}
                       for n in _pages(page.page, page.pages)],
        "prev_url": _query(q=search, status=status, page=page.page - 1) if page.page > 1 else "",
        "next_url": _query(q=search, status=status, page=page.page + 1) if page.page < page.pages else "",
        "back": back,
        "extra": extra,
        "awaiting": [{"user": user, "name": _name(user)} for user in awaiting[:AWAITING_SHOWN]],
        "awaiting_count": len(awaiting),
        "awaiting_filter_url": _query(status="pending_approval"),
        "name_changes": api.reissue_requests(course.key),
        "jobs": jobs,
        "latest_job": jobs[0] if jobs else None,
        "job_running": any(not job["finished"] for job in jobs),
        "export_url": _url("staff-export", course),
        "backfill_url": _url("staff-job-start", course) + "?" + urlencode({"kind": Job.BACKFILL}),
        "reissue_all_url": _url("staff-job-start", course) + "?" + urlencode({"kind": Job.REISSUE_ALL}),
    }
    return render(request, "cert_plugin/staff/dashboard.html", context)


def _summary(course: StaffCourse, config: Any) -> dict[str, Any]:
    """The requirements in plain sentences (or what is wrong with them)."""
    if config is None:
        return {"sentences": [], "problem": ""}
    try:
        sentences = api.requirements_summary(course.key)
    except api.RequirementsError as exc:  # saved before today's rules: say so, the settings form fixes it
        return {"sentences": [], "problem": str(exc)}
    return {"sentences": sentences, "problem": ""}


# --------------------------------------------------------------------------- actions on learners


@content_security_policy
@require_POST
@_staff_only
def approve(request: HttpRequest, course: StaffCourse) -> HttpResponse:
    form = ReasonForm(request.POST)
    user = _learner(course, form.cleaned_data["user"]) if form.is_valid() else None
    if user is None:
        _error(request, _("That learner is not enrolled in this course."))
        return _back(request, course)
    try:
        certificate = api.approve(user, course.key, by=request.user, reason=form.cleaned_data["reason"])
    except api.CertPluginError as exc:
        _error(request, str(exc))
        return _back(request, course)
    if certificate is not None:
        _success(request, _("Approved. %(name)s's certificate is issued (code %(code)s).") % {
            "name": certificate.learner_name, "code": certificate.formatted_code})
    else:
        _success(request, _("Approved %(name)s. The certificate is issued once the other requirements "
                            "are met.") % {"name": _name(user)})
    return _back(request, course)


@content_security_policy
@require_POST
@_staff_only
def reject(request: HttpRequest, course: StaffCourse) -> HttpResponse:
    form = ReasonForm(request.POST)
    user = _learner(course, form.cleaned_data["user"]) if form.is_valid() else None
    if user is None:
        _error(request, _("That learner is not enrolled in this course."))
        return _back(request, course)
    reason = form.cleaned_data["reason"]
    if not reason:
        _error(request, _("Say why the certificate is not approved; the learner sees the reason."))
        return _back(request, course)
    try:
        api.reject(user, course.key, by=request.user, reason=reason)
    except api.CertPluginError as exc:
        _error(request, str(exc))
        return _back(request, course)
    _success(request, _("Not approved: %(name)s sees your reason.") % {"name": _name(user)})
    return _back(request, course)


@content_security_policy
@require_POST
@_staff_only
def requirement(request: HttpRequest, course: StaffCourse) -> HttpResponse:
    """Mark one additional requirement met (``met=1``) or not met (``met=0``) for one learner."""
    form = ReasonForm(request.POST)
    user = _learner(course, form.cleaned_data["user"]) if form.is_valid() else None
    if user is None:
        _error(request, _("That learner is not enrolled in this course."))
        return _back(request, course)
    met = request.POST.get("met", "1") != "0"
    try:
        progress = api.mark_requirement_met(user, course.key, request.POST.get("requirement", ""),
                                            by=request.user, met=met)
    except api.CertPluginError as exc:
        _error(request, str(exc))
        return _back(request, course)
    name = _name(user)
    if progress.status == "issued" and met:
        _success(request, _("%(name)s has now met every requirement: certificate issued.") % {"name": name})
    elif met:
        _success(request, _("Marked as met for %(name)s.") % {"name": name})
    else:
        _success(request, _("Marked as not met for %(name)s.") % {"name": name})
    return _back(request, course)


@content_security_policy
@require_POST
@_staff_only
def bulk(request: HttpRequest, course: StaffCourse) -> HttpResponse:
    """"Approve selected" or "Mark requirement … met for selected" on the ticked learners."""
    form = BulkForm(request.POST)
    if not form.is_valid():
        _error(request, _form_error(form))
        return _back(request, course)
    action = form.cleaned_data["action"]
    key = form.cleaned_data["requirement"]
    known = {item["key"]: item["label"] for item in _additional(api.get_config(course.key))}
    if action == "requirement" and key not in known:
        _error(request, _("Choose which requirement to mark as met."))
        return _back(request, course)
    done, issued, skipped = 0, 0, 0
    for user_id in dict.fromkeys(form.cleaned_data["users"]):
        user = _learner(course, user_id)
        if user is None:
            skipped += 1
            continue
        try:
            if action == "approve":
                issued += api.approve(user, course.key, by=request.user) is not None
            else:
                progress = api.mark_requirement_met(user, course.key, key, by=request.user)
                issued += progress.status == "issued"
        except api.CertPluginError as exc:
            _error(request, f"{_name(user)}: {exc}")
            continue
        done += 1
    if action == "approve":
        message = ngettext("Approved %(count)s learner", "Approved %(count)s learners", done) % {
            "count": done}
    else:
        message = ngettext("Marked “%(label)s” as met for %(count)s learner",
                           "Marked “%(label)s” as met for %(count)s learners", done) % {
            "label": known[key], "count": done}
    message += "; " + ngettext("%(count)s certificate issued.", "%(count)s certificates issued.", issued) % {
        "count": issued}
    if skipped:
        message += " " + ngettext("%(count)s selected learner is not enrolled and was skipped.",
                                  "%(count)s selected learners are not enrolled and were skipped.",
                                  skipped) % {"count": skipped}
    _success(request, message)
    return _back(request, course)


@content_security_policy
@require_POST
@_staff_only
def issue_now(request: HttpRequest, course: StaffCourse) -> HttpResponse:
    """A staff override: issue whatever the requirements say, with a reason for the audit trail."""
    form = ReasonForm(request.POST)
    user = _learner(course, form.cleaned_data["user"]) if form.is_valid() else None
    if user is None:
        _error(request, _("That learner is not enrolled in this course."))
        return _back(request, course)
    if not form.cleaned_data["reason"]:
        _error(request, _("Say why you issue the certificate without the requirements; it is kept in the "
                          "activity log."))
        return _back(request, course)
    try:
        certificate = api.issue(user, course.key, by=request.user, reason=form.cleaned_data["reason"])
    except api.CertPluginError as exc:
        _error(request, str(exc))
        return _back(request, course)
    _success(request, _("Certificate issued to %(name)s (code %(code)s).") % {
        "name": certificate.learner_name, "code": certificate.formatted_code})
    return _back(request, course)


@content_security_policy
@require_POST
@_staff_only
def revoke(request: HttpRequest, course: StaffCourse) -> HttpResponse:
    form = RevokeForm(request.POST)
    if not form.is_valid():
        _error(request, _form_error(form))
        return _back(request, course)
    certificate = _certificate(course, form.cleaned_data["code"])
    if certificate is None:
        _error(request, _("This course has no certificate with that code."))
        return _back(request, course)
    try:
        revoked = api.revoke(certificate, reason=form.cleaned_data["reason"], by=request.user,
                             publish_reason=form.cleaned_data["publish_reason"])
    except api.CertPluginError as exc:
        _error(request, str(exc))
        return _back(request, course)
    _success(request, _("Certificate %(code)s of %(name)s is revoked; its verify page now says so.") % {
        "code": revoked.formatted_code, "name": revoked.learner_name})
    return _back(request, course)


@content_security_policy
@require_POST
@_staff_only
def reissue(request: HttpRequest, course: StaffCourse) -> HttpResponse:
    """Refresh one certificate (current name, course title, template), keeping its code."""
    certificate = _certificate(course, request.POST.get("code", ""))
    if certificate is None:
        _error(request, _("This course has no certificate with that code."))
        return _back(request, course)
    try:
        fresh = api.reissue(certificate, by=request.user, reason=_("Reissued by course staff"))
    except api.CertPluginError as exc:
        _error(request, str(exc))
        return _back(request, course)
    _success(request, _("Reissued %(code)s for %(name)s (revision %(revision)s); the code is unchanged.") % {
        "code": fresh.formatted_code, "name": fresh.learner_name, "revision": fresh.revision})
    return _back(request, course)


@content_security_policy
@require_POST
@_staff_only
def retry_render(request: HttpRequest, course: StaffCourse) -> HttpResponse:
    """Render a certificate's PDF and PNG again after a failure."""
    certificate = _certificate(course, request.POST.get("code", ""))
    if certificate is None:
        _error(request, _("This course has no certificate with that code."))
        return _back(request, course)
    try:
        api.render_files(certificate.pk)
    except api.CertPluginError as exc:  # RenderFailed: still failing
        _error(request, str(exc))
        return _back(request, course)
    _success(request, _("The files of %(code)s are ready.") % {"code": certificate.formatted_code})
    return _back(request, course)


@content_security_policy
@require_POST
@_staff_only
def decide_name_change(request: HttpRequest, course: StaffCourse, request_id: int) -> HttpResponse:
    """Grant (reissue with the profile name) or decline (with a note) a learner's name-change request."""
    form = DecideRequestForm(request.POST)
    pending = next((r for r in api.reissue_requests(course.key) if r.pk == request_id), None)
    if pending is None:
        _error(request, _("That request was already decided or does not exist."))
        return _back(request, course, "name-changes")
    if not form.is_valid():
        _error(request, _form_error(form))
        return _back(request, course, "name-changes")
    grant = form.cleaned_data["decision"] == "grant"
    try:
        api.decide_reissue_request(pending, grant=grant, by=request.user, note=form.cleaned_data["note"])
    except api.CertPluginError as exc:
        _error(request, str(exc))
        return _back(request, course, "name-changes")
    if grant:
        _success(request, _("Reissued with the name %(name)s; the code is unchanged.") % {
            "name": pending.requested_name})
    else:
        _success(request, _("Declined %(name)s's request; they see your note.") % {
            "name": pending.current_name})
    return _back(request, course, "name-changes")


# --------------------------------------------------------------------------- jobs


def _job_kind(value: str) -> str | None:
    return value if value in (Job.BACKFILL, Job.REISSUE_ALL) else None


@content_security_policy
@require_http_methods(["GET", "HEAD", "POST"])
@_staff_only
def start_job(request: HttpRequest, course: StaffCourse) -> HttpResponse:
    """GET: the confirm step (what the job will do); POST: start it and go back to watch it."""
    kind = _job_kind((request.POST if request.method == "POST" else request.GET).get("kind", ""))
    if kind is None:
        _error(request, _("Choose a job to start."))
        return _redirect(_url("staff-dashboard", course) + "#jobs")
    if request.method == "POST":
        try:
            job = api.start_job(kind, course.key, by=request.user)
        except api.CertPluginError as exc:
            _error(request, str(exc))
        else:
            _success(request, _("Started: %(job)s.") % {"job": job.get_kind_display()})
        return _redirect(_url("staff-dashboard", course) + "#jobs")
    config = api.get_config(course.key)
    page = api.course_learners(course.key, per_page=1, with_progress=False)
    context = {
        **_common(request, course, "learners"),
        "kind": kind,
        "kind_label": dict(Job.KINDS)[kind],
        "config": config,
        "learners": page.counts.get("all", 0),
        "certificates": page.counts.get("issued", 0) + page.counts.get("expired", 0),
        "template_name": (config.template.name if config is not None and config.template is not None
                          else _("the built-in default template")),
        "start_url": _url("staff-job-start", course),
    }
    return render(request, "cert_plugin/staff/confirm_job.html", context)


def _json_staff_only(view: View) -> View:
    """Like _staff_only, answering JSON (401 / 403 / 404) for the progress bar's script."""

    @wraps(view)
    def wrapper(request: HttpRequest, course_key: str, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return JsonResponse({"error": _("Log in again to follow this job.")}, status=401)
        key = _parse_key(course_key)
        if key is not None and not api.get_host().is_course_staff(request.user, key):
            return JsonResponse({"error": _("Only the course staff can follow this job.")}, status=403)
        course = _course(key) if key is not None else None
        if course is None:
            return JsonResponse({"error": _("No such course.")}, status=404)
        response = view(request, course, *args, **kwargs)
        patch_cache_control(response, private=True, no_store=True)
        return response

    return wrapper


@require_safe
@_json_staff_only
def job_status(request: HttpRequest, course: StaffCourse, job_id: int) -> HttpResponse:
    """``/certs/staff/<course_key>/jobs/<id>/``: a job's progress as JSON (polled every second)."""
    job = api.job(job_id)
    if job is None or job.course_key != course.key:
        return JsonResponse({"error": _("No such job in this course.")}, status=404)
    view = _job_view(job)
    keys = ("state", "done", "total", "failed", "percent", "result", "error", "text", "summary",
            "state_label")
    return JsonResponse({key: view[key] for key in keys})


# --------------------------------------------------------------------------- export


class _Echo:
    """A file-like object whose write returns the line, for csv.writer over a stream."""

    def write(self, value: str) -> str:
        return value


def _csv_lines(rows: Iterable[list[str]]) -> Iterator[str]:
    """The CSV text of ``api.export_rows`` (whose cells never start a spreadsheet formula)."""
    writer = csv.writer(_Echo())
    yield "\ufeff"  # the BOM: Excel then reads the file as UTF-8 (accents, Arabic, CJK names)
    for row in rows:
        yield writer.writerow(row)


@content_security_policy
@require_safe
@_staff_only
def export_csv(request: HttpRequest, course: StaffCourse) -> StreamingHttpResponse:
    """Every learner of the course with their certificate, as a CSV streamed row by row."""
    key = course.key
    name = "_".join(part for part in (key.org, key.course, key.run) if part)
    filename = f"certificates-{name}-{timezone.now():%Y-%m-%d}.csv"
    response = StreamingHttpResponse(_csv_lines(api.export_rows(key)), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --------------------------------------------------------------------------- settings


def _template_choices(course: StaffCourse) -> tuple[list[tuple[int, str]], int | None, dict[int, Any]]:
    found = api.templates(org=course.info.org)
    builtins = api.builtin_templates()
    default = builtins[0].pk if builtins else None
    choices = []
    for template in found:
        if template.is_builtin:
            label = _("%(name)s (built-in)") % {"name": template.name}
        elif template.org:
            label = _("%(name)s (%(org)s)") % {"name": template.name, "org": template.org}
        else:
            label = template.name
        choices.append((template.pk, label))
    return choices, default, {template.pk: template for template in found}


_Choices = list[tuple[str, str]]


def _quiz_choices(course: StaffCourse, config: Any) -> tuple[_Choices, list[tuple[str, list[str]]]]:
    """The blocks staff may require, and their groups: graded subsections (what Open edX calls an
    assignment or quiz), graded problems (each labelled with its subsection), and required blocks
    the course no longer grades."""
    subsections: list[tuple[str, str]] = []
    problems: list[tuple[str, str]] = []
    for block in api.get_host().outline(course.key):
        if not block.graded:
            continue
        key = str(block.usage_key)
        if block.subsection:
            problems.append((key, _("%(problem)s (in %(subsection)s)") % {
                "problem": block.title, "subsection": block.subsection}))
        elif block.assignment_type:
            subsections.append((key, _("%(title)s (%(type)s)") % {
                "title": block.title, "type": block.assignment_type}))
        else:
            subsections.append((key, block.title))
    known = {key for key, _label in subsections + problems}
    stale = [(key, _("%(key)s (no longer a graded block of this course)") % {"key": key})
             for key in (config.required_quizzes or [] if config is not None else []) if key not in known]
    groups = [(heading, [key for key, _label in choices]) for heading, choices in (
        (_("Graded subsections"), subsections), (_("Single graded problems"), problems),
        (_("No longer graded"), stale)) if choices]
    return subsections + problems + stale, groups


def _quiz_groups(form: SettingsForm, groups: list[tuple[str, list[str]]]) -> list[tuple[str, list[Any]]]:
    """The form's quiz checkboxes under their group headings, for the template."""
    options = {str(option.data["value"]): option for option in form["required_quizzes"]}
    return [(heading, [options[key] for key in keys if key in options]) for heading, keys in groups]


@content_security_policy
@require_http_methods(["GET", "HEAD", "POST"])
@_staff_only
def settings_page(request: HttpRequest, course: StaffCourse) -> HttpResponse:
    """``/certs/staff/<course_key>/settings/``: the certificate offer and its requirements."""
    config = api.get_config(course.key)
    templates, default_template, by_pk = _template_choices(course)
    quizzes, quiz_groups = _quiz_choices(course, config)
    initial = SettingsForm.initial_from(config, default_template=default_template)
    status = 200
    if request.method == "POST":
        form = SettingsForm(request.POST, templates=templates, quizzes=quizzes)
        if form.is_valid():
            chosen = by_pk.get(form.cleaned_data["template"])
            template = None if chosen is None or chosen.pk == default_template else chosen
            was_enabled = bool(config and config.enabled)
            try:
                saved = api.configure_course(course.key, template=template, by=request.user,
                                             **form.api_arguments())
            except api.CertPluginError as exc:
                form.add_api_error(str(exc))
            else:
                if saved.enabled and not was_enabled:
                    _success(request, _("Saved. Certificates are on: learners who already meet the "
                                        "requirements receive theirs now."))
                elif saved.enabled:
                    _success(request, _("Saved. The new requirements apply from now on; certificates "
                                        "already issued do not change."))
                else:
                    _success(request, _("Saved. This course does not offer a certificate now; certificates "
                                        "already issued stay valid."))
                return _redirect(_url("staff-settings", course))
        status = 400
    else:
        form = SettingsForm(initial=initial, templates=templates, quizzes=quizzes)
    context = {
        **_common(request, course, "settings"),
        "config": config,
        "summary": _summary(course, config),
        "form": form,
        "has_quizzes": bool(quizzes),
        "quiz_groups": _quiz_groups(form, quiz_groups),
        "action_url": _url("staff-settings", course),
    }
    return render(request, "cert_plugin/staff/settings.html", context, status=status)


# --------------------------------------------------------------------------- activity


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
    if event.action == "configured":
        return ", ".join(str(_SETTING_NAMES.get(name, name)) for name in data)
    return ""


@content_security_policy
@require_safe
@_staff_only
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
                names[event.user.pk] = _name(event.user)
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
        **_common(request, course, "audit"),
        "events": events,
        "page": page,
        "page_links": [{"number": n, "url": _query(page=n) if n else ""}
                       for n in _pages(page.number, paginator.num_pages)],
        "prev_url": _query(page=page.number - 1) if page.has_previous() else "",
        "next_url": _query(page=page.number + 1) if page.has_next() else "",
    }
    return render(request, "cert_plugin/staff/audit.html", context)
