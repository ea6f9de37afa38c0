"""Serializers of REST API v1."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cert_plugin import api
from cert_plugin.data import Progress, Verification

__all__ = [
    "CertificateSerializer",
    "CourseProgress",
    "CourseProgressSerializer",
    "CourseStatusSerializer",
    "ErrorSerializer",
    "FileCheckSerializer",
    "JobRequestSerializer",
    "JobSerializer",
    "LearnerPageSerializer",
    "LearnersQuerySerializer",
    "PublishRequestSerializer",
    "ReasonRequestSerializer",
    "RecertificationSerializer",
    "RefusalSerializer",
    "ReissueRequestResult",
    "ReissueRequestResultSerializer",
    "RequirementRequestSerializer",
    "ReviewRequestSerializer",
    "RevokeRequestSerializer",
    "VerificationSerializer",
]

# The statuses, once, for the schema's enums.
CERTIFICATE_STATUSES = ("issued", "expired", "revoked")
VERIFICATION_STATUSES = ("valid", "revoked", "expired")
PROGRESS_STATUSES = ("not_offered", "in_progress", "pending_approval", "issued")
JOB_KINDS = ("backfill", "reissue_all")
JOB_STATES = ("queued", "running", "done", "failed")


class SnapshotSignatureSerializer(serializers.Serializer):
    """The snapshot signature, for checking without this site: verify ``value`` (base64url Ed25519)
    over the UTF-8 bytes of ``payload`` with the key of the issuer JWKS (``issuer-keys``) whose
    RFC 7638 thumbprint is ``key_id`` (its ``kid`` URL ends in ``<key_id>.json``)."""

    algorithm = serializers.CharField()  # "Ed25519"
    key_id = serializers.CharField()
    payload = serializers.CharField()  # the exact canonical JSON (RFC 8785) text that was signed
    value = serializers.CharField()


class VerificationSerializer(serializers.Serializer):
    """``api-verify``'s answer for a code that names a certificate (valid, revoked or expired).

    The fields are the certificate's snapshot, exactly as printed; dates are ISO 8601
    (UTC, ``Z``), ``hours`` a decimal string or null. ``revoked_at`` (and
    ``revoke_reason`` when the issuer made it public) appear only for a revoked
    certificate, ``newer_code`` only for an expired one that has a successor.
    """

    status = serializers.ChoiceField(choices=VERIFICATION_STATUSES)
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
    # Present whenever the certificate is signed and its signature checks out:
    signature = SnapshotSignatureSerializer(required=False)
    # Present only when they apply (so the schema does not list them as required):
    revoked_at = serializers.DateTimeField(source="certificate.revoked_at", allow_null=True, required=False)
    revoke_reason = serializers.CharField(source="certificate.revoke_reason", required=False)
    newer_code = serializers.CharField(source="newer.formatted_code", default=None)

    def get_issuer(self, verification: Verification) -> str:
        certificate = verification.certificate
        if certificate is None:
            return ""
        return api.certificate_issuer(certificate)

    def to_representation(self, instance: Verification) -> dict[str, Any]:
        data: dict[str, Any] = super().to_representation(instance)
        certificate = instance.certificate
        if instance.status != "revoked":
            data.pop("revoked_at")
        if instance.status != "revoked" or certificate is None or not certificate.revoke_reason_public:
            data.pop("revoke_reason")  # kept in the audit trail; published only when the issuer chose to
        if instance.status != "expired" or instance.newer is None:
            data.pop("newer_code")
        if instance.signature is None:
            data.pop("signature", None)
        return data


# --------------------------------------------------------------------------- answers


class ErrorSerializer(serializers.Serializer):
    """Every error of the API except ``api-verify``'s: one sentence for people.

    400 for a refused action or bad input (``field_errors`` then maps each bad field to
    its messages), 401/403 for who may not, 404 for what is not there (or not
    yours to see), 405/415 for a wrong method or body type.
    """

    error = serializers.CharField()
    field_errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()),
                                         required=False)


class CertificateUrlsSerializer(serializers.Serializer):
    """Absolute links of a certificate (pages, downloads, the public verify page)."""

    page = serializers.URLField()  # the certificate page (owner, staff, or anyone when public)
    pdf = serializers.URLField()
    png = serializers.URLField()
    verify = serializers.URLField()  # the public verify page, as printed in the QR code
    credential = serializers.URLField()  # the Open Badges 3.0 credential (JSON)


class CertificateSerializer(serializers.Serializer):
    """A certificate as issued (its snapshot), for its owner, course staff or, once public, anyone.

    ``grade`` (0..1) goes to the owner and staff only (null for others);
    ``revoke_reason`` goes to staff, and to others only when the issuer made it
    public ("" otherwise).
    """

    code = serializers.CharField(source="formatted_code")  # XXXX-XXXX-XXXX-XXXX
    status = serializers.ChoiceField(choices=CERTIFICATE_STATUSES)
    course_key = serializers.CharField()
    course_title = serializers.CharField()
    learner_name = serializers.CharField()  # as printed
    issuer = serializers.SerializerMethodField()
    hours = serializers.DecimalField(max_digits=7, decimal_places=2, allow_null=True, coerce_to_string=True)
    grade = serializers.SerializerMethodField()
    issued_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField(allow_null=True)
    revoked_at = serializers.DateTimeField(allow_null=True)
    revoke_reason = serializers.SerializerMethodField()
    is_public = serializers.BooleanField()
    revision = serializers.IntegerField()  # bumped by every reissue (same code)
    urls = serializers.SerializerMethodField()

    def _private(self, certificate: Any) -> bool:
        user = getattr(self.context.get("request"), "user", None)
        if user is None or not user.is_authenticated:
            return False
        return bool(user.pk == certificate.user_id or self._staff(user, certificate))

    def _staff(self, user: Any, certificate: Any) -> bool:
        cache: dict[str, bool] = self.context.setdefault("_staff_of", {})
        key = str(certificate.course_key)
        if key not in cache:
            cache[key] = bool(user is not None and user.is_authenticated
                              and api.get_host().is_course_staff(user, certificate.course_key))
        return cache[key]

    def get_issuer(self, certificate: Any) -> str:
        return api.certificate_issuer(certificate)

    @extend_schema_field(serializers.FloatField(allow_null=True))
    def get_grade(self, certificate: Any) -> float | None:
        return certificate.grade if self._private(certificate) else None

    def get_revoke_reason(self, certificate: Any) -> str:
        user = getattr(self.context.get("request"), "user", None)
        if certificate.revoke_reason_public or (user is not None and self._staff(user, certificate)):
            return str(certificate.revoke_reason)
        return ""

    @extend_schema_field(CertificateUrlsSerializer)
    def get_urls(self, certificate: Any) -> dict[str, str]:
        code = certificate.formatted_code
        absolute = _absolute(self.context.get("request"))
        return {
            "page": absolute(reverse("cert_plugin:certificate", args=[code])),
            "pdf": absolute(reverse("cert_plugin:download-pdf", args=[code])),
            "png": absolute(reverse("cert_plugin:download-png", args=[code])),
            "verify": api.verify_url(certificate.verification_code),
            "credential": absolute(reverse("cert_plugin:credential", args=[code])),
        }


def _absolute(request: Any) -> Any:
    if request is None:
        return lambda path: path
    return request.build_absolute_uri


class ChecklistItemSerializer(serializers.Serializer):
    """One requirement: "Complete all lessons" - "12 of 14 lessons completed"."""

    key = serializers.CharField()  # "lessons", "grade", "quiz:<usage key>", "req:<key>", "approval"
    label = serializers.CharField()
    met = serializers.BooleanField()
    detail = serializers.CharField()
    url = serializers.CharField(allow_blank=True)  # where to go to meet it; "" when unknown


def _course_action(serializer: serializers.Serializer, name: str, course_key: Any) -> str:
    """The absolute URL of a learner's REST action on a course (``api-course-<name>``)."""
    path = reverse(f"cert_plugin:api-course-{name}", args=[str(course_key)])
    return str(_absolute(serializer.context.get("request"))(path))


