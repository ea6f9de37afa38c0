"""Views of REST API v1."""

from __future__ import annotations

from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cert_plugin import api, ratelimit
from cert_plugin.rest_api.v1.serializers import VerificationSerializer

__all__ = ["VerifyView"]

_NO_STORE = {"Cache-Control": "no-store"}


class VerifyView(APIView):
    """``GET /certs/api/v1/verify/<code>/``: verify a certificate by its code, as JSON.

    Anyone may ask; the answer is the same as the public verify page. 200 with the
    certificate's snapshot and ``status`` ("valid", "revoked", "expired"); 404
    ``{"status": "not_found"}`` for unknown and malformed codes alike; 429
    ``{"status": "rate_limited", "retry_after": N}`` (and ``Retry-After``) over
    ``CERT_PLUGIN["VERIFY_RATE"]``, a budget shared with the HTML verify pages.
    """

    permission_classes = [AllowAny]
    authentication_classes: list[type] = []  # public: no session, no CSRF, same answer for all
    renderer_classes = [JSONRenderer]
    throttle_classes: list[type] = []  # cert_plugin.ratelimit, shared with the HTML pages

    def get(self, request: Request, code: str) -> Response:
        limit = ratelimit.hit(request._request)
        if not limit.allowed:
            headers = {**_NO_STORE, "Retry-After": str(limit.retry_after)}
            return Response({"status": "rate_limited", "retry_after": limit.retry_after}, status=429,
                            headers=headers)
        verification = api.verify(code)
        if verification.status == "not_found" or verification.certificate is None:
            return Response({"status": "not_found"}, status=404, headers=_NO_STORE)
        return Response(VerificationSerializer(verification).data, headers=_NO_STORE)
