"""The course staff certificates dashboard, under ``/certs/staff/<course_key>/``, and the index of the
courses a user teaches at ``/certs/staff/`` (``index``).

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

One module per page (``index``, ``dashboard``, ``course_settings``, ``activity``, ``jobs``) and one for
the actions on learners; ``common`` holds access and what every page shares. The URLs
(``staff_urls.py``) name the views through this package.
"""

from __future__ import annotations

from cert_plugin.views.staff.actions import (
    approve,
    bulk,
    decide_name_change,
    issue_now,
    reissue,
    reject,
    requirement,
    retry_render,
    revoke,
)
from cert_plugin.views.staff.activity import audit
from cert_plugin.views.staff.course_settings import settings_page
from cert_plugin.views.staff.dashboard import dashboard, export_csv
from cert_plugin.views.staff.index import index
from cert_plugin.views.staff.jobs import job_status, start_job

__all__ = [
    "approve",
    "audit",
    "bulk",
    "dashboard",
    "decide_name_change",
    "export_csv",
    "index",
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
