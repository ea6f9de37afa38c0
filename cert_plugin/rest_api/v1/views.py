"""Views of REST API v1 (``/certs/api/v1/``, names in the ``cert_plugin`` namespace).

Thin: each view checks who may act, validates the body with its serializer,
calls :mod:`cert_plugin.api` and serializes the answer. Authentication is
described in :mod:`.authentication`, permissions in :mod:`.permissions`; the
OpenAPI schema (``api-schema``) is generated from these views.

Errors (except ``api-verify``, which keeps its public contract) are
``{"error": "<one sentence>"}``: 400 when the api refuses
(``CertPluginError``) or the body is invalid (then also ``field_errors``),
401 without credentials, 403 when not allowed, 404 when not there or not
yours to see. Responses are ``Cache-Control: private, no-store``.
"""

from __future__ import annotations

from typing import Any

from django.urls import include, path, reverse
from django.urls.base import get_script_prefix
from django.utils.cache import patch_cache_control
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.renderers import OpenApiJsonRenderer, OpenApiYamlRenderer
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from drf_spectacular.views import SpectacularAPIView
from opaque_keys.edx.keys import CourseKey
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, ParseError, PermissionDenied, ValidationError
from rest_framework.parsers import JSONParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cert_plugin import __version__, api
from cert_plugin.rest_api.v1 import serializers as s
from cert_plugin.rest_api.v1.authentication import authentication_classes
from cert_plugin.rest_api.v1.permissions import (
    IsCertificateOwner,
    IsCourseStaff,
    IsStaffOfObjectCourse,
    course_key_of,
)

__all__ = [
    "ApproveView",
    "CertificateReissueView",
    "CertificateRevokeView",
    "CourseJobsView",
    "CourseLearnersView",
    "CourseProgressView",
    "CourseRecertifyView",
    "CourseReviewRequestView",
    "JobView",
    "MyCertificateView",
    "MyCertificatesView",
    "PublishView",
    "ReissueRequestView",
    "RejectView",
    "RequirementView",
    "SchemaView",
]

_NO_STORE = {"Cache-Control": "no-store"}
_NO_COURSE = "No such course, or you are not enrolled in it."

# --------------------------------------------------------------------------- schema pieces

_ERRORS = {
    400: OpenApiResponse(s.ErrorSerializer, description="Refused by the api, or an invalid body."),
    401: OpenApiResponse(s.ErrorSerializer, description="No credentials."),
    403: OpenApiResponse(s.ErrorSerializer, description="Not allowed (or no CSRF token with a session)."),
    404: OpenApiResponse(s.ErrorSerializer, description="Not there, or not yours to see."),
}


def _errors(*codes: int) -> dict[int, OpenApiResponse]:
    return {code: _ERRORS[code] for code in codes}


_CODE = OpenApiParameter("code", str, OpenApiParameter.PATH,
                         description="Verification code, as printed (XXXX-XXXX-XXXX-XXXX) or typed.")
_COURSE = OpenApiParameter("course_key", str, OpenApiParameter.PATH,
                           description="Course key, e.g. course-v1:Org+Course+Run.")
_USER = OpenApiParameter("user_id", int, OpenApiParameter.PATH, description="The learner's user id.")


# --------------------------------------------------------------------------- base


class _Schema(AutoSchema):
    """drf-spectacular's inspector, with the operation id each view names (``operation_id``).

    Set on every view of this API, so the host's ``DEFAULT_SCHEMA_CLASS`` stays as it is.
    """

    def get_operation_id(self) -> str:
        return str(getattr(self.view, "operation_id", "") or super().get_operation_id())


Schema, NO_STORE, CODE = _Schema, _NO_STORE, _CODE  # for this API's other view modules (verify*.py)

_MAX_JSON_DEPTH = 16  # no body of this API nests more than 2 levels