class RefusalSerializer(serializers.Serializer):
    """Staff's refusal to approve the learner's certificate, which stands (``api.Refusal``).

    ``reason`` is staff's own words, meant for the learner. ``review_url`` is where the
    learner asks staff to reconsider (POST ``{"message": "..."}``, optional message): set
    until they asked, null once they did (``review_requested_at`` then says when).
    Staff's next decision (approve, or refuse again) answers the request.
    """

    reason = serializers.CharField(allow_blank=True)
    decided_at = serializers.DateTimeField(allow_null=True)
    review_requested_at = serializers.DateTimeField(allow_null=True)
    review_message = serializers.CharField(allow_blank=True)  # what the learner added to the request
    review_url = serializers.SerializerMethodField()

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_review_url(self, refusal: Any) -> str | None:
        if refusal.review_requested_at is not None:
            return None
        return _course_action(self, "review-request", self.context["course_key"])


class RecertificationSerializer(serializers.Serializer):
    """An expired certificate and exactly what remains before a new one replaces it.

    ``remaining`` lists the requirements not met now, as the course asks them
    today; staff approve each recertification again, so a course that requires
    approval lists it until they do. ``earlier_work_counts`` is true when grades
    or lessons are among the requirements: the LMS reports scores and completions
    but not when they were earned, so work done before the expiry counts too.
    ``recertify_url`` (POST) gives the new certificate when nothing remains; null
    otherwise.
    """

    expired_code = serializers.CharField(source="expired.formatted_code")
    expired_at = serializers.DateTimeField(source="expired.expires_at")
    remaining = ChecklistItemSerializer(source="missing", many=True)
    earlier_work_counts = serializers.BooleanField(read_only=True)
    recertify_url = serializers.SerializerMethodField()

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_recertify_url(self, progress: Progress) -> str | None:
        if not progress.eligible:
            return None
        return _course_action(self, "recertify", self.context["course_key"])


