"""The staff dashboard page (``/certs/staff/<course_key>/``) and its CSV export.

The *Learners* tab: requirements summary, who waits for a decision (approval,
review of a refusal, name change), the learners table with its filters and
pages, course-wide jobs.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import urlencode

from django.http import (
    HttpRequest,
    HttpResponse,
    StreamingHttpResponse,
)
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from cert_plugin import api
from cert_plugin.models import Job
from cert_plugin.views.csp import content_security_policy
from cert_plugin.views.staff.common import (
    StaffCourse,
    course_url,
    extra_requirements,
    job_view,
    page_context,
    page_numbers,
    query_string,
    settings_summary,
    staff_only,
    user_label,
)
from cert_plugin.views.statuses import STATUS_BADGES, status_label

PER_PAGE = 25  # learners per page of the table


AWAITING_SHOWN = 20  # learners listed in "Awaiting approval" (the table's filter shows them all)


def _row(row: api.LearnerRow, course: StaffCourse, extra: list[dict[str, str]]) -> dict[str, Any]:
    badge, icon = STATUS_BADGES[row.status]
    certificate = row.certificate
    progress = row.progress
    met = {item.key.removeprefix("req:") for item in (progress.items if progress else ()) if item.met
           and item.key.startswith("req:")}
    item: dict[str, Any] = {
        "user": row.user,
        "name": row.name if certificate is not None else user_label(row.user),
        "status": row.status,
        "label": status_label(row.status),
        "badge": badge,
        "icon": icon,
        "certificate": certificate,
        "progress": progress if progress is not None and progress.items else None,
        "requirements": [{"key": r["key"], "label": r["label"], "met": r["key"] in met} for r in extra],
        # issued or expired (a recertification awaiting a decision too): reissue and revoke apply
        "current": certificate is not None and bool(certificate.active) and certificate.state == "issued",
        # A refusal that stands: its reason and the learner's review request, with "Approve" offered.
        "refusal": progress.refusal if progress is not None and row.status == "not_approved" else None,
        "decidable": row.status in ("pending_approval", "not_approved"),
    }
    if certificate is not None:
        item["code"] = certificate.formatted_code
        item["verify_url"] = reverse("cert_plugin:verify", args=[certificate.formatted_code])
        item["page_url"] = reverse("cert_plugin:certificate", args=[certificate.formatted_code])
    return item


@content_security_policy
@require_safe
@staff_only
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
    extra = extra_requirements(config)
    bulk_approve = bool(config is not None and config.requires_approval)
    page = api.course_learners(course.key, search=search, status=status, page=page_number, per_page=PER_PAGE)
    awaiting = api.awaiting_approval(course.key)
    jobs = [job_view(job) for job in api.recent_jobs(course.key, limit=5)]
    back = urlencode([(k, v) for k, v in (("q", search), ("status", status), ("page", page.page))
                      if v not in ("", 1)])
    chips = [{"status": name, "label": status_label(name), "count": page.counts.get(name, 0),
              "url": query_string(q=search, status="" if name == "all" else name),
              "current": (status or "all") == name}
             for name in ("all", *api.LEARNER_STATUSES)]
    rows = [_row(row, course, extra) for row in page.rows]
    context = {
        **page_context(request, course, "learners", config=config),
        "config": config,
        "summary": settings_summary(course, config),
        "search": search,
        "status": status,
        "status_label": status_label(status) if status else "",
        "page": page,
        "rows": rows,
        "render_problems": [row for row in rows if row["certificate"] is not None
                            and row["certificate"].render_error],
        "chips": chips,
        "page_links": [{"number": n, "url": query_string(q=search, status=status, page=n) if n else ""}
                       for n in page_numbers(page.page, page.pages)],
        "prev_url": query_string(q=search, status=status, page=page.page - 1) if page.page > 1 else "",
        "next_url": (query_string(q=search, status=status, page=page.page + 1)
                     if page.page < page.pages else ""),
        "back": back,
        "extra": extra,
        # the bulk actions the course has: "Approve selected" only where staff approve certificates
        "bulk_approve": bulk_approve,
        "bulk": bulk_approve or bool(extra),
        "awaiting": [{"user": user, "name": user_label(user)} for user in awaiting[:AWAITING_SHOWN]],
        "awaiting_count": len(awaiting),
        "awaiting_filter_url": query_string(status="pending_approval"),
        "reviews": [{"user": request_.user, "name": user_label(request_.user), "request": request_}
                    for request_ in api.review_requests(course.key)],
        "name_changes": api.reissue_requests(course.key),
        "signs": api.signs_certificates(),
        "unsigned_count": api.unsigned_count(course.key),
        "jobs": jobs,
        "latest_job": jobs[0] if jobs else None,
        "job_running": any(not job["finished"] for job in jobs),
        "export_url": course_url("staff-export", course),
        "backfill_url": course_url("staff-job-start", course) + "?" + urlencode({"kind": Job.BACKFILL}),
        "reissue_all_url": course_url("staff-job-start", course) + "?" + urlencode({"kind": Job.REISSUE_ALL}),
    }
    return render(request, "cert_plugin/staff/dashboard.html", context)


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
@staff_only
def export_csv(request: HttpRequest, course: StaffCourse) -> StreamingHttpResponse:
    """Every learner of the course with their certificate, as a CSV streamed row by row."""
    key = course.key
    name = "_".join(part for part in (key.org, key.course, key.run) if part)
    filename = f"certificates-{name}-{timezone.now():%Y-%m-%d}.csv"
    response = StreamingHttpResponse(_csv_lines(api.export_rows(key)), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