def _too_deep_or_nul(data: Any) -> str:
    """Why a parsed body is refused (nesting, NUL characters), or ""; iterative, so never recursing."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > _MAX_JSON_DEPTH:
            return f"JSON nested more than {_MAX_JSON_DEPTH} levels deep."
        if isinstance(value, str) and "\x00" in value:
            return "Text may not contain NUL characters."
        if isinstance(value, dict):
            stack.extend((item, depth + 1) for item in value.values())
            stack.extend((item, depth) for item in value)
        elif isinstance(value, list):
            stack.extend((item, depth + 1) for item in value)
    return ""


class _JSONParser(JSONParser):
    """JSON, refused with a 400 when it nests too deeply (a RecursionError otherwise) or holds NUL."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(f"JSON nested more than {_MAX_JSON_DEPTH} levels deep.") from None
        problem = _too_deep_or_nul(data)
        if problem:
            raise ParseError(problem)
        return data


class _ApiView(APIView):
    """Session (CSRF) and, in Open edX, JWT; JSON in and out; errors as ``{"error": ...}``."""

    authentication_classes = authentication_classes()
    permission_classes = [IsAuthenticated]
    renderer_classes = [JSONRenderer]
    parser_classes = [_JSONParser]
    throttle_classes: list[type] = []
    schema = _Schema()

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, api.CertPluginError):
            return Response({"error": str(exc)}, status=status.HTTP_400_BAD_REQUEST)
        response: Response = super().handle_exception(exc)
        data = response.data
        if isinstance(exc, ValidationError):
            fields = data if isinstance(data, dict) else {"non_field_errors": data}
            response.data = {"error": _first_message(fields), "field_errors": fields}
        elif isinstance(data, dict) and "detail" in data:
            response.data = {"error": str(data["detail"])}
        return response

    def finalize_response(self, request: Request, response: Any, *args: Any, **kwargs: Any) -> Any:
        response = super().finalize_response(request, response, *args, **kwargs)
        patch_cache_control(response, private=True, no_store=True)  # per-user answers
        return response

    def visible_certificate(self, request: Request, code: str) -> Any:
        """The certificate if the caller may see it; the same 404 as an unknown code otherwise."""
        certificate = api.certificate_by_code(code)
        if certificate is None or not api.can_view(request.user, certificate):
            raise NotFound("No certificate with this code is available to you.")
        return certificate

    def context(self) -> dict[str, Any]:
        return {"request": self.request}


def _first_message(errors: Any) -> str:
    """The first message of DRF's nested validation errors, named after its field."""
    if isinstance(errors, dict):
        for name, value in errors.items():
            message = _first_message(value)
            return message if name == "non_field_errors" else f"{name}: {message}"
    if isinstance(errors, list) and errors:
        return _first_message(errors[0])
    return str(errors) or "Invalid input."


def _body(serializer_class: type[serializers.Serializer], request: Request) -> dict[str, Any]:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _enrolled_learner(course_key: CourseKey, user_id: int) -> Any:
    """The enrolled learner with this id, or 404."""
    user = api.course_learner(course_key, user_id)
    if user is None:
        raise NotFound("No learner with this id is enrolled in this course.")
    return user


def _progress(user: Any, course_key: CourseKey, progress: Any, request: Request) -> Response:
    row = s.CourseProgress(course_key=str(course_key), user_id=user.pk, progress=progress)
    return Response(s.CourseProgressSerializer(row, context={"request": request}).data)


# --------------------------------------------------------------------------- learner


@extend_schema(tags=["learner"],
               summary="My certificates: every course that offers (or gave) one, earned first",
               responses={200: s.CourseStatusSerializer(many=True), **_errors(401, 403)})
class MyCertificatesView(_ApiView):
    """``GET me/certificates/``: the learner's courses with status, progress and certificate."""

    operation_id = "my_certificates"
    def get(self, request: Request) -> Response:
        overview = api.learner_overview(request.user)
        return Response(s.CourseStatusSerializer(overview, many=True, context=self.context()).data)


