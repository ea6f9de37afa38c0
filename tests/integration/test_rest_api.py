"""REST API v1 (``/certs/api/v1/``) as an MFE or an integrator sees it.

Who may call what (anonymous, the certificate's owner, another learner, the
course's staff, staff of another course), the JSON each answer carries, and
what the calls change: publishing opens the public page, approval issues the
certificate, revocation shows on the verify API, jobs run to the end.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from cert_plugin import api

ROLES = ("anonymous", "owner", "other", "staff", "other_staff")


@dataclass
class World:
    course: Any
    owner: Any
    other: Any
    staff: Any
    other_staff: Any
    certificate: Any
    job_id: int

    def user(self, role: str) -> Any:
        return None if role == "anonymous" else getattr(self, role)

    def client(self, role: str, **kwargs: Any) -> APIClient:
        client = APIClient(**kwargs)
        user = self.user(role)
        if user is not None:
            client.force_login(user)
        return client

    @property
    def key(self) -> str:
        return str(self.course.course_key)

    @property
    def code(self) -> str:
        return self.certificate.formatted_code


def _rename(user, name: str) -> None:
    """The learner corrects their name in the LMS profile (the demo LMS's own model)."""
    user.lms_profile.full_name = name
    user.lms_profile.save()


@pytest.fixture
def world(lms) -> World:
    course = lms.course(title="Python for Data Analysis")
    api.configure_course(course.course_key,
                         additional_requirements=[{"key": "workshop", "label": "Attend the workshop"}])
    owner = lms.learner(course, name="Amelia Okafor")
    other = lms.learner(course, name="Kenji Watanabe")
    staff = lms.staff(course)
    other_course = lms.course(title="Safety Officer Certification")
    other_staff = lms.staff(other_course)
    certificate = api.issue(owner, course.course_key, reason="fixture")
    job = api.start_job("backfill", course.course_key)
    return World(course, owner, other, staff, other_staff, certificate, job.pk)


def _url(name: str, *args: Any) -> str:
    return reverse(f"cert_plugin:{name}", args=args)


# ----------------------------------------------------------------------------- who may call what

# endpoint -> (method, url builder, body, expected status per role)
MATRIX: dict[str, tuple[str, Any, dict[str, Any] | None, dict[str, int]]] = {
    "my-certificates": ("get", lambda w: _url("api-my-certificates"), None,
                        {"anonymous": 401, "owner": 200, "other": 200, "staff": 200, "other_staff": 200}),
    "my-certificate": ("get", lambda w: _url("api-my-certificate", w.code), None,
                       {"anonymous": 404, "owner": 200, "other": 404, "staff": 200, "other_staff": 404}),
    "publish": ("post", lambda w: _url("api-my-certificate-publish", w.code), {"public": True},
                {"anonymous": 401, "owner": 200, "other": 404, "staff": 403, "other_staff": 404}),
    "reissue-request": ("post", lambda w: _url("api-my-certificate-reissue-request", w.code), None,
                        {"anonymous": 401, "owner": 200, "other": 404, "staff": 403, "other_staff": 404}),
    "progress": ("get", lambda w: _url("api-course-progress", w.key), None,
                 {"anonymous": 401, "owner": 200, "other": 200, "staff": 200, "other_staff": 404}),
    "learners": ("get", lambda w: _url("api-course-learners", w.key), None,
                 {"anonymous": 401, "owner": 403, "other": 403, "staff": 200, "other_staff": 403}),
    "approve": ("post", lambda w: _url("api-learner-approve", w.key, w.other.pk), {},
                {"anonymous": 401, "owner": 403, "other": 403, "staff": 200, "other_staff": 403}),
    "reject": ("post", lambda w: _url("api-learner-reject", w.key, w.other.pk), {"reason": "Redo project 2"},
               {"anonymous": 401, "owner": 403, "other": 403, "staff": 200, "other_staff": 403}),
    "requirement": ("post", lambda w: _url("api-learner-requirement", w.key, w.other.pk, "workshop"),
                    {"met": True},
                    {"anonymous": 401, "owner": 403, "other": 403, "staff": 200, "other_staff": 403}),
    "revoke": ("post", lambda w: _url("api-certificate-revoke", w.code), {"reason": "Plagiarism"},
               {"anonymous": 401, "owner": 403, "other": 404, "staff": 200, "other_staff": 404}),
    "reissue": ("post", lambda w: _url("api-certificate-reissue", w.code), {},
                {"anonymous": 401, "owner": 403, "other": 404, "staff": 200, "other_staff": 404}),
    "jobs": ("post", lambda w: _url("api-course-jobs", w.key), {"kind": "reissue_all"},
             {"anonymous": 401, "owner": 403, "other": 403, "staff": 202, "other_staff": 403}),
    "job": ("get", lambda w: _url("api-job", w.job_id), None,
            {"anonymous": 401, "owner": 404, "other": 404, "staff": 200, "other_staff": 404}),
    "schema": ("get", lambda w: _url("api-schema"), None, dict.fromkeys(ROLES, 200)),
    "verify": ("get", lambda w: _url("api-verify", w.code), None, dict.fromkeys(ROLES, 200)),
}


@pytest.mark.parametrize("endpoint", list(MATRIX))
def test_each_endpoint_answers_each_kind_of_caller_as_documented(world, endpoint):
    method, url, body, expected = MATRIX[endpoint]
    _rename(world.owner, "Amelia N. Okafor")  # so that the owner's reissue request is a real one
    # The callers who succeed go last, so what they change cannot alter the others' answers.
    order = sorted(ROLES, key=lambda role: expected[role] < 300)
    answers = {}
    for role in order:
        response = getattr(world.client(role), method)(url(world), body, format="json")
        answers[role] = response.status_code
        assert response["Content-Type"].startswith(("application/json", "application/vnd.oai.openapi+json"))
        if response.status_code >= 400:
            assert response.json().get("error"), f"{endpoint} as {role}: {response.json()}"
    assert answers == expected


def test_an_anonymous_caller_is_asked_for_credentials(world):
    response = APIClient().get(_url("api-my-certificates"))
    assert response.status_code == 401
    assert response["WWW-Authenticate"]
    assert response.json() == {"error": "Authentication credentials were not provided."}


# What an Open edX LMS configures (symmetric key here); edx-drf-extensions reads it per request.
JWT_AUTH = {
    "JWT_ISSUERS": [{"ISSUER": "https://lms.example.org/oauth2", "AUDIENCE": "lms-key",
                     "SECRET_KEY": "a-test-only-secret-0123456789abcdef"}],
    "JWT_ISSUER": "https://lms.example.org/oauth2",
    "JWT_AUDIENCE": "lms-key",
    "JWT_SECRET_KEY": "a-test-only-secret-0123456789abcdef",
    "JWT_DECODE_HANDLER": "edx_rest_framework_extensions.auth.jwt.decoder.jwt_decode_handler",
}


@pytest.fixture
def open_edx_jwt(settings, monkeypatch):
    """``JWT_AUTH`` as an Open edX LMS has it from start-up (drf-jwt reads it once, at import)."""
    from edx_rest_framework_extensions.auth.jwt.tests.utils import generate_jwt
    from rest_framework_jwt import settings as drf_jwt

    settings.JWT_AUTH = {**JWT_AUTH, "JWT_AUTH_HEADER_PREFIX": "JWT"}
    configured = drf_jwt.APISettings(settings.JWT_AUTH, drf_jwt.DEFAULTS, drf_jwt.IMPORT_STRINGS)
    for name in drf_jwt.DEFAULTS:
        monkeypatch.setattr(drf_jwt.api_settings, name, getattr(configured, name), raising=False)
    return generate_jwt


def test_an_open_edx_jwt_authenticates_without_csrf(world, open_edx_jwt):
    client = APIClient(enforce_csrf_checks=True)
    client.credentials(HTTP_AUTHORIZATION=f"JWT {open_edx_jwt(world.owner)}")
    response = client.get(_url("api-my-certificates"))
    assert response.status_code == 200, response.json()
    [row] = response.json()
    assert row["certificate"]["code"] == world.code
    published = client.post(_url("api-my-certificate-publish", world.code), {"public": True}, format="json")
    assert published.status_code == 200  # a token in a header is not a CSRF risk
    assert published.json()["is_public"] is True


def test_an_mfe_calls_with_the_lms_jwt_cookies_and_posts_with_its_csrf_token(world, open_edx_jwt, settings,
                                                                             monkeypatch):
    """What the MFE widgets (frontend/, through frontend-platform's AxiosJwtAuthService) send: the JWT
    split into the LMS's two cookies, which the platform's JwtAuthCookieMiddleware joins again; no
    Authorization header. A cookie is sent by the browser on its own, so a POST also needs the CSRF
    token the MFE fetched (edx-drf-extensions' JwtAuthentication checks it for cookies)."""
    from rest_framework_jwt import settings as drf_jwt

    settings.JWT_AUTH = {**settings.JWT_AUTH, "JWT_AUTH_COOKIE": "edx-jwt-cookie"}  # as the LMS sets it
    monkeypatch.setattr(drf_jwt.api_settings, "JWT_AUTH_COOKIE", "edx-jwt-cookie", raising=False)
    settings.MIDDLEWARE = [*settings.MIDDLEWARE,
                           "edx_rest_framework_extensions.auth.jwt.middleware.JwtAuthCookieMiddleware"]
    header, payload, signature = open_edx_jwt(world.owner).split(".")
    client = APIClient(enforce_csrf_checks=True)
    client.cookies["edx-jwt-cookie-header-payload"] = f"{header}.{payload}"
    client.cookies["edx-jwt-cookie-signature"] = signature

    listed = client.get(_url("api-my-certificates"), HTTP_USE_JWT_COOKIE="true")
    assert listed.status_code == 200, listed.json()
    assert [row["certificate"]["code"] for row in listed.json()] == [world.code]

    url = _url("api-my-certificate-publish", world.code)
    # Without the token the cookie does not count (edx-drf-extensions "forgives" the failed cookie
    # and lets the next authentication try, here none): refused as unauthenticated, nothing changed.
    refused = client.post(url, {"public": True}, format="json", HTTP_USE_JWT_COOKIE="true")
    assert refused.status_code == 401
    assert refused.json()["error"]
    assert api.certificate_by_code(world.code).is_public is False
    client.cookies["csrftoken"] = "B" * 32
    accepted = client.post(url, {"public": True}, format="json", HTTP_USE_JWT_COOKIE="true",
                           HTTP_X_CSRFTOKEN="B" * 32)
    assert accepted.status_code == 200, accepted.json()
    assert api.certificate_by_code(world.code).is_public is True


@pytest.mark.parametrize("header", ["JWT not.a.token", "Bearer not.a.token", "JWT"])
def test_a_bad_jwt_is_refused_not_an_error(world, header):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    response = client.get(_url("api-my-certificates"))
    assert response.status_code == 401
    assert response.json()["error"]


def test_session_posts_need_the_csrf_token(world):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(world.owner)
    url = _url("api-my-certificate-publish", world.code)
    refused = client.post(url, {"public": True}, format="json")
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["error"]
    assert api.certificate_by_code(world.code).is_public is False

    client.cookies["csrftoken"] = "A" * 32
    accepted = client.post(url, {"public": True}, format="json", HTTP_X_CSRFTOKEN="A" * 32)
    assert accepted.status_code == 200
    assert accepted.json()["is_public"] is True


def test_a_wrong_method_or_body_type_is_a_json_error(world):
    client = world.client("owner")
    wrong_method = client.get(_url("api-my-certificate-publish", world.code))
    assert wrong_method.status_code == 405
    assert wrong_method.json()["error"]
    form = client.post(_url("api-my-certificate-publish", world.code), {"public": "true"})
    assert form.status_code == 415
    assert form.json()["error"]


# ----------------------------------------------------------------------------- the learner


def test_my_certificates_lists_earned_and_in_progress_courses(world, lms):
    body = world.client("owner").get(_url("api-my-certificates")).json()
    [row] = body
    assert row["course_key"] == world.key
    assert row["course_title"] == "Python for Data Analysis"
    assert row["status"] == "issued"
    assert row["percent"] == 100
    assert row["profile_name"] == ""
    assert row["reissue_requested"] is False
    certificate = row["certificate"]
    assert certificate["code"] == world.code
    assert certificate["status"] == "issued"
    assert certificate["learner_name"] == "Amelia Okafor"
    assert certificate["is_public"] is False
    assert certificate["expires_at"] is None
    assert certificate["issued_at"].endswith("Z")
    assert certificate["urls"] == {
        "page": f"http://testserver/certs/{world.code}/",
        "pdf": f"http://testserver/certs/{world.code}.pdf",
        "png": f"http://testserver/certs/{world.code}.png",
        "verify": api.verify_url(world.code),
        "credential": f"http://testserver/certs/{world.code}/credential.json",
    }

    lms.complete(world.other, lms.lessons(world.course)[0])
    [progress] = world.client("other").get(_url("api-my-certificates")).json()
    assert progress["status"] == "in_progress"
    assert progress["certificate"] is None
    assert progress["percent"] < 100
    assert {"key", "label", "met", "detail", "url"} <= set(progress["items"][0])
    lessons = next(item for item in progress["items"] if item["key"] == "lessons")
    assert lessons["met"] is False
    assert lessons["detail"] == "1 of 3 lessons completed"
    assert progress["message"]


def test_a_name_change_shows_and_the_reissue_request_is_recorded(world):
    _rename(world.owner, "Amelia N. Okafor")
    client = world.client("owner")
    [row] = client.get(_url("api-my-certificates")).json()
    assert row["profile_name"] == "Amelia N. Okafor"

    response = client.post(_url("api-my-certificate-reissue-request", world.code))
    assert response.status_code == 200
    assert response.json()["status"] == "pending"
    assert response.json()["requested_name"] == "Amelia N. Okafor"
    assert response.json()["certificate"]["learner_name"] == "Amelia Okafor"
    [row] = client.get(_url("api-my-certificates")).json()
    assert row["reissue_requested"] is True


def test_a_reissue_request_is_done_at_once_when_the_site_allows_it(world, settings):
    settings.CERT_PLUGIN = {**settings.CERT_PLUGIN, "AUTO_REISSUE_ON_NAME_CHANGE": True}
    _rename(world.owner, "Amelia N. Okafor")
    body = world.client("owner").post(_url("api-my-certificate-reissue-request", world.code)).json()
    assert body["status"] == "reissued"
    assert body["certificate"]["learner_name"] == "Amelia N. Okafor"
    assert body["certificate"]["code"] == world.code
    assert body["certificate"]["revision"] == 2


def test_a_reissue_request_without_a_name_change_is_refused_with_the_reason(world):
    response = world.client("owner").post(_url("api-my-certificate-reissue-request", world.code))
    assert response.status_code == 400
    assert "already matches your profile" in response.json()["error"]


def test_publishing_opens_the_public_page_and_unpublishing_closes_it(world):
    page = _url("certificate", world.code)
    assert Client().get(page).status_code == 404
    assert APIClient().get(_url("api-my-certificate", world.code)).status_code == 404

    client = world.client("owner")
    published = client.post(_url("api-my-certificate-publish", world.code), {"public": True}, format="json")
    assert published.status_code == 200
    assert published.json()["is_public"] is True
    assert Client().get(page).status_code == 200
    public = APIClient().get(_url("api-my-certificate", world.code)).json()
    assert public["learner_name"] == "Amelia Okafor"
    assert public["grade"] is None  # for the owner and staff only

    hidden = client.post(_url("api-my-certificate-publish", world.code), {"public": False}, format="json")
    assert hidden.json()["is_public"] is False
    assert Client().get(page).status_code == 404


def test_publish_needs_a_boolean(world):
    response = world.client("owner").post(_url("api-my-certificate-publish", world.code), {}, format="json")
    assert response.status_code == 400
    assert response.json()["error"] == "public: This field is required."
    assert response.json()["field_errors"] == {"public": ["This field is required."]}


def test_a_revoked_certificate_cannot_be_published(world):
    api.revoke(world.certificate, reason="Plagiarism")
    response = world.client("owner").post(_url("api-my-certificate-publish", world.code), {"public": True},
                                          format="json")
    assert response.status_code == 400
    assert response.json() == {"error": "A revoked certificate cannot be published."}


def test_a_code_is_found_however_it_is_typed(world):
    typed = world.code.replace("-", " ").lower()
    response = world.client("owner").get(_url("api-my-certificate", typed))
    assert response.json()["code"] == world.code


def test_course_progress_is_the_callers_own(world, lms):
    lms.complete_all(world.other, world.course)
    body = world.client("other").get(_url("api-course-progress", world.key)).json()
    assert body["course_key"] == world.key
    assert body["user_id"] == world.other.pk
    assert body["status"] == "in_progress"
    assert body["eligible"] is False
    assert {item["key"]: item["met"] for item in body["items"]}["lessons"] is True
    assert body["certificate"] is None

    mine = world.client("owner").get(_url("api-course-progress", world.key)).json()
    assert mine["status"] == "issued"
    assert mine["certificate"]["code"] == world.code


def test_a_course_without_certificates_says_so(world, lms):
    from devhost.lms.models import Enrollment

    plain = lms.course(title="No certificate here")
    Enrollment.objects.create(user=world.owner, course=plain)  # progress answers the course's learners
    body = world.client("owner").get(_url("api-course-progress", str(plain.course_key))).json()
    assert body["status"] == "not_offered"
    assert body["message"] == "This course does not offer a certificate."


@pytest.mark.parametrize("name", ["api-course-progress", "api-course-learners"])
def test_a_malformed_course_key_is_a_json_404(world, name):
    response = world.client("staff").get(_url(name, "not-a-course-key"))
    assert response.status_code == 404
    assert "is not a valid course key" in response.json()["error"]


@pytest.mark.parametrize(("name", "args", "body"), [
    ("api-learner-approve", (1,), {}),
    ("api-course-jobs", (), {"kind": "backfill"}),
])
def test_staff_posts_with_a_malformed_course_key_are_a_json_404(world, name, args, body):
    response = world.client("staff").post(_url(name, "not-a-course-key", *args), body, format="json")
    assert response.status_code == 404
    assert response.json()["error"]


# ----------------------------------------------------------------------------- course staff


def test_staff_see_a_page_of_learners_with_counts_search_and_filter(world, lms):
    client = world.client("staff")
    body = client.get(_url("api-course-learners", world.key)).json()
    assert body["count"] == 2
    assert body["page"] == 1
    assert body["pages"] == 1
    assert body["counts"]["all"] == 2
    assert body["counts"]["issued"] == 1
    assert body["counts"]["in_progress"] == 1
    rows = {row["username"]: row for row in body["results"]}
    owner = rows[world.owner.username]
    assert owner["user_id"] == world.owner.pk
    assert owner["status"] == "issued"
    assert owner["certificate"]["code"] == world.code
    other = rows[world.other.username]
    assert other["status"] == "in_progress"
    assert other["certificate"] is None
    assert other["progress"]["items"]

    found = client.get(_url("api-course-learners", world.key), {"search": "Amelia"}).json()
    assert [row["username"] for row in found["results"]] == [world.owner.username]
    filtered = client.get(_url("api-course-learners", world.key), {"status": "in_progress"}).json()
    assert [row["username"] for row in filtered["results"]] == [world.other.username]

    paged = client.get(_url("api-course-learners", world.key), {"page_size": 1, "page": 2}).json()
    assert (paged["count"], paged["page"], paged["pages"], len(paged["results"])) == (2, 2, 2, 1)


def test_an_unknown_status_filter_is_a_400(world):
    response = world.client("staff").get(_url("api-course-learners", world.key), {"status": "golden"})
    assert response.status_code == 400
    assert response.json()["field_errors"]["status"]


def test_staff_approval_issues_the_certificate(lms):
    course = lms.course(title="Safety Officer Certification")
    api.configure_course(course.course_key, requires_approval=True)
    learner = lms.learner(course, name="Layla Haddad")
    staff = lms.staff(course)
    lms.complete_all(learner, course)
    lms.pass_all_quizzes(learner, course)
    client = APIClient()
    client.force_login(staff)
    key = str(course.course_key)

    waiting = client.get(_url("api-course-learners", key), {"status": "pending_approval"}).json()
    assert [row["user_id"] for row in waiting["results"]] == [learner.pk]

    response = client.post(_url("api-learner-approve", key, learner.pk), {"reason": "Portfolio reviewed"},
                           format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["user_id"] == learner.pk
    assert body["status"] == "issued"
    code = body["certificate"]["code"]

    mine = APIClient()
    mine.force_login(learner)
    [row] = mine.get(_url("api-my-certificates")).json()
    assert row["status"] == "issued"
    assert row["certificate"]["code"] == code
    assert APIClient().get(_url("api-verify", code)).json()["status"] == "valid"


def test_staff_rejection_is_what_the_learner_then_sees(lms):
    course = lms.course()
    api.configure_course(course.course_key, requires_approval=True)
    learner = lms.learner(course)
    staff = lms.staff(course)
    lms.complete_all(learner, course)
    lms.pass_all_quizzes(learner, course)
    client = APIClient()
    client.force_login(staff)
    response = client.post(_url("api-learner-reject", str(course.course_key), learner.pk),
                           {"reason": "Project 2 is missing"}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] != "issued"
    assert response.json()["certificate"] is None
    mine = APIClient()
    mine.force_login(learner)
    [row] = mine.get(_url("api-my-certificates")).json()
    approval = next(item for item in row["items"] if item["key"] == "approval")
    assert approval["met"] is False


def test_staff_record_an_additional_requirement(world):
    client = world.client("staff")
    url = _url("api-learner-requirement", world.key, world.other.pk, "workshop")
    response = client.post(url, {"met": True}, format="json")
    assert response.status_code == 200
    items = {item["key"]: item["met"] for item in response.json()["items"]}
    assert items["req:workshop"] is True
    mine = world.client("other").get(_url("api-course-progress", world.key)).json()
    assert {item["key"]: item["met"] for item in mine["items"]}["req:workshop"] is True

    url = _url("api-learner-requirement", world.key, world.other.pk, "swimming")
    unknown = client.post(url, {"met": True}, format="json")
    assert unknown.status_code == 400
    assert "no additional requirement 'swimming'" in unknown.json()["error"]


def test_learner_actions_need_an_enrolled_learner(world):
    response = world.client("staff").post(_url("api-learner-approve", world.key, world.other_staff.pk), {},
                                          format="json")
    assert response.status_code == 404
    assert response.json()["error"] == "No learner with this id is enrolled in this course."


def test_revoking_needs_a_reason_and_then_verify_says_revoked(world):
    client = world.client("staff")
    url = _url("api-certificate-revoke", world.code)
    refused = client.post(url, {}, format="json")
    assert refused.status_code == 400
    assert refused.json() == {
        "error": "Say why the certificate is revoked; the reason is kept in the audit trail."}
    assert APIClient().get(_url("api-verify", world.code)).json()["status"] == "valid"

    revoked = client.post(url, {"reason": "Assessment not completed", "publish_reason": True}, format="json")
    assert revoked.status_code == 200
    assert revoked.json()["status"] == "revoked"
    assert revoked.json()["revoke_reason"] == "Assessment not completed"
    assert revoked.json()["revoked_at"]
    verified = APIClient().get(_url("api-verify", world.code)).json()
    assert verified["status"] == "revoked"
    assert verified["revoke_reason"] == "Assessment not completed"


def test_an_unpublished_revoke_reason_stays_with_staff(world):
    world.client("staff").post(_url("api-certificate-revoke", world.code), {"reason": "Internal matter"},
                               format="json")
    assert world.client("owner").get(_url("api-my-certificate", world.code)).json()["revoke_reason"] == ""
    assert world.client("staff").get(_url("api-my-certificate", world.code)).json()["revoke_reason"] == (
        "Internal matter")


def test_staff_reissue_keeps_the_code_and_prints_the_new_name(world):
    _rename(world.owner, "Amelia N. Okafor")
    response = world.client("staff").post(_url("api-certificate-reissue", world.code), {}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["code"] == world.code
    assert body["learner_name"] == "Amelia N. Okafor"
    assert body["revision"] == 2

    api.revoke(api.certificate_by_code(world.code), reason="Plagiarism")
    refused = world.client("staff").post(_url("api-certificate-reissue", world.code), {}, format="json")
    assert refused.status_code == 400
    assert "revoked certificate cannot be reissued" in refused.json()["error"]


def test_a_job_starts_with_202_and_runs_to_the_end(world):
    _rename(world.owner, "Amelia N. Okafor")
    client = world.client("staff")
    response = client.post(_url("api-course-jobs", world.key), {"kind": "reissue_all"}, format="json")
    assert response.status_code == 202
    started = response.json()
    assert started["kind"] == "reissue_all"
    assert started["course_key"] == world.key
    assert response["Location"] == started["url"]

    job = client.get(started["url"]).json()
    assert job["id"] == started["id"]
    assert job["state"] == "done"
    assert job["percent"] == 100
    assert job["result"] == {"certificates": 1, "reissued": 1, "unchanged": 0, "failed": 0}
    assert job["finished_at"]
    certificate = world.client("owner").get(_url("api-my-certificate", world.code)).json()
    assert certificate["learner_name"] == "Amelia N. Okafor"


def test_a_backfill_job_counts_the_learners(world):
    client = world.client("staff")
    started = client.post(_url("api-course-jobs", world.key), {"kind": "backfill"}, format="json").json()
    job = client.get(started["url"]).json()
    assert job["state"] == "done"
    assert job["result"]["learners"] == 2
    assert job["result"]["already_issued"] == 1


def test_an_unknown_job_kind_is_a_400(world):
    url = _url("api-course-jobs", world.key)
    response = world.client("staff").post(url, {"kind": "explode"}, format="json")
    assert response.status_code == 400
    assert response.json()["field_errors"]["kind"]


def test_an_unknown_job_is_a_404(world):
    response = world.client("staff").get(_url("api-job", world.job_id + 1000))
    assert response.status_code == 404
    assert response.json() == {"error": "No such job."}


def test_answers_are_not_cached(world):
    response = world.client("owner").get(_url("api-my-certificates"))
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]
