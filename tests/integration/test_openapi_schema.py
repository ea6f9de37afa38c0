"""The OpenAPI 3 schema of REST API v1: served to anyone, valid, complete, and true.

"True" means real answers of the API validate against the components the
schema documents for them (with ``$ref`` resolved and OpenAPI's ``nullable``
read as JSON Schema's ``null``).
"""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import jsonschema
import pytest
import yaml
from django.conf import settings as django_settings
from django.urls import reverse
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.validation import validate_schema
from rest_framework.settings import api_settings
from rest_framework.test import APIClient

from cert_plugin import api

PREFIX = "/certs/api/v1"

DOCUMENTED = {
    ("get", "/me/certificates/"),
    ("get", "/me/certificates/{code}/"),
    ("post", "/me/certificates/{code}/publish/"),
    ("post", "/me/certificates/{code}/reissue-request/"),
    ("get", "/courses/{course_key}/progress/"),
    ("post", "/courses/{course_key}/review-request/"),
    ("post", "/courses/{course_key}/recertify/"),
    ("get", "/courses/{course_key}/learners/"),
    ("post", "/courses/{course_key}/learners/{user_id}/approve/"),
    ("post", "/courses/{course_key}/learners/{user_id}/reject/"),
    ("post", "/courses/{course_key}/learners/{user_id}/requirements/{requirement}/"),
    ("post", "/certificates/{code}/revoke/"),
    ("post", "/certificates/{code}/reissue/"),
    ("post", "/courses/{course_key}/jobs/"),
    ("get", "/jobs/{job_id}/"),
    ("get", "/verify/{code}/"),
    ("post", "/verify/file/"),
    ("get", "/schema/"),
}


@pytest.fixture
def schema(db) -> dict[str, Any]:
    response = APIClient().get(reverse("cert_plugin:api-schema"))
    assert response.status_code == 200
    return response.json()


def _json_schema(document: dict[str, Any], component: str, *, many: bool = False) -> dict[str, Any]:
    """A JSON Schema (2020-12) for one component, its ``$ref``s resolvable inside it."""
    ref: dict[str, Any] = {"$ref": f"#/components/schemas/{component}"}
    root = {"type": "array", "items": ref} if many else dict(ref)
    root["components"] = {"schemas": _nullable_as_null(copy.deepcopy(document["components"]["schemas"]))}
    return root