@extend_schema(tags=["learner"], parameters=[_CODE],
               summary="One certificate: its owner, the course's staff, or anyone once it is public",
               responses={200: s.CertificateSerializer, **_errors(404)})
class MyCertificateView(_ApiView):
    """``GET me/certificates/<code>/``: one certificate (owner, course staff, or anyone when public)."""

    operation_id = "my_certificate"
    permission_classes = [AllowAny]

    def get(self, request: Request, code: str) -> Response:
        certificate = self.visible_certificate(request, code)
        return Response(s.CertificateSerializer(certificate, context=self.context()).data)


@extend_schema(tags=["learner"], parameters=[_CODE],
               summary="Show the certificate on the learner's public profile, or hide it (owner only)",
               request=s.PublishRequestSerializer,
               responses={200: s.CertificateSerializer, **_errors(400, 401, 403, 404)})
class PublishView(_ApiView):
    """``POST me/certificates/<code>/publish/`` ``{"public": bool}``: the owner shows or hides it."""

    operation_id = "my_certificate_publish"
    permission_classes = [IsAuthenticated, IsCertificateOwner]

    def post(self, request: Request, code: str) -> Response:
        certificate = self.visible_certificate(request, code)
        self.check_object_permissions(request, certificate)
        body = _body(s.PublishRequestSerializer, request)
        certificate = api.set_public(certificate, body["public"], by=request.user)
        return Response(s.CertificateSerializer(certificate, context=self.context()).data)


@extend_schema(tags=["learner"], parameters=[_CODE],
               summary="Ask for the certificate with the corrected profile name (owner only)",
               request=None,
               responses={200: s.ReissueRequestResultSerializer, **_errors(400, 401, 403, 404)})
class ReissueRequestView(_ApiView):
    """``POST me/certificates/<code>/reissue-request/``: reprint with the corrected profile name."""

    operation_id = "my_certificate_reissue_request"
    permission_classes = [IsAuthenticated, IsCertificateOwner]

    def post(self, request: Request, code: str) -> Response:
        certificate = self.visible_certificate(request, code)
        self.check_object_permissions(request, certificate)
        outcome = api.request_reissue(certificate, by=request.user)
        if hasattr(outcome, "requested_name"):  # a ReissueRequest: staff decide
            result = s.ReissueRequestResult(status="pending", requested_name=outcome.requested_name,
                                            certificate=certificate)
        else:  # AUTO_REISSUE_ON_NAME_CHANGE: reissued at once
            result = s.ReissueRequestResult(status="reissued", requested_name=outcome.learner_name,
                                            certificate=outcome)
        return Response(s.ReissueRequestResultSerializer(result, context=self.context()).data)


@extend_schema(tags=["learner"], parameters=[_COURSE],
               summary="The caller's certification progress in a course",
               responses={200: s.CourseProgressSerializer, **_errors(401, 403, 404)})
class CourseProgressView(_ApiView):
    """``GET courses/<course_key>/progress/``: the caller's own progress (the MFE progress tab)."""

    operation_id = "course_progress"
    def get(self, request: Request, course_key: str) -> Response:
        key = course_key_of(self)
        # Only the course's learners and staff: anyone else gets the answer of an unknown course.
        if not (api.get_host().is_course_staff(request.user, key)
                or api.course_learner(key, request.user.pk) is not None):
            raise NotFound(_NO_COURSE)
        try:
            progress = api.get_progress(request.user, key)
        except api.UnknownCourse:
            raise NotFound(_NO_COURSE) from None
        return _progress(request.user, key, progress, request)


def _own_course(request: Request, view: APIView) -> CourseKey:
    """The course of the URL when the caller is enrolled in it; the 404 of an unknown course otherwise."""
    key = course_key_of(view)
    if api.course_learner(key, request.user.pk) is None:
        raise NotFound(_NO_COURSE)
    return key


