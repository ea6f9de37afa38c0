"""Serializers of REST API v1."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from cert_plugin import conf
from cert_plugin.data import Verification

__all__ = ["VerificationSerializer"]


class VerificationSerializer(serializers.Serializer):
    """``api-verify``'s answer for a code that names a certificate (valid, revoked or expired).

    The fields are the certificate's snapshot, exactly as printed; dates are ISO 8601
    (UTC, ``Z``), ``hours`` a decimal string or null. ``revoked_at`` (and
    ``revoke_reason`` when the issuer made it public) appear only for a revoked
    certificate, ``newer_code`` only for an expired one that has a successor.
    """

    status = serializers.CharField()  # "valid" | "revoked" | "expired"
    code = serializers.CharField()  # XXXX-XXXX-XXXX-XXXX
    learner_name = serializers.CharField(source="certificate.learner_name")
    course_title = serializers.CharField(source="certificate.course_title")
    course_key = serializers.CharField(source="certificate.course_key")
    issued_at = serializers.DateTimeField(source="certificate.issued_at")
    expires_at = serializers.DateTimeField(source="certificate.expires_at", allow_null=True)
    hours = serializers.DecimalField(source="certificate.hours", max_digits=7, decimal_places=2,
                                     allow_null=True, coerce_to_string=True)
    issuer = serializers.SerializerMethodField()
    signature_valid = serializers.BooleanField(allow_null=True)
    revoked_at = serializers.DateTimeField(source="certificate.revoked_at", allow_null=True)
    revoke_reason = serializers.CharField(source="certificate.revoke_reason")
    newer_code = serializers.CharField(source="newer.formatted_code", default=None)

    def get_issuer(self, verification: Verification) -> str:
        certificate = verification.certificate
        if certificate is None:
            return ""
        return certificate.issuer_name or conf.get().ISSUER_NAME or certificate.org

    def to_representation(self, instance: Verification) -> dict[str, Any]:
        data: dict[str, Any] = super().to_representation(instance)
        certificate = instance.certificate
        if instance.status != "revoked":
            data.pop("revoked_at")
        if instance.status != "revoked" or certificate is None or not certificate.revoke_reason_public:
            data.pop("revoke_reason")  # kept in the audit trail; published only when the issuer chose to
        if instance.status != "expired" or instance.newer is None:
            data.pop("newer_code")
        return data