def _nullable_as_null(node: Any) -> Any:
    """OpenAPI 3.0's ``nullable: true`` -> JSON Schema's ``null`` (which jsonschema understands)."""
    if isinstance(node, list):
        return [_nullable_as_null(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _nullable_as_null(value) for key, value in node.items()}
    if node.pop("nullable", False):
        return {"anyOf": [node, {"type": "null"}]}
    return node


def _check(document: dict[str, Any], component: str, instance: Any, *, many: bool = False) -> None:
    jsonschema.Draft202012Validator(_json_schema(document, component, many=many)).validate(instance)


def test_the_schema_is_served_to_anyone_as_json_and_yaml(db):
    response = APIClient().get(reverse("cert_plugin:api-schema"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.oai.openapi+json")
    assert response.json()["openapi"].startswith("3.")

    as_yaml = APIClient().get(reverse("cert_plugin:api-schema"), {"format": "yaml"})
    assert as_yaml.status_code == 200
    assert yaml.safe_load(as_yaml.content) == response.json()


def test_the_schema_is_valid_openapi_3_and_generated_without_warnings(db):
    GENERATOR_STATS.reset()
    document = APIClient().get(reverse("cert_plugin:api-schema")).json()
    assert not GENERATOR_STATS, "drf-spectacular warned while generating the schema (see stderr)"
    validate_schema(document)
    assert document["info"]["title"] == "cert_plugin REST API"


def test_the_schema_documents_every_endpoint_and_only_ours(schema):
    operations = {(method, path.removeprefix(PREFIX)) for path, item in schema["paths"].items()
                  for method in item}
    assert operations == DOCUMENTED
    assert all(path.startswith(PREFIX + "/") for path in schema["paths"])


def test_the_schema_documents_authentication(schema):
    schemes = schema["components"]["securitySchemes"]
    assert schemes["cookieAuth"] == {"type": "apiKey", "in": "cookie", "name": "sessionid"}
    assert schemes["jwtAuth"]["name"] == "Authorization"
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            names = {name for requirement in operation.get("security", [{}]) for name in requirement}
            if path.endswith(("/schema/", "/verify/{code}/", "/verify/file/")):
                assert names <= {""} or not names, f"{method} {path} should be public"
            else:
                assert {"jwtAuth", "cookieAuth"} <= names, f"{method} {path}"


def test_it_needs_no_installed_app_and_leaves_drf_defaults_alone():
    assert "drf_spectacular" not in django_settings.INSTALLED_APPS
    assert api_settings.DEFAULT_SCHEMA_CLASS.__module__ == "rest_framework.schemas.openapi"


def test_my_certificates_answers_as_documented(lms, schema):
    course = lms.course()
    api.configure_course(course.course_key, validity_days=365)
    owner = lms.learner(course)
    api.issue(owner, course.course_key, reason="test")
    other_course = lms.course(title="Safety Officer Certification")
    api.configure_course(other_course.course_key, requires_approval=True)
    _enroll(other_course, owner)
    client = APIClient()
    client.force_login(owner)

    body = client.get(reverse("cert_plugin:api-my-certificates")).json()
    assert {row["status"] for row in body} == {"issued", "in_progress"}  # a certificate and a null one
    operation = schema["paths"][f"{PREFIX}/me/certificates/"]["get"]
    documented = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert documented == {"type": "array", "items": {"$ref": "#/components/schemas/CourseStatus"}}
    _check(schema, "CourseStatus", body, many=True)

    with pytest.raises(jsonschema.ValidationError):  # the check has teeth
        _check(schema, "CourseStatus", [{**body[0], "percent": "full"}], many=True)


def _enroll(course, user) -> None:
    from devhost.lms.models import Enrollment

    Enrollment.objects.create(user=user, course=course)


def test_staff_answers_and_errors_answer_as_documented(lms, schema):
    course = lms.course()
    api.configure_course(course.course_key)
    owner = lms.learner(course)
    other = lms.learner(course, name="Kenji Watanabe")
    certificate = api.issue(owner, course.course_key, reason="test")
    staff = lms.staff(course)
    client = APIClient()
    client.force_login(staff)
    key = str(course.course_key)

    _check(schema, "LearnerPage", client.get(reverse("cert_plugin:api-course-learners", args=[key])).json())
    job = client.post(reverse("cert_plugin:api-course-jobs", args=[key]), {"kind": "backfill"}, format="json")
    _check(schema, "Job", job.json())
    rejected = client.post(reverse("cert_plugin:api-learner-reject", args=[key, other.pk]), {}, format="json")
    _check(schema, "CourseProgress", rejected.json())
    too_late = client.post(reverse("cert_plugin:api-learner-reject", args=[key, owner.pk]), {}, format="json")
    assert too_late.status_code == 400  # issued already: revoke it instead
    _check(schema, "Error", too_late.json())
    revoked = client.post(reverse("cert_plugin:api-certificate-revoke", args=[certificate.formatted_code]),
                          {"reason": "Plagiarism"}, format="json")
    _check(schema, "Certificate", revoked.json())
    _check(schema, "Verification",
           APIClient().get(reverse("cert_plugin:api-verify", args=[certificate.formatted_code])).json())

    refused = client.post(reverse("cert_plugin:api-course-jobs", args=[key]), {"kind": "x"}, format="json")
    _check(schema, "Error", refused.json())
    _check(schema, "Error", APIClient().get(reverse("cert_plugin:api-my-certificates")).json())


def test_a_refusal_and_a_recertification_answer_as_documented(lms, schema, time_machine):
    course = lms.course()
    api.configure_course(course.course_key, requires_approval=True, validity_days=30)
    staff = lms.staff(course)
    refused, expired = lms.learner(course), lms.learner(course, name="Kenji Watanabe")
    for learner in (refused, expired):
        lms.complete_all(learner, course)
        lms.pass_all_quizzes(learner, course)
    api.reject(refused, course.course_key, by=staff, reason="Attendance below 80%")
    certificate = api.approve(expired, course.course_key, by=staff)
    time_machine.move_to(certificate.expires_at + dt.timedelta(days=1))
    key = str(course.course_key)

    for learner in (refused, expired):
        client = APIClient()
        client.force_login(learner)
        progress = client.get(reverse("cert_plugin:api-course-progress", args=[key])).json()
        _check(schema, "CourseProgress", progress)
        overview = client.get(reverse("cert_plugin:api-my-certificates")).json()
        _check(schema, "CourseStatus", overview, many=True)
        asked = client.post(reverse("cert_plugin:api-course-review-request", args=[key]), {}, format="json")
        _check(schema, "CourseProgress" if learner == refused else "Error", asked.json())
        _check(schema, "CourseProgress",
               client.post(reverse("cert_plugin:api-course-recertify", args=[key]), format="json").json())
    assert progress["recertification"]["expired_code"] == certificate.formatted_code
    with pytest.raises(jsonschema.ValidationError):  # the check has teeth
        _check(schema, "CourseProgress", {**progress, "recertification": {"remaining": "approval"}})