@extend_schema(tags=["learner"], parameters=[_COURSE], request=s.ReviewRequestSerializer,
               summary="Ask the course staff to reconsider their refusal (asking again changes nothing)",
               responses={200: s.CourseProgressSerializer, **_errors(400, 401, 403, 404)})
class CourseReviewRequestView(_ApiView):
    """``POST courses/<course_key>/review-request/`` ``{"message"}``: a refused learner asks for a review.

    400 when no refusal stands (staff never refused, or decided again since).
    """

    operation_id = "course_review_request"
    def post(self, request: Request, course_key: str) -> Response:
        key = _own_course(request, self)
        body = _body(s.ReviewRequestSerializer, request)
        api.request_review(request.user, key, message=body["message"])
        return _progress(request.user, key, api.get_progress(request.user, key), request)


@extend_schema(tags=["learner"], parameters=[_COURSE], request=None,
               summary="Recertify: the new certificate, when the learner meets every requirement again",
               responses={200: s.CourseProgressSerializer, **_errors(400, 401, 403, 404)})
class CourseRecertifyView(_ApiView):
    """``POST courses/<course_key>/recertify/``: issue the new certificate if the learner qualifies now.

    Answers the progress either way: ``status`` "issued" with the new certificate, or
    the same ``recertification.remaining`` as before.
    """

    operation_id = "course_recertify"
    def post(self, request: Request, course_key: str) -> Response:
        key = _own_course(request, self)
        try:
            api.evaluate(request.user, key)
            progress = api.get_progress(request.user, key)
        except api.UnknownCourse:
            raise NotFound(_NO_COURSE) from None
        return _progress(request.user, key, progress, request)


# --------------------------------------------------------------------------- staff


@extend_schema(tags=["staff"], parameters=[_COURSE, s.LearnersQuerySerializer],
               summary="A page of the course's learners and their certification status",
               responses={200: s.LearnerPageSerializer, **_errors(400, 401, 403, 404)})
class CourseLearnersView(_ApiView):
    """``GET courses/<course_key>/learners/``: a page of learners with their status (course staff)."""

    operation_id = "course_learners"
    permission_classes = [IsAuthenticated, IsCourseStaff]

    def get(self, request: Request, course_key: str) -> Response:
        query = s.LearnersQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        options = query.validated_data
        page = api.course_learners(course_key_of(self), search=options["search"], status=options["status"],
                                   page=options["page"], per_page=options["page_size"])
        return Response(s.LearnerPageSerializer(page, context=self.context()).data)


class _LearnerActionView(_ApiView):
    permission_classes = [IsAuthenticated, IsCourseStaff]


_LEARNER_ACTION: dict[str, Any] = {"tags": ["staff"], "parameters": [_COURSE, _USER],
                   "responses": {200: s.CourseProgressSerializer, **_errors(400, 401, 403, 404)}}


@extend_schema(request=s.ReasonRequestSerializer,
               summary="Approve the learner's certificate (issued when everything else is met)",
               **_LEARNER_ACTION)
class ApproveView(_LearnerActionView):
    """``POST courses/<course_key>/learners/<user_id>/approve/``: approve; issues when all else is met."""

    operation_id = "learner_approve"
    def post(self, request: Request, course_key: str, user_id: int) -> Response:
        key = course_key_of(self)
        learner = _enrolled_learner(key, user_id)
        body = _body(s.ReasonRequestSerializer, request)
        api.approve(learner, key, by=request.user, reason=body["reason"])
        return _progress(learner, key, api.get_progress(learner, key), request)


@extend_schema(request=s.ReasonRequestSerializer,
               summary="Do not approve the learner's certificate (the learner sees the reason)",
               **_LEARNER_ACTION)