def _decisions(serializer: serializers.Serializer, progress: Progress, course_key: Any) -> dict[str, Any]:
    """``refusal`` and ``recertification`` of a progress (each null when it does not apply)."""
    context = {**serializer.context, "course_key": course_key}
    return {
        "refusal": (RefusalSerializer(progress.refusal, context=context).data
                    if progress.refusal is not None else None),
        "recertification": (RecertificationSerializer(progress, context=context).data
                            if progress.expired is not None else None),
    }


class CourseStatusSerializer(serializers.Serializer):
    """One course on the learner's "My certificates" tab (``api.learner_overview``).

    ``status`` "not_approved": staff refused to approve the certificate; ``refusal``
    then has their reason and the learner's way to ask them to reconsider.
    ``recertification`` (when ``status`` is "expired") says exactly what remains
    before a new certificate replaces the expired one. Both are null otherwise.
    """

    course_key = serializers.CharField()
    course_title = serializers.CharField()
    course_url = serializers.CharField(allow_blank=True)  # "" when the host cannot tell
    status = serializers.ChoiceField(choices=api.LEARNER_STATUSES)
    percent = serializers.IntegerField(source="progress.percent", min_value=0, max_value=100)
    items = ChecklistItemSerializer(source="progress.items", many=True)
    message = serializers.CharField(source="progress.message", allow_blank=True)
    certificate = CertificateSerializer(allow_null=True)  # the newest certificate of the course
    profile_name = serializers.CharField(allow_blank=True)  # set when it differs from the printed name
    reissue_requested = serializers.SerializerMethodField()
    refusal = serializers.SerializerMethodField()
    recertification = serializers.SerializerMethodField()

    def get_reissue_requested(self, row: Any) -> bool:
        return row.reissue_request is not None

    @extend_schema_field(RefusalSerializer(allow_null=True))
    def get_refusal(self, row: Any) -> Any:
        if row.status == "revoked":
            return None  # the revocation is what stands
        return _decisions(self, row.progress, row.course_key)["refusal"]

    @extend_schema_field(RecertificationSerializer(allow_null=True))
    def get_recertification(self, row: Any) -> Any:
        return _decisions(self, row.progress, row.course_key)["recertification"]


