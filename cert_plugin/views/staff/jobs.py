"""Course jobs from the dashboard: start a backfill or a reissue of all; the JSON progress the page polls."""

from __future__ import annotations

from functools import wraps
from typing import Any

from django.http import (
    HttpRequest,
    HttpResponse,
    JsonResponse,
)
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from cert_plugin import api
from cert_plugin.models import Job
from cert_plugin.views.csp import content_security_policy
from cert_plugin.views.staff.common import (
    StaffCourse,
    View,
    course_url,
    flash_error,
    flash_success,
    job_view,
    page_context,
    parse_course_key_arg,
    redirect_to,
    staff_course,
    staff_only,
)


def _job_kind(value: str) -> str | None:
    return value if value in (Job.BACKFILL, Job.REISSUE_ALL) else None


@content_security_policy
@require_http_methods(["GET", "HEAD", "POST"])
@staff_only
def start_job(request: HttpRequest, course: StaffCourse) -> HttpResponse:
    """GET: the confirm step (what the job will do); POST: start it and go back to watch it."""
    kind = _job_kind((request.POST if request.method == "POST" else request.GET).get("kind", ""))
    if kind is None:
        flash_error(request, _("Choose a job to start."))
        return redirect_to(course_url("staff-dashboard", course) + "#jobs")
    if request.method == "POST":
        try:
            job = api.start_job(kind, course.key, by=request.user)
        except api.CertPluginError as exc:
            flash_error(request, str(exc))
        else:
            flash_success(request, _("Started: %(job)s.") % {"job": job.get_kind_display()})
        return redirect_to(course_url("staff-dashboard", course) + "#jobs")
    config = api.get_config(course.key)
    page = api.course_learners(course.key, per_page=1, with_progress=False)
    context = {
        **page_context(request, course, "learners", config=config),
        "kind": kind,
        "kind_label": dict(Job.KINDS)[kind],
        "config": config,
        "learners": page.counts.get("all", 0),
        "certificates": page.counts.get("issued", 0) + page.counts.get("expired", 0),
        "template_name": (config.template.name if config is not None and config.template is not None
                          else _("the built-in default template")),
        "start_url": course_url("staff-job-start", course),
    }
    return render(request, "cert_plugin/staff/confirm_job.html", context)


def _json_staff_only(view: View) -> View:
    """Like staff_only, answering JSON (401 / 403 / 404) for the progress bar's script."""

    @wraps(view)
    def wrapper(request: HttpRequest, course_key: str, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return JsonResponse({"error": _("Log in again to follow this job.")}, status=401)
        key = parse_course_key_arg(course_key)
        if key is not None and not api.get_host().is_course_staff(request.user, key):
            return JsonResponse({"error": _("Only the course staff can follow this job.")}, status=403)
        course = staff_course(key) if key is not None else None
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
    view = job_view(job)
    keys = ("state", "done", "total", "failed", "percent", "result", "error", "text", "summary",
            "state_label")
    return JsonResponse({key: view[key] for key in keys})
