"""The staff index (``/certs/staff/``): the courses the signed-in user teaches.

Each course with whether it offers a certificate, how many current
certificates it has and how many learners await approval, and links to its
dashboard, settings and activity log; plus the template editor for those who
may use it. Anyone signed in may open it: a user who teaches no course reads
that they teach none (the page names no course they cannot open).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.views.decorators.http import require_safe

from cert_plugin import api
from cert_plugin.views.csp import content_security_policy
from cert_plugin.views.staff.common import editor_url, page_numbers, query_string


def _course_row(course: api.TaughtCourse) -> dict[str, Any]:
    key = str(course.info.course_key)
    dashboard = reverse("cert_plugin:staff-dashboard", args=[key])
    return {
        "course": course,
        "key": key,
        "state": {True: "on", False: "off", None: "none"}[course.offered],
        "dashboard_url": dashboard,
        "settings_url": reverse("cert_plugin:staff-settings", args=[key]),
        "audit_url": reverse("cert_plugin:staff-audit", args=[key]),
        "issued_url": f"{dashboard}?{urlencode({'status': 'issued'})}#learners",
        "awaiting_url": f"{dashboard}?{urlencode({'status': 'pending_approval'})}#learners",
    }


@content_security_policy
@require_safe
def index(request: HttpRequest) -> HttpResponse:
    """``/certs/staff/``: the courses the user teaches, with counts and links; ``q`` searches, ``page``
    pages."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    search = request.GET.get("q", "").strip()[:200]
    try:
        page_number = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        page_number = 1
    found = api.staff_index(request.user, search=search, page=page_number)
    context = {
        "found": found,
        "rows": [_course_row(course) for course in found.rows],
        "search": search,
        "signs": api.signs_certificates(),
        "editor_url": editor_url() if found.may_edit_templates else "",
        "page_links": [{"number": n, "url": query_string(q=search, page=n) if n else ""}
                       for n in page_numbers(found.page, found.pages)],
        "prev_url": query_string(q=search, page=found.page - 1) if found.page > 1 else "",
        "next_url": query_string(q=search, page=found.page + 1) if found.page < found.pages else "",
    }
    response = render(request, "cert_plugin/staff/index.html", context)
    patch_cache_control(response, private=True, no_cache=True)
    patch_vary_headers(response, ["Cookie"])
    return response