@dataclass(frozen=True)
class CourseProgress:
    """A learner's progress in one course, with the ids a client needs to act on it."""

    course_key: str
    user_id: int
    progress: Progress


class CourseProgressSerializer(serializers.Serializer):
    """Where a learner stands in one course (``api.get_progress``).

    ``refusal``: staff refused to approve the certificate (``status`` stays
    "in_progress"): their reason, and ``review_url`` to ask them to reconsider.
    ``recertification``: the learner's certificate expired; what remains before a
    new one replaces it. Each is null when it does not apply.
    """

    course_key = serializers.CharField()
    user_id = serializers.IntegerField()
    status = serializers.ChoiceField(source="progress.status", choices=PROGRESS_STATUSES)
    eligible = serializers.BooleanField(source="progress.eligible")
    percent = serializers.IntegerField(source="progress.percent", min_value=0, max_value=100)
    items = ChecklistItemSerializer(source="progress.items", many=True)
    message = serializers.CharField(source="progress.message", allow_blank=True)
    certificate = CertificateSerializer(source="progress.certificate", allow_null=True)
    refusal = serializers.SerializerMethodField()
    recertification = serializers.SerializerMethodField()

    @extend_schema_field(RefusalSerializer(allow_null=True))
    def get_refusal(self, row: CourseProgress) -> Any:
        return _decisions(self, row.progress, row.course_key)["refusal"]

    @extend_schema_field(RecertificationSerializer(allow_null=True))
    def get_recertification(self, row: CourseProgress) -> Any:
        return _decisions(self, row.progress, row.course_key)["recertification"]


class ProgressSummarySerializer(serializers.Serializer):
    """The checklist of a learner row (only for rows still in progress, pending or expired)."""

    status = serializers.ChoiceField(choices=PROGRESS_STATUSES)
    eligible = serializers.BooleanField()
    percent = serializers.IntegerField(min_value=0, max_value=100)
    items = ChecklistItemSerializer(many=True)
    message = serializers.CharField(allow_blank=True)


class LearnerRowSerializer(serializers.Serializer):
    """One learner in the staff learners table."""

    user_id = serializers.IntegerField(source="user.pk")
    username = serializers.CharField(source="user.username")
    email = serializers.CharField(source="user.email", allow_blank=True)
    name = serializers.CharField()  # the printed name, else the full name, else the username
    status = serializers.ChoiceField(choices=api.LEARNER_STATUSES)
    certificate = CertificateSerializer(allow_null=True)
    progress = ProgressSummarySerializer(allow_null=True)


class LearnerPageSerializer(serializers.Serializer):
    """A page of a course's learners (``api.course_learners``)."""

    count = serializers.IntegerField(source="total")  # learners matching search and status
    page = serializers.IntegerField()
    pages = serializers.IntegerField()
    counts = serializers.DictField(child=serializers.IntegerField())  # per status and "all", whole course
    results = LearnerRowSerializer(source="rows", many=True)


@dataclass(frozen=True)
class ReissueRequestResult:
    status: str  # "pending" | "reissued"
    requested_name: str
    certificate: Any


class ReissueRequestResultSerializer(serializers.Serializer):
    """The answer to a learner's name-correction request.

    ``pending``: staff will review it; ``reissued``: the plugin reissued the
    certificate at once (``AUTO_REISSUE_ON_NAME_CHANGE``), same code, new name.
    """

    status = serializers.ChoiceField(choices=("pending", "reissued"))
    requested_name = serializers.CharField()
    certificate = CertificateSerializer()


