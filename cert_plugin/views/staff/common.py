"""What every staff page needs: access, the course, links, messages, the shared page context.

``staff_only`` lets in the course's staff (and site staff) and hands the view a
``StaffCourse``; everyone else gets the same 403 (or the login page).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any
from urllib.parse import parse_qsl, urlencode

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
)
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import formats
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from opaque_keys.edx.keys import CourseKey

from cert_plugin import api
from cert_plugin.dates import local_date
from cert_plugin.host.base import CourseInfo
from cert_plugin.models import Certificate, Job

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


def _forbidden(request: HttpRequest) -> HttpResponse:
    """The 403 page; it names no course, so it reads the same for a course that does not exist."""
    return render(request, "cert_plugin/staff/forbidden.html", status=403)


def staff_only(view: View) -> View:
    """Login, course staff (else 403), then a course the LMS knows (else 404).

    Staff rights are checked before the course is looked up: whoever is not staff of the key gets
    the same 403 page whether or not a course has that key, so the pages never tell which course
    keys exist. Only a malformed key is a 404 for everyone (it names no course at all).
    """

    @wraps(view)
    def wrapper(request: HttpRequest, course_key: str, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        key = parse_course_key_arg(course_key)
        if key is None:
            return _not_found(request, course_key)
        if not api.get_host().is_course_staff(request.user, key):
            return _forbidden(request)
        course = staff_course(key)
        if course is None:
            return _not_found(request, course_key)
        response = view(request, course, *args, **kwargs)
        patch_cache_control(response, private=True, no_cache=True)
        patch_vary_headers(response, ["Cookie"])
        return response

    return wrapper


def parse_course_key_arg(course_key: str) -> CourseKey | None:
    try:
        return api.parse_course_key(course_key)
    except api.InvalidCourseKey:
        return None


def staff_course(key: CourseKey) -> StaffCourse | None:
    info = api.get_host().course(key)
    return StaffCourse(key=key, info=info) if info is not None else None


def _not_found(request: HttpRequest, course_key: str) -> HttpResponse:
    """The 404 page of a malformed key (anyone) or of a course the LMS does not have (site staff)."""
    return render(request, "cert_plugin/staff/not_found.html", {"typed": course_key}, status=404)


def course_url(name: str, course: StaffCourse, *args: Any) -> str:
    return reverse(f"cert_plugin:{name}", args=[course.key_str, *args])


def editor_url() -> str:
    """The template editor's list, when it is mounted (another part of the plugin)."""
    try:
        return reverse("cert_plugin:template-list")
    except NoReverseMatch:
        return ""


def redirect_to(url: str) -> HttpResponse:
    response = HttpResponseRedirect(url)
    response.status_code = 303  # See Other: the browser GETs the page it is sent back to
    return response


def back_to_table(request: HttpRequest, course: StaffCourse, anchor: str = "learners") -> HttpResponse:
    """Back to the dashboard, keeping the table's search, filter and page (from the ``back`` field)."""
    kept = [(k, v) for k, v in parse_qsl(request.POST.get("back", "")) if k in _BACK_KEYS]
    query = f"?{urlencode(kept)}" if kept else ""
    return redirect_to(f"{course_url('staff-dashboard', course)}{query}#{anchor}")


def flash_error(request: HttpRequest, message: str) -> None:
    messages.error(request, message, fail_silently=True)


def flash_success(request: HttpRequest, message: str) -> None:
    messages.success(request, message, fail_silently=True)


def form_error_text(form: Any) -> str:
    for errors in form.errors.values():
        return str(errors[0])
    return _("Something in the form is missing; please try again.")


def learner_in_course(course: StaffCourse, user_id: int | None) -> Any:
    """An enrolled learner of the course, or None."""
    return api.course_learner(course.key, user_id)


def user_label(user: Any) -> str:
    return api.get_host().learner(user).full_name or user.get_username()


def certificate_in_course(course: StaffCourse, code: str) -> Certificate | None:
    certificate = api.certificate_by_code(code)
    if certificate is None or certificate.course_key != course.key:
        return None
    return certificate


def _date(value: Any) -> str:
    return local_date(value)


def format_number(value: int | None) -> str:
    return formats.number_format(value or 0, force_grouping=True)


def extra_requirements(config: Any) -> list[dict[str, str]]:
    return list(config.additional_requirements or []) if config is not None else []


