"""``GET /certs/api/v1/verify/<code>/`` (``api-verify``): verify a certificate by its code, as JSON.

The JSON twin of the verify page (:mod:`cert_plugin.views.verify`): the same ``api.verify``, the
same ``VERIFY_RATE`` budget, answers kept in the cache the same way
(:mod:`cert_plugin.views.verify_answers`).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cert_plugin import api, codes, ratelimit
from cert_plugin.rest_api.v1 import serializers as s
from cert_plugin.rest_api.v1.views import CODE, NO_STORE, Schema
from cert_plugin.views import verify_answers

__all__ = ["VerifyView"]


@extend_schema(tags=["verify"], parameters=[CODE], auth=[],
    summary="Verify a certificate by its code (anyone; rate limited per client)",
    responses={
        200: s.VerificationSerializer,
        404: inline_serializer("VerifyNotFound", {"status": serializers.ChoiceField(choices=["not_found"])}),
        429: inline_serializer("VerifyRateLimited", {
            "status": serializers.ChoiceField(choices=["rate_limited"]),
            "retry_after": serializers.IntegerField(),
        }),
    })
class VerifyView(APIView):
    """``GET /certs/api/v1/verify/<code>/``: verify a certificate by its code, as JSON.

    Anyone may ask; the answer is the same as the public verify page. 200 with the
    certificate's snapshot and ``status`` ("valid", "revoked", "expired"); 404
    ``{"status": "not_found"}`` for unknown and malformed codes alike; 429
    ``{"status": "rate_limited", "retry_after": N}`` (and ``Retry-After``) over
    ``CERT_PLUGIN["VERIFY_RATE"]``, a budget shared with the HTML verify pages.
    """

    operation_id = "verify"
    permission_classes = [AllowAny]
    authentication_classes: list[type] = []  # public: no session, no CSRF, same answer for all
    renderer_classes = [JSONRenderer]
    throttle_classes: list[type] = []  # cert_plugin.ratelimit, shared with the HTML pages
    schema = Schema()

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        """A kept answer goes out before DRF's request handling, which costs as much as sending it
        (the rate limit is counted here, once: ``get`` asks the same request again)."""
        if request.method in ("GET", "HEAD") and ratelimit.hit(request).allowed:
            kept = verify_answers.kept_answer(request, "json", codes.normalize(str(kwargs.get("code", ""))))
            if kept is not None:
                for header, value in self.default_response_headers.items():
                    kept.headers.setdefault(header, value)
                return kept
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: Request, code: str) -> HttpResponseBase:
        limit = ratelimit.hit(request._request)
        if not limit.allowed:
            headers = {**NO_STORE, "Retry-After": str(limit.retry_after)}
            return Response({"status": "rate_limited", "retry_after": limit.retry_after}, status=429,
                            headers=headers)
        return verify_answers.answer(request._request, "json", codes.normalize(code), lambda: _verify(code))


# Bound once per process: a new serializer instance deep-copies its fields (0.43 ms per answer here,
# against 0.07 ms bound once); to_representation keeps no state between calls.
_ANSWER = s.VerificationSerializer()


def _verify(code: str) -> tuple[HttpResponse, api.Verification]:
    """``api-verify``'s answer, rendered here so that it can be kept (views.verify_answers)."""
    verification = api.verify(code)
    if verification.status == "not_found" or verification.certificate is None:
        body, status = {"status": "not_found"}, 404
    else:
        body, status = _ANSWER.to_representation(verification), 200
    response = HttpResponse(JSONRenderer().render(body), status=status, content_type="application/json",
                            headers=NO_STORE)
    return response, verification