class RejectView(_LearnerActionView):
    """``POST courses/<course_key>/learners/<user_id>/reject/`` ``{"reason"}``: the learner sees it."""

    operation_id = "learner_reject"
    def post(self, request: Request, course_key: str, user_id: int) -> Response:
        key = course_key_of(self)
        learner = _enrolled_learner(key, user_id)
        body = _body(s.ReasonRequestSerializer, request)
        progress = api.reject(learner, key, by=request.user, reason=body["reason"])
        return _progress(learner, key, progress, request)


@extend_schema(request=s.RequirementRequestSerializer,
               summary="Record whether the learner met an additional requirement (attendance, project...)",
               tags=["staff"],
               parameters=[_COURSE, _USER,
                           OpenApiParameter("requirement", str, OpenApiParameter.PATH,
                                            description="The additional requirement's key.")],
               responses=_LEARNER_ACTION["responses"])
class RequirementView(_LearnerActionView):
    """``POST courses/<course_key>/learners/<user_id>/requirements/<key>/`` ``{"met": bool}``."""

    operation_id = "learner_requirement"
    def post(self, request: Request, course_key: str, user_id: int, requirement: str) -> Response:
        key = course_key_of(self)
        learner = _enrolled_learner(key, user_id)
        body = _body(s.RequirementRequestSerializer, request)
        progress = api.mark_requirement_met(learner, key, requirement, by=request.user, met=body["met"],
                                            reason=body["reason"])
        return _progress(learner, key, progress, request)


@extend_schema(tags=["staff"], parameters=[_CODE],
               summary="Revoke a certificate; it then verifies as revoked (a reason is required)",
               request=s.RevokeRequestSerializer,
               responses={200: s.CertificateSerializer, **_errors(400, 401, 403, 404)})
class CertificateRevokeView(_ApiView):
    """``POST certificates/<code>/revoke/`` ``{"reason", "publish_reason"}`` (course staff)."""

    operation_id = "certificate_revoke"
    permission_classes = [IsAuthenticated, IsStaffOfObjectCourse]

    def post(self, request: Request, code: str) -> Response:
        certificate = self.visible_certificate(request, code)
        self.check_object_permissions(request, certificate)
        body = _body(s.RevokeRequestSerializer, request)
        certificate = api.revoke(certificate, reason=body["reason"], by=request.user,
                                 publish_reason=body["publish_reason"])
        return Response(s.CertificateSerializer(certificate, context=self.context()).data)


@extend_schema(tags=["staff"], parameters=[_CODE],
               summary="Reissue a certificate with the current name, title and template; same code",
               request=s.ReasonRequestSerializer,
               responses={200: s.CertificateSerializer, **_errors(400, 401, 403, 404)})
class CertificateReissueView(_ApiView):
    """``POST certificates/<code>/reissue/``: fresh name, title and template, same code (course staff)."""

    operation_id = "certificate_reissue"
    permission_classes = [IsAuthenticated, IsStaffOfObjectCourse]

    def post(self, request: Request, code: str) -> Response:
        certificate = self.visible_certificate(request, code)
        self.check_object_permissions(request, certificate)
        body = _body(s.ReasonRequestSerializer, request)
        certificate = api.reissue(certificate, by=request.user, reason=body["reason"])
        return Response(s.CertificateSerializer(certificate, context=self.context()).data)


@extend_schema(tags=["staff"], parameters=[_COURSE],
               summary="Start a course-wide job on the workers; watch it at its url",
               request=s.JobRequestSerializer,
               responses={202: s.JobSerializer, **_errors(400, 401, 403, 404)})
class CourseJobsView(_ApiView):
    """``POST courses/<course_key>/jobs/`` ``{"kind"}``: start a backfill or a reissue-all (course staff)."""

    operation_id = "course_job_start"
    permission_classes = [IsAuthenticated, IsCourseStaff]

    def post(self, request: Request, course_key: str) -> Response:
        key = course_key_of(self)
        body = _body(s.JobRequestSerializer, request)
        started = api.start_job(body["kind"], key, by=request.user)
        current = api.job(started.pk) or started  # without a broker it already ran
        data = s.JobSerializer(current, context=self.context()).data
        return Response(data, status=status.HTTP_202_ACCEPTED, headers={"Location": data["url"]})