def page_numbers(current: int, pages: int) -> list[int | None]:
    """Page numbers to link, with None for a gap: 1 … 4 5 6 … 12."""
    shown = sorted({1, pages, *range(max(1, current - 2), min(pages, current + 2) + 1)})
    result: list[int | None] = []
    for number in shown:
        if result and number - (result[-1] or 0) > 1:
            result.append(None)
        result.append(number)
    return result


def query_string(**values: Any) -> str:
    return "?" + urlencode({k: v for k, v in values.items() if v not in (None, "", 1)})


def job_view(job: Job) -> dict[str, Any]:
    """What a job's progress bar says: the JSON of the status endpoint and the page's first paint."""
    unit_learners = job.kind == Job.BACKFILL
    done, total = job.done, job.total
    if job.state == Job.QUEUED:
        text = _("Waiting to start…")
    elif total is None:
        text = ngettext("%(done)s learner checked", "%(done)s learners checked", done) % {
            "done": format_number(done)}
    elif unit_learners:
        text = ngettext("%(done)s of %(total)s learner", "%(done)s of %(total)s learners", total) % {
            "done": format_number(done), "total": format_number(total)}
    else:
        text = ngettext("%(done)s of %(total)s certificate", "%(done)s of %(total)s certificates", total) % {
            "done": format_number(done), "total": format_number(total)}
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
        "summary": job_summary(job),
        "finished": job.state in (Job.DONE, Job.FAILED),
    }


def job_summary(job: Job) -> str:
    result = job.result or {}
    if job.state == Job.FAILED:
        return _("The job stopped: %(error)s") % {"error": job.error or _("unknown error")}
    if job.state != Job.DONE:
        return ""
    n = {key: result.get(key) or 0 for key in ("learners", "issued", "already_issued", "pending_approval",
                                               "in_progress", "certificates", "reissued", "unchanged",
                                               "failed")}
    failed = ngettext("%(count)s failed", "%(count)s failed", n["failed"]) % _count(n["failed"])
    if job.kind == Job.BACKFILL:
        results = [
            ngettext("%(count)s certificate issued", "%(count)s certificates issued", n["issued"])
            % _count(n["issued"]),
            ngettext("%(count)s already had one", "%(count)s already had one", n["already_issued"])
            % _count(n["already_issued"]),
            ngettext("%(count)s awaits approval", "%(count)s await approval", n["pending_approval"])
            % _count(n["pending_approval"]),
            ngettext("%(count)s still in progress", "%(count)s still in progress", n["in_progress"])
            % _count(n["in_progress"]),
            failed,
        ]
        return ngettext("Checked %(count)s learner: %(results)s.", "Checked %(count)s learners: %(results)s.",
                        n["learners"]) % {**_count(n["learners"]), "results": ", ".join(results)}
    results = [
        ngettext("%(count)s reissued", "%(count)s reissued", n["reissued"]) % _count(n["reissued"]),
        ngettext("%(count)s already up to date", "%(count)s already up to date", n["unchanged"])
        % _count(n["unchanged"]),
        failed,
    ]
    return ngettext("%(count)s certificate: %(results)s.", "%(count)s certificates: %(results)s.",
                    n["certificates"]) % {**_count(n["certificates"]), "results": ", ".join(results)}


def _count(count: int) -> dict[str, str]:
    return {"count": format_number(count)}


_UNREAD = object()  # page_context's config when the view has not read it


def page_context(request: HttpRequest, course: StaffCourse, tab: str, *,
                 config: Any = _UNREAD) -> dict[str, Any]:
    """What the frame of every staff page shows: the course, whether its certificates are on (from
    ``config``, the course's certificate settings, read here unless the view passes what it read), the
    tabs and the links."""
    if config is _UNREAD:
        config = api.get_config(course.key)
    return {
        "course": course,
        "config": config,
        "tab": tab,
        "dashboard_url": course_url("staff-dashboard", course),
        "settings_url": course_url("staff-settings", course),
        "audit_url": course_url("staff-audit", course),
        "editor_url": editor_url(),
    }


def settings_summary(course: StaffCourse, config: Any) -> dict[str, Any]:
    """The requirements in plain sentences (or what is wrong with them)."""
    if config is None:
        return {"sentences": [], "problem": ""}
    try:
        sentences = api.requirements_summary(course.key)
    except api.RequirementsError as exc:  # saved before today's rules: say so, the settings form fixes it
        return {"sentences": [], "problem": str(exc)}
    return {"sentences": sentences, "problem": ""}
