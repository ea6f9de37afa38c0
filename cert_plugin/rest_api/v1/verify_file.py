"""``POST /certs/api/v1/verify/file/`` (``api-verify-file``): check a certificate by its file.

The JSON twin of the ``verify-file`` page (:mod:`cert_plugin.views.verify_file`): the same
reading of the upload (:mod:`cert_plugin.views.file_upload`), the same ``api.check_file``, the
same ``VERIFY_RATE`` budget as ``api-verify``.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cert_plugin import api, ratelimit
from cert_plugin.rest_api.v1 import serializers as s
from cert_plugin.rest_api.v1.views import NO_STORE, Schema
from cert_plugin.views.file_upload import read_upload

__all__ = ["VerifyFileView"]


@extend_schema(tags=["verify"], auth=[],
    summary="Check a certificate by its file, a PDF or PNG (anyone; rate limited per client)",
    request={"multipart/form-data": inline_serializer("VerifyFileRequest", {
        "file": serializers.FileField(help_text="The certificate's PDF or PNG, at most 10 MB."),
    })},
    responses={
        200: s.FileCheckSerializer,
        400: inline_serializer("VerifyFileNoFile", {"error": serializers.CharField()}),
        413: inline_serializer("VerifyFileTooLarge", {"error": serializers.CharField()}),
        429: inline_serializer("VerifyFileRateLimited", {
            "status": serializers.ChoiceField(choices=["rate_limited"]),
            "retry_after": serializers.IntegerField(),
        }),
    })
class VerifyFileView(APIView):
    """``POST /certs/api/v1/verify/file/``: check a certificate PDF or PNG by what it carries.

    Public like ``api-verify`` (no session, no CSRF: nothing is changed or stored, and everyone
    gets the same answer) and sharing its ``VERIFY_RATE`` budget. The file is the multipart field
    ``file``, at most 10 MB, read into memory only; its type is found from its first bytes. 200
    with ``{"status", "code", "learner_name", "course_title", "issued_at", "pdf_signature"}`` for
    any file, a cat picture included (``no_credential``); 400 ``{"error"}`` without a file, 413
    ``{"error"}`` over the size limit, 429 as ``api-verify``.
    """

    operation_id = "verify_file"
    permission_classes = [AllowAny]
    authentication_classes: list[type] = []  # public: no session, no CSRF, same answer for all
    renderer_classes = [JSONRenderer]
    parser_classes: list[type] = []  # the body is read by read_upload, within the size limit
    throttle_classes: list[type] = []  # cert_plugin.ratelimit, shared with the verify pages
    schema = Schema()

    def post(self, request: Request) -> Response:
        limit = ratelimit.hit(request._request)
        if not limit.allowed:
            headers = {**NO_STORE, "Retry-After": str(limit.retry_after)}
            return Response({"status": "rate_limited", "retry_after": limit.retry_after}, status=429,
                            headers=headers)
        upload = read_upload(request._request, limit=api.MAX_CHECKED_FILE_BYTES)
        if upload.content is None:
            megabytes = api.MAX_CHECKED_FILE_BYTES // (1024 * 1024)
            if upload.problem == "too_large":
                return Response({"error": f"The file is larger than {megabytes} MB; a certificate's PDF or "
                                          "PNG is much smaller."}, status=413, headers=NO_STORE)
            return Response({"error": 'Send the certificate\'s PDF or PNG as the multipart/form-data field '
                                      '"file".'}, status=400, headers=NO_STORE)
        check = api.check_file(upload.content)
        return Response(s.FileCheckSerializer(check).data, headers=NO_STORE)