@extend_schema(tags=["staff"],
               parameters=[OpenApiParameter("job_id", int, OpenApiParameter.PATH,
                                            description="The job's id.")],
               summary="A course-wide job's state and progress",
               responses={200: s.JobSerializer, **_errors(401, 403, 404)})
class JobView(_ApiView):
    """``GET jobs/<id>/``: a job's state and progress (staff of the job's course)."""

    operation_id = "job"
    permission_classes = [IsAuthenticated, IsStaffOfObjectCourse]

    def get(self, request: Request, job_id: int) -> Response:
        current = api.job(job_id)
        if current is None:
            raise NotFound("No such job.")
        try:
            self.check_object_permissions(request, current)
        except PermissionDenied:  # another course's job: the same answer as a missing one
            raise NotFound("No such job.") from None
        return Response(s.JobSerializer(current, context=self.context()).data)


# --------------------------------------------------------------------------- public


_DESCRIPTION = """\
The REST API of cert_plugin for MFEs and integrators.

**Authentication.** Inside Open edX: a JWT (`Authorization: JWT <token>`, or the
JWT cookies MFEs send) through edx-drf-extensions' `JwtAuthentication`; everywhere:
the LMS session (`SessionAuthentication`), with Django's CSRF token in the
`X-CSRFToken` header on POST. Without credentials the API answers 401 (403 in a
host without edx-drf-extensions). `verify` and this schema are public.

**Errors** are `{"error": "<one sentence>"}` (with `field_errors` for an invalid
body): 400 refused or invalid, 401 no credentials, 403 not allowed, 404 not there
or not yours to see (a certificate you may not see answers exactly like an unknown
code). `verify` keeps its own answers: `{"status": "not_found"}` and 429
`{"status": "rate_limited", "retry_after": N}`.
"""


@extend_schema(tags=["schema"], auth=[],
               summary="This OpenAPI 3 schema (JSON; ?format=yaml for YAML)",
               responses={200: OpenApiResponse(description="An OpenAPI 3 document.")})
class SchemaView(SpectacularAPIView):
    """``GET schema/``: the OpenAPI 3 schema of this API (JSON; ``?format=yaml`` for YAML).

    Generated from this API's own URL patterns only (never the host's), at the
    prefix the host mounted them, without ``drf_spectacular`` in
    ``INSTALLED_APPS`` and without touching DRF's ``DEFAULT_SCHEMA_CLASS`` (every
    view here sets its own ``schema``). Our settings (title, enum names...) are
    applied with drf-spectacular's ``custom_settings`` for the time of the
    request only; a host that serves its own drf-spectacular schema keeps its
    ``SPECTACULAR_SETTINGS``.
    """

    operation_id = "schema"
    authentication_classes: list[type] = []
    permission_classes = [AllowAny]
    renderer_classes = [OpenApiJsonRenderer, OpenApiYamlRenderer]
    throttle_classes: list[type] = []
    schema = _Schema()

    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        from cert_plugin.rest_api.v1 import urls  # the URLs import these views

        prefix = reverse("cert_plugin:api-schema")[len(get_script_prefix()):].removesuffix("schema/")
        self.patterns = [path(prefix, include(urls.urlpatterns))]
        self.custom_settings = {
            "TITLE": "cert_plugin REST API",
            "DESCRIPTION": _DESCRIPTION,
            "VERSION": f"1 (cert_plugin {__version__})",
            "SCHEMA_PATH_PREFIX": "/" + prefix.rstrip("/"),
            "COMPONENT_SPLIT_REQUEST": True,
            "ENUM_NAME_OVERRIDES": s.ENUM_NAMES,
        }
        response: Response = super().get(request, *args, **kwargs)
        return response
