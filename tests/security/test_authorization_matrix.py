"""Issue 6: who may open or change what, for every page and REST endpoint of the plugin.

Six roles: an anonymous visitor, the learner who owns a private certificate, another learner
of the course, the course's staff, the staff of another course (another organization), and
site staff (``is_staff``). Each row names one route and the status every role gets.

A private certificate (and its downloads) answers exactly like an unknown code to whoever may
not see it, so nobody learns that it exists; likewise a course or a template that does not
exist answers like one the user may not open. Every HTML page carries ``X-Frame-Options`` and the
plugin's strict Content-Security-Policy (and obeys it), and every state-changing view refuses a
POST without a CSRF token.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from cert_plugin import api, codes
from tests.security import pages

ROLES = ("anonymous", "owner", "other", "staff", "other_staff", "site_staff")
UNKNOWN_CODE = "ZZZZ-ZZZZ-ZZZZ-ZZZZ"


@dataclass
class World:
    course: Any
    other_course: Any
    owner: Any
    other: Any
    staff: Any
    other_staff: Any
    site_staff: Any
    private: Any  # the owner's certificate, not published
    public: Any  # another learner's certificate, on their public profile
    public_owner: Any
    template: Any  # a template of the course's organization
    builtin: Any
    job_id: int

    @property
    def key(self) -> str:
        return str(self.course.course_key)

    @property
    def code(self) -> str:
        return self.private.formatted_code

    @property
    def org(self) -> str:
        return self.course.org

    def client(self, role: str, **kwargs: Any) -> Client:
        client = Client(**kwargs)
        if role != "anonymous":
            client.force_login(getattr(self, role))
        return client


@pytest.fixture
def world(lms) -> World:
    course = lms.course(title="Python for Data Analysis", org="Northwind")
    other_course = lms.course(title="Safety Officer Certification", org="Contoso")
    api.configure_course(course.course_key)
    api.configure_course(other_course.course_key)
    owner = lms.learner(course, name="Amelia Okafor")
    other = lms.learner(course, name="Kenji Watanabe")
    public_owner = lms.learner(course, name="Lucía Fernández")
    staff = lms.staff(course)
    other_staff = lms.staff(other_course)
    site_staff = get_user_model().objects.create_user("site-staff", password="x", is_staff=True)
    private = api.issue(owner, course.course_key, by=staff)
    public = api.set_public(api.issue(public_owner, course.course_key, by=staff), True, by=public_owner)
    builtin = api.builtin_templates()[0]
    template = api.duplicate_template(builtin, "Northwind classic", org="Northwind", by=staff)
    job = api.start_job("backfill", course.course_key, by=staff)
    return World(course, other_course, owner, other, staff, other_staff, site_staff, private, public,
                 public_owner, template, builtin, job.pk)


def url(name: str, *args: Any) -> str:
    return reverse(f"cert_plugin:{name}", args=args)


Row = tuple[str, Callable[[World], str], dict[str, int]]


def everyone(status: int) -> dict[str, int]:
    return dict.fromkeys(ROLES, status)


def roles(*statuses: int) -> dict[str, int]:
    """Statuses in the order of ROLES: anonymous, owner, other, staff, other_staff, site_staff."""
    return dict(zip(ROLES, statuses, strict=True))


LOGIN = 302
# Who may see the private certificate: its owner, the course's staff and site staff; the others get
# the 404 of an unknown code.
PRIVATE = roles(404, 200, 404, 200, 404, 200)
COURSE_STAFF_PAGE = roles(LOGIN, 403, 403, 200, 403, 200)
COURSE_STAFF_API = roles(401, 403, 403, 200, 403, 200)
ORG_EDITOR = roles(LOGIN, 403, 403, 200, 403, 200)
# A course or template that does not exist answers like one the user may not open (403); only site
# staff, who may open every one, get the 404.
UNKNOWN_FOR_EDITORS = roles(LOGIN, 403, 403, 403, 403, 404)
UNKNOWN_COURSE = "course-v1:Nobody+X+2026"
UNKNOWN_TEMPLATE = 987654

# ----------------------------------------------------------------------------- GET: who sees what

GET_MATRIX: list[Row] = [
    # learner pages and public documents
    ("learner-dashboard", lambda w: url("learner-dashboard"), roles(LOGIN, 200, 200, 200, 200, 200)),
    # the courses one teaches: everyone signed in gets the page (a learner reads they teach none)
    ("staff-index", lambda w: url("staff-index"), roles(LOGIN, 200, 200, 200, 200, 200)),
    ("certificate (private)", lambda w: url("certificate", w.code), PRIVATE),
    ("certificate (public)", lambda w: url("certificate", w.public.formatted_code), everyone(200)),
    ("certificate (unknown)", lambda w: url("certificate", UNKNOWN_CODE), everyone(404)),
    ("download-pdf (private)", lambda w: url("download-pdf", w.code), PRIVATE),
    ("download-png (private)", lambda w: url("download-png", w.code), PRIVATE),
    ("download-png (public)", lambda w: url("download-png", w.public.formatted_code), everyone(200)),
    ("credential (private)", lambda w: url("credential", w.code), PRIVATE),
    ("credential (public)", lambda w: url("credential", w.public.formatted_code), everyone(200)),
    ("public-profile (nothing published)", lambda w: url("public-profile", w.owner.username), everyone(404)),
    ("public-profile (published)", lambda w: url("public-profile", w.public_owner.username), everyone(200)),
    ("public-profile (unknown user)", lambda w: url("public-profile", "nobody-here"), everyone(404)),
    ("verify-form", lambda w: url("verify-form"), everyone(200)),
    # checking a file is a POST (tests/integration/test_verify_file.py): a GET goes back to the form
    ("verify-file", lambda w: url("verify-file"), everyone(303)),
    ("verify (private: the code is the proof)", lambda w: url("verify", w.code), everyone(200)),
    ("verify (unknown)", lambda w: url("verify", UNKNOWN_CODE), everyone(404)),
    ("issuer", lambda w: url("issuer"), everyone(200)),
    ("issuer-keys", lambda w: url("issuer-keys"), everyone(200)),
    ("issuer-key (unknown)", lambda w: url("issuer-key", "no-such-key"), everyone(404)),
    ("issuer-multikey (unknown)", lambda w: url("issuer-multikey", "no-such-key"), everyone(404)),
    ("status-list", lambda w: url("status-list"), everyone(200)),
    ("service-worker", lambda w: url("service-worker"), everyone(200)),
    # course staff pages
    ("staff-dashboard", lambda w: url("staff-dashboard", w.key), COURSE_STAFF_PAGE),
    # An unknown course answers like a course one does not staff (403), so keys cannot be probed;
    # site staff, who staff every course, learn that it does not exist.
    ("staff-dashboard (unknown course)", lambda w: url("staff-dashboard", UNKNOWN_COURSE),
     UNKNOWN_FOR_EDITORS),
    ("staff-settings (unknown course)", lambda w: url("staff-settings", UNKNOWN_COURSE), UNKNOWN_FOR_EDITORS),
    ("staff-job (unknown course)", lambda w: url("staff-job", UNKNOWN_COURSE, w.job_id),
     roles(401, 403, 403, 403, 403, 404)),
    ("staff-settings", lambda w: url("staff-settings", w.key), COURSE_STAFF_PAGE),
    ("staff-audit", lambda w: url("staff-audit", w.key), COURSE_STAFF_PAGE),
    ("staff-export", lambda w: url("staff-export", w.key), COURSE_STAFF_PAGE),
    ("staff-job-start (confirm)", lambda w: url("staff-job-start", w.key) + "?kind=backfill",
     COURSE_STAFF_PAGE),
    ("staff-job", lambda w: url("staff-job", w.key, w.job_id), COURSE_STAFF_API),
    ("staff-job (job of another course)", lambda w: url("staff-job", w.other_course.course_key, w.job_id),
     roles(401, 403, 403, 403, 404, 404)),
    # template editor and branding
    ("template-list", lambda w: url("template-list"), roles(LOGIN, 403, 403, 200, 200, 200)),
    ("template-edit (org template)", lambda w: url("template-edit", w.template.pk), ORG_EDITOR),
    ("template-edit (built-in)", lambda w: url("template-edit", w.builtin.pk),
     roles(LOGIN, 403, 403, 200, 200, 200)),
    ("template-edit (unknown template)", lambda w: url("template-edit", UNKNOWN_TEMPLATE),
     UNKNOWN_FOR_EDITORS),
    ("template-version-preview", lambda w: url("template-version-preview", w.template.pk, 1), ORG_EDITOR),
    ("template-version-preview (unknown template)",
     lambda w: url("template-version-preview", UNKNOWN_TEMPLATE, 1), UNKNOWN_FOR_EDITORS),
    ("template-thumbnail", lambda w: url("template-thumbnail", w.template.pk, 1), ORG_EDITOR),
    ("template-thumbnail (unknown template)", lambda w: url("template-thumbnail", UNKNOWN_TEMPLATE, 1),
     UNKNOWN_FOR_EDITORS),
    ("template-asset (org template)", lambda w: url("template-asset", w.template.pk, "missing.png"),
     roles(LOGIN, 403, 403, 404, 403, 404)),
    ("template-asset (unknown template)", lambda w: url("template-asset", UNKNOWN_TEMPLATE, "missing.png"),
     UNKNOWN_FOR_EDITORS),
    ("branding", lambda w: url("branding", w.org), ORG_EDITOR),
    ("branding-asset", lambda w: url("branding-asset", w.org, "missing.png"),
     roles(LOGIN, 403, 403, 404, 403, 404)),
    # REST API v1
    ("api-verify (private: the code is the proof)", lambda w: url("api-verify", w.code), everyone(200)),
    ("api-verify (unknown)", lambda w: url("api-verify", UNKNOWN_CODE), everyone(404)),
    ("api-verify-file (POST only)", lambda w: url("api-verify-file"), everyone(405)),
    ("api-my-certificates", lambda w: url("api-my-certificates"), roles(401, 200, 200, 200, 200, 200)),
    ("api-my-certificate (private)", lambda w: url("api-my-certificate", w.code), PRIVATE),
    ("api-my-certificate (public)", lambda w: url("api-my-certificate", w.public.formatted_code),
     everyone(200)),
    # the course's learners and staff only; to anyone else the course does not exist (issue 13)
    ("api-course-progress", lambda w: url("api-course-progress", w.key), roles(401, 200, 200, 200, 404, 200)),
    ("api-course-learners", lambda w: url("api-course-learners", w.key), COURSE_STAFF_API),
    # another course's job answers like a missing one (issue 13)
    ("api-job", lambda w: url("api-job", w.job_id), roles(401, 404, 404, 200, 404, 200)),
    ("api-schema", lambda w: url("api-schema"), everyone(200)),
]


def _location_is_login(response) -> bool:
    return response["Location"].startswith(reverse("login"))


def test_get_matrix(world):
    """One world, every row: the failure shows the rows whose statuses differ."""
    seen, expected = {}, {}
    for route, build, statuses in GET_MATRIX:
        path = build(world)
        expected[route] = statuses
        seen[route] = {}
        for role in ROLES:
            response = world.client(role).get(path)
            seen[route][role] = response.status_code
            if response.status_code == 302:
                assert _location_is_login(response), (route, role, response["Location"])
            if response.get("Content-Type", "").startswith("text/html"):
                assert response.get("X-Frame-Options") in ("DENY", "SAMEORIGIN"), (route, role)
                _check_html(route, role, response)
    assert seen == expected


def _check_html(route: str, role: str, response: Any) -> None:
    """Every HTML page of the plugin (its 403, 404, 429 and 503 pages too) carries the strict
    Content-Security-Policy and obeys it. Only the host's own pages are left alone: its 404 page
    for an ``Http404`` and the bodiless redirects and 405s."""
    if pages.rendered_by_plugin(response) or response.status_code not in (302, 303, 404, 405):
        assert pages.policy_problems(response) == [], (route, role, response.status_code)


# ----------------------------------------------------------------------------- POST: who may change what

POST_FORBIDDEN: list[Row] = [
    # learner actions on the private certificate
    ("publish", lambda w: url("publish", w.code), {"anonymous": 404, "other": 404, "staff": 403,
                                                   "other_staff": 404, "site_staff": 403}),
    ("request-reissue", lambda w: url("request-reissue", w.code),
     {"anonymous": 404, "other": 404, "staff": 404, "other_staff": 404, "site_staff": 404}),
    # a learner's actions on a course they are enrolled in (ask staff to reconsider, recertify):
    # whoever is not enrolled gets the 404 of an unknown course
    *[(name, (lambda n: lambda w: url(n, w.key))(name),
       {"anonymous": LOGIN, "staff": 404, "other_staff": 404, "site_staff": 404})
      for name in ("ask-for-review", "recertify")],
    # course staff actions
    *[(name, (lambda n: lambda w: url(n, w.key))(name),
       {"anonymous": LOGIN, "owner": 403, "other": 403, "other_staff": 403})
      for name in ("staff-approve", "staff-reject", "staff-requirement", "staff-bulk", "staff-issue",
                   "staff-revoke", "staff-reissue", "staff-retry-render", "staff-settings",
                   "staff-job-start")],
    ("staff-name-change", lambda w: url("staff-name-change", w.key, 1),
     {"anonymous": LOGIN, "owner": 403, "other": 403, "other_staff": 403}),
    # template editor and branding
    ("template-create", lambda w: url("template-create"), {"anonymous": LOGIN, "owner": 403, "other": 403}),
    ("template-edit", lambda w: url("template-edit", w.template.pk),
     {"anonymous": LOGIN, "owner": 403, "other": 403, "other_staff": 403}),
    ("template-edit (built-in)", lambda w: url("template-edit", w.builtin.pk),
     {"anonymous": LOGIN, "owner": 403, "other": 403, "staff": 403, "other_staff": 403, "site_staff": 403}),
    ("template-preview", lambda w: url("template-preview", w.template.pk),
     {"anonymous": 401, "owner": 403, "other": 403, "other_staff": 403}),
    ("template-attach", lambda w: url("template-attach", w.template.pk),
     {"anonymous": LOGIN, "owner": 403, "other": 403, "other_staff": 403}),
    ("template-restore", lambda w: url("template-restore", w.template.pk, 1),
     {"anonymous": LOGIN, "owner": 403, "other": 403, "other_staff": 403}),
    ("template-archive", lambda w: url("template-archive", w.template.pk),
     {"anonymous": LOGIN, "owner": 403, "other": 403, "other_staff": 403}),
    ("branding", lambda w: url("branding", w.org), {"anonymous": LOGIN, "owner": 403, "other": 403,
                                                     "other_staff": 403}),
    # REST API v1
    ("api-my-certificate-publish", lambda w: url("api-my-certificate-publish", w.code),
     {"anonymous": 401, "other": 404, "staff": 403, "other_staff": 404, "site_staff": 403}),
    ("api-my-certificate-reissue-request", lambda w: url("api-my-certificate-reissue-request", w.code),
     {"anonymous": 401, "other": 404, "staff": 403, "other_staff": 404, "site_staff": 403}),
    *[(name, (lambda n: lambda w: url(n, w.key))(name),
       {"anonymous": 401, "staff": 404, "other_staff": 404, "site_staff": 404})
      for name in ("api-course-review-request", "api-course-recertify")],
    *[(name, (lambda n: lambda w: url(n, w.key, w.other.pk))(name),
       {"anonymous": 401, "owner": 403, "other": 403, "other_staff": 403})
      for name in ("api-learner-approve", "api-learner-reject")],
    ("api-learner-requirement", lambda w: url("api-learner-requirement", w.key, w.other.pk, "workshop"),
     {"anonymous": 401, "owner": 403, "other": 403, "other_staff": 403}),
    ("api-certificate-revoke", lambda w: url("api-certificate-revoke", w.code),
     {"anonymous": 401, "owner": 403, "other": 404, "other_staff": 404}),
    ("api-certificate-reissue", lambda w: url("api-certificate-reissue", w.code),
     {"anonymous": 401, "owner": 403, "other": 404, "other_staff": 404}),
    ("api-course-jobs", lambda w: url("api-course-jobs", w.key),
     {"anonymous": 401, "owner": 403, "other": 403, "other_staff": 403}),
]

# Forms that would change something if the permission check let them through.
POST_BODY = {"user": "", "reason": "x", "kind": "backfill", "public": "1", "met": "1", "decision": "grant",
             "course_key": "", "action": "attach", "html": "<p>x</p>", "css": "", "orientation": "landscape",
             "source": "", "name": "Copy", "org": "Northwind", "display_name": "Hacked"}
# Methods other than POST that the state-changing-only routes refuse.
POST_ONLY = {name for name, _, _ in POST_FORBIDDEN} - {
    "staff-settings", "staff-job-start", "template-edit", "template-edit (built-in)", "branding"}


OWNER_ROUTES = {"publish", "request-reissue", "api-my-certificate-publish",
                "api-my-certificate-reissue-request", "ask-for-review", "recertify",
                "api-course-review-request", "api-course-recertify"}


def _body(world: World) -> dict[str, str]:
    return {**POST_BODY, "user": str(world.owner.pk), "course_key": world.key}


def test_post_without_permission_is_refused(world):
    seen, expected = {}, {}
    for route, build, statuses in POST_FORBIDDEN:
        path = build(world)
        expected[route] = statuses
        seen[route] = {}
        for role in statuses:
            response = world.client(role).post(path, _body(world))
            seen[route][role] = response.status_code
            if response.get("Content-Type", "").startswith("text/html"):
                _check_html(route, role, response)
            if response.status_code == 302:
                assert _location_is_login(response), (route, role, response["Location"])
    assert seen == expected
    world.private.refresh_from_db()
    assert world.private.status == "issued"
    assert not world.private.is_public


def test_state_changing_routes_refuse_get(world):
    """GET is 405 for anyone allowed past the permission check (DRF checks permissions first)."""
    seen = {}
    for route, build, _ in POST_FORBIDDEN:
        if route not in POST_ONLY:
            continue
        path = build(world)
        role = "owner" if route in OWNER_ROUTES else "staff"
        seen[route] = world.client(role).get(path).status_code
        if not route.startswith("api-"):
            seen[route + " (anonymous)"] = world.client("anonymous").get(path).status_code
    assert seen == dict.fromkeys(seen, 405)


# ----------------------------------------------------------------------------- never reveal existence

CODE_ROUTES = [
    ("certificate", "get"), ("download-pdf", "get"), ("download-png", "get"), ("credential", "get"),
    ("publish", "post"), ("request-reissue", "post"), ("api-my-certificate", "get"),
    ("api-my-certificate-publish", "post"), ("api-my-certificate-reissue-request", "post"),
    ("api-certificate-revoke", "post"), ("api-certificate-reissue", "post"),
]


def test_a_private_certificate_answers_like_an_unknown_code(world):
    assert codes.normalize(UNKNOWN_CODE) is not None
    differing = []
    for name, method in CODE_ROUTES:
        for role in ("anonymous", "other", "other_staff"):
            client = world.client(role)
            private = getattr(client, method)(url(name, world.code))
            unknown = getattr(client, method)(url(name, UNKNOWN_CODE))
            same = (private.status_code == unknown.status_code
                    and private.get("Content-Type") == unknown.get("Content-Type")
                    and private.content.replace(world.code.encode(), b"CODE")
                    == unknown.content.replace(UNKNOWN_CODE.encode(), b"CODE"))
            if not same or private.status_code not in (401, 404):
                differing.append((name, role, private.status_code, unknown.status_code))
    assert differing == []


# Every route that takes a course key or a template id, with its method (derived from the URLconf:
# test_key_and_template_routes_are_all_listed keeps the lists complete).
COURSE_ROUTES = [
    *[(name, "get") for name in ("staff-dashboard", "staff-settings", "staff-audit", "staff-export")],
    *[(name, "post") for name in ("staff-approve", "staff-reject", "staff-requirement", "staff-bulk",
                                  "staff-issue", "staff-revoke", "staff-reissue", "staff-retry-render",
                                  "staff-settings", "staff-job-start")],
    ("staff-job-start", "get"), ("staff-name-change", "post"), ("staff-job", "get"),
    ("api-course-learners", "get"), ("api-course-jobs", "post"), ("api-learner-approve", "post"),
    ("api-learner-reject", "post"), ("api-learner-requirement", "post"),
]
TEMPLATE_ROUTES = [
    ("template-edit", "get"), ("template-edit", "post"), ("template-preview", "post"),
    ("template-version-preview", "get"), ("template-asset", "get"), ("template-attach", "post"),
    ("template-restore", "post"), ("template-thumbnail", "get"), ("template-archive", "post"),
]
_EXTRA_ARGS = {"staff-name-change": (1,), "staff-job": (1,), "api-learner-approve": (1,),
               "api-learner-reject": (1,), "api-learner-requirement": (1, "workshop"),
               "template-version-preview": (1,), "template-asset": ("logo.png",), "template-restore": (1,),
               "template-thumbnail": (1,)}


def _same_answer(first, second, first_id: str, second_id: str) -> bool:
    """Same status, type and body (the body may echo the id that was asked for)."""
    def body(response, asked: str) -> bytes:
        return response.content.replace(asked.encode(), b"ID") if asked else response.content

    return (first.status_code == second.status_code
            and first.get("Content-Type") == second.get("Content-Type")
            and body(first, first_id) == body(second, second_id))


def test_a_course_one_does_not_staff_answers_like_an_unknown_course(world):
    """Course keys cannot be probed: for whoever is not its staff, an existing course and a key no
    course has give the same status and the same page."""
    differing = []
    for name, method in COURSE_ROUTES:
        for role in ("owner", "other", "staff", "other_staff"):
            existing = str(world.other_course.course_key if role == "staff" else world.course.course_key)
            client = world.client(role)
            args = _EXTRA_ARGS.get(name, ())
            known = getattr(client, method)(url(name, existing, *args), _body(world))
            unknown = getattr(client, method)(url(name, UNKNOWN_COURSE, *args), _body(world))
            if not _same_answer(known, unknown, existing, UNKNOWN_COURSE) or known.status_code != 403:
                differing.append((name, method, role, known.status_code, unknown.status_code))
    assert differing == []


def test_a_template_one_may_not_open_answers_like_an_unknown_template(world):
    """Template ids cannot be enumerated: a template of another organization and an id no template
    has give the same status and the same page (JSON for the preview)."""
    contoso = api.duplicate_template(world.builtin, "Contoso classic", org="Contoso", by=world.other_staff)
    differing = []
    for name, method in TEMPLATE_ROUTES:
        for role in ("owner", "other", "staff", "other_staff"):
            hidden = contoso if role == "staff" else world.template
            client = world.client(role)
            args = _EXTRA_ARGS.get(name, ())
            known = getattr(client, method)(url(name, hidden.pk, *args), _body(world))
            unknown = getattr(client, method)(url(name, UNKNOWN_TEMPLATE, *args), _body(world))
            if not _same_answer(known, unknown, "", "") or known.status_code != 403:
                differing.append((name, method, role, known.status_code, unknown.status_code))
    assert differing == []


def test_key_and_template_routes_are_all_listed():
    from cert_plugin import urls
    from cert_plugin.rest_api.v1 import urls as api_urls
    from cert_plugin.views import staff_urls, template_urls

    def names(module, parameter):
        return {pattern.name for pattern in module.urlpatterns
                if parameter in str(pattern.pattern) and getattr(pattern, "name", None)}

    with_key = {*names(staff_urls, "<str:course_key>"), *names(api_urls, "<str:course_key>")}
    # the learner's own progress and actions: learners see any course's offer (course pages are public
    # in the LMS); whoever is not enrolled gets a 404 (POST_FORBIDDEN)
    learner_own = {"api-course-progress", "api-course-review-request", "api-course-recertify"}
    assert with_key - learner_own == {name for name, _ in COURSE_ROUTES}
    assert names(template_urls, "<int:template_id>") == {name for name, _ in TEMPLATE_ROUTES}
    assert names(urls, "course_key") == {"ask-for-review", "recertify"}


# ----------------------------------------------------------------------------- CSRF

CSRF_ROUTES: list[tuple[str, Callable[[World], str], str]] = [
    ("publish", lambda w: url("publish", w.code), "owner"),
    ("request-reissue", lambda w: url("request-reissue", w.code), "owner"),
    *[(name, (lambda n: lambda w: url(n, w.key))(name), "owner")
      for name in ("ask-for-review", "recertify", "api-course-review-request", "api-course-recertify")],
    *[(name, (lambda n: lambda w: url(n, w.key))(name), "staff")
      for name in ("staff-approve", "staff-reject", "staff-requirement", "staff-bulk", "staff-issue",
                   "staff-revoke", "staff-reissue", "staff-retry-render", "staff-settings",
                   "staff-job-start")],
    ("staff-name-change", lambda w: url("staff-name-change", w.key, 1), "staff"),
    ("template-create", lambda w: url("template-create"), "staff"),
    ("template-edit", lambda w: url("template-edit", w.template.pk), "staff"),
    ("template-preview", lambda w: url("template-preview", w.template.pk), "staff"),
    ("template-attach", lambda w: url("template-attach", w.template.pk), "staff"),
    ("template-restore", lambda w: url("template-restore", w.template.pk, 1), "staff"),
    ("template-archive", lambda w: url("template-archive", w.template.pk), "staff"),
    ("branding", lambda w: url("branding", w.org), "staff"),
    ("api-my-certificate-publish", lambda w: url("api-my-certificate-publish", w.code), "owner"),
    ("api-my-certificate-reissue-request", lambda w: url("api-my-certificate-reissue-request", w.code),
     "owner"),
    ("api-learner-approve", lambda w: url("api-learner-approve", w.key, w.other.pk), "staff"),
    ("api-learner-reject", lambda w: url("api-learner-reject", w.key, w.other.pk), "staff"),
    ("api-learner-requirement", lambda w: url("api-learner-requirement", w.key, w.other.pk, "workshop"),
     "staff"),
    ("api-certificate-revoke", lambda w: url("api-certificate-revoke", w.code), "staff"),
    ("api-certificate-reissue", lambda w: url("api-certificate-reissue", w.code), "staff"),
    ("api-course-jobs", lambda w: url("api-course-jobs", w.key), "staff"),
]


def test_every_state_changing_route_is_in_the_csrf_table():
    assert {name for name, _, _ in CSRF_ROUTES} == {name for name, _, _ in POST_FORBIDDEN} - {
        "template-edit (built-in)"}


def test_every_state_changing_view_refuses_a_post_without_csrf_token(world):
    refused = {}
    for name, build, role in CSRF_ROUTES:
        response = world.client(role, enforce_csrf_checks=True).post(build(world), _body(world))
        refused[name] = (response.status_code, b"CSRF" in response.content)
    assert refused == dict.fromkeys(refused, (403, True))
    world.private.refresh_from_db()
    assert world.private.status == "issued"
    assert not world.private.is_public


# ----------------------------------------------------------------------------- coverage of the URLconf


def test_the_matrix_names_every_route():
    from cert_plugin import urls
    from cert_plugin.rest_api.v1 import urls as api_urls
    from cert_plugin.views import staff_urls, template_urls

    names = {pattern.name for module in (urls, staff_urls, template_urls, api_urls)
             for pattern in module.urlpatterns if getattr(pattern, "name", None)}
    covered = {route.split(" (")[0] for route, _, _ in [*GET_MATRIX, *POST_FORBIDDEN]}
    assert names - covered == set()