class JobSerializer(serializers.Serializer):
    """A course-wide job (backfill or reissue all) and how far it got."""

    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=JOB_KINDS)
    course_key = serializers.CharField()
    state = serializers.ChoiceField(choices=JOB_STATES)
    total = serializers.IntegerField(allow_null=True)  # null while unknown
    done = serializers.IntegerField()
    failed = serializers.IntegerField()
    percent = serializers.IntegerField(min_value=0, max_value=100)
    result = serializers.DictField()  # the final counts, once done
    error = serializers.CharField(allow_blank=True)
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
    url = serializers.SerializerMethodField()

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, job: Any) -> str:
        return str(_absolute(self.context.get("request"))(reverse("cert_plugin:api-job", args=[job.pk])))


# --------------------------------------------------------------------------- requests


class PublishRequestSerializer(serializers.Serializer):
    public = serializers.BooleanField()  # true: show on the public profile; false: hide again


class ReviewRequestSerializer(serializers.Serializer):
    message = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000,
                                    help_text="Anything the learner adds for the course staff (optional).")


class ReasonRequestSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class RequirementRequestSerializer(serializers.Serializer):
    met = serializers.BooleanField()
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class RevokeRequestSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000,
                                   help_text="Why (required; kept in the audit trail).")
    publish_reason = serializers.BooleanField(required=False, default=False,
                                              help_text="Show the reason on the public verify page.")


class JobRequestSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=JOB_KINDS)


class LearnersQuerySerializer(serializers.Serializer):
    search = serializers.CharField(required=False, allow_blank=True, default="",
                                   help_text="Username, email, names or printed name contain this.")
    status = serializers.ChoiceField(choices=api.LEARNER_STATUSES, required=False, allow_blank=True,
                                     default="")
    page = serializers.IntegerField(required=False, default=1, min_value=1)
    page_size = serializers.IntegerField(required=False, default=25, min_value=1, max_value=200)


PDF_SIGNATURE_STATUSES = ("valid", "invalid", "absent")


class FileCheckSerializer(serializers.Serializer):
    """``api-verify-file``'s answer: what a certificate file (PDF or PNG) carries, checked.

    ``status``: "valid", "revoked", "expired" (the certificate its credential names), "altered"
    (the credential does not verify with this issuer's keys, or the PDF changed after the
    institution signed it) or "no_credential" (no credential of ours inside, or not a PDF or PNG
    at all). ``code``, ``learner_name``, ``course_title`` and ``issued_at`` are null unless a
    genuine credential names them. ``pdf_signature`` is the PDF's PAdES signature ("absent" for
    a PNG).
    """

    status = serializers.ChoiceField(choices=api.FILE_STATUSES)
    code = serializers.CharField(allow_null=True)  # XXXX-XXXX-XXXX-XXXX
    learner_name = serializers.CharField(allow_null=True)
    course_title = serializers.CharField(allow_null=True)
    issued_at = serializers.DateTimeField(allow_null=True)
    pdf_signature = serializers.ChoiceField(choices=PDF_SIGNATURE_STATUSES)

    def to_representation(self, instance: Any) -> dict[str, Any]:
        data: dict[str, Any] = super().to_representation(instance)
        for name in ("code", "learner_name", "course_title"):
            data[name] = data[name] or None  # "" in the check: not known
        return data


#: drf-spectacular's names for the enums of the schema (several fields are called "status").
ENUM_NAMES = {
    "CertificateStatusEnum": CERTIFICATE_STATUSES,
    "VerificationStatusEnum": VERIFICATION_STATUSES,
    "LearnerStatusEnum": api.LEARNER_STATUSES,
    "ProgressStatusEnum": PROGRESS_STATUSES,
    "JobKindEnum": JOB_KINDS,
    "JobStateEnum": JOB_STATES,
    "FileCheckStatusEnum": api.FILE_STATUSES,
    "PdfSignatureEnum": PDF_SIGNATURE_STATUSES,
    "RateLimitedStatusEnum": ("rate_limited",),  # api-verify's and api-verify-file's 429
}
