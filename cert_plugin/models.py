"""cert_plugin's records. Write them only through :mod:`cert_plugin.api`.

A certificate is a *snapshot*: it copies the learner's name, the course title,
hours and grade when issued, and points at the immutable template version it
was issued with, so later edits to profiles, courses or templates never change
what a learner already holds. Only ``api.reissue`` refreshes a snapshot, and it
keeps the verification code.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, TypeAlias

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from opaque_keys.edx.django.models import CourseKeyField

if TYPE_CHECKING:
    from opaque_keys.edx.keys import CourseKey

    # CourseKeyField declares the value it reads as ``CourseKey | None`` even when the column is
    # NOT NULL (as all of ours are); this annotation tells django-stubs what a read really gives.
    CourseKeyColumn: TypeAlias = models.Field[CourseKey | str, CourseKey]

ORIENTATIONS = [("landscape", _("A4 landscape")), ("portrait", _("A4 portrait"))]


class ImmutableModel(models.Model):
    """A row that is written once: updates and deletes are refused."""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not kwargs.pop("_allow_update", False):
            raise ValueError(f"{type(self).__name__} records are immutable; create a new one.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ValueError(f"{type(self).__name__} records are immutable and cannot be deleted.")


class CertificateTemplate(models.Model):
    """A named certificate design. Its content lives in immutable versions.

    Templates belong to an organization (institution branding) or, with
    ``org`` empty, to the whole site; a course picks one in its config. An
    archived template is out of the template list and the course pickers, and
    still renders the certificates issued with its versions.
    """

    name = models.CharField(max_length=200)  # shown to staff in the template picker
    org = models.CharField(max_length=255, blank=True, default="")  # "" = site-wide
    is_builtin = models.BooleanField(default=False)  # shipped with the plugin, not staff-made
    created_at = models.DateTimeField(auto_now_add=True)
    archived_at = models.DateTimeField(null=True, blank=True)  # set: hidden from lists and pickers

    class Meta:
        constraints = [models.UniqueConstraint(fields=["org", "name"], name="cert_template_org_name")]

    def __str__(self) -> str:
        return f"{self.name} ({self.org})" if self.org else self.name

    @property
    def current_version(self) -> CertificateTemplateVersion | None:
        return self.versions.order_by("-number").first()


class CertificateTemplateVersion(ImmutableModel):
    """One saved state of a template. Never edited: each save adds a version,
    so every issued certificate can render exactly as it was issued."""

    template = models.ForeignKey(CertificateTemplate, related_name="versions", on_delete=models.PROTECT)
    number = models.PositiveIntegerField()  # 1, 2, 3... within the template
    html = models.TextField()  # Django template source, rendered in the sandbox
    css = models.TextField(blank=True, default="")  # stylesheet for the page
    orientation = models.CharField(max_length=10, choices=ORIENTATIONS, default="landscape")
    options = models.JSONField(default=dict, blank=True)  # {"signatories": [...], "honors": [[0.9, "..."]]}
    digest = models.CharField(max_length=64, editable=False)  # sha256 of all that shapes the page; signed
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["template", "number"], name="cert_template_version")]
        ordering = ["template", "number"]

    def __str__(self) -> str:
        return f"{self.template} v{self.number}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self.digest:  # the api sets it when the version has assets
            self.digest = self.compute_digest(self.html, self.css, self.orientation, self.options)
        super().save(*args, **kwargs)

    @staticmethod
    def compute_digest(html: str, css: str, orientation: str, options: dict[str, Any] | None = None,
                       assets: Iterable[tuple[str, str]] = ()) -> str:
        """sha256 over the source, options and (name, sha256) of each asset: what a render depends on."""
        parts = [orientation, html, css]
        if options:
            parts.append(json.dumps(options, sort_keys=True, ensure_ascii=False))
        parts.extend(f"{name}={digest}" for name, digest in sorted(assets))
        return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


class TemplateAsset(ImmutableModel):
    """An uploaded file a template version shows: logo, signature image, background.

    Owned by one immutable version (a new version copies the rows it keeps),
    stored in the database so a version and its files are written in one
    transaction and never drift apart (see docs/decisions/0002).
    """

    version = models.ForeignKey(CertificateTemplateVersion, related_name="assets", on_delete=models.PROTECT)
    name = models.CharField(max_length=50)  # identifier used in templates: {{ assets.logo }}
    content = models.BinaryField()  # the file's bytes (size-limited by the api)
    mime = models.CharField(max_length=100)  # image/png, image/jpeg, image/svg+xml, font/ttf...
    sha256 = models.CharField(max_length=64)  # part of the version's digest
    size = models.PositiveIntegerField()  # bytes

    class Meta:
        constraints = [models.UniqueConstraint(fields=["version", "name"], name="cert_template_asset")]
        ordering = ["version", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.mime}, {self.size} bytes) of {self.version}"


class TemplateThumbnail(models.Model):
    """A small PNG of one template version filled with sample data: the template list's picture.

    Made once per version (from the trial render of its save, or on first request for a version
    saved before thumbnails existed) and kept: the version never changes, so neither does its
    picture, and listing templates renders nothing.
    """

    version = models.OneToOneField(CertificateTemplateVersion, related_name="thumbnail",
                                   on_delete=models.CASCADE)
    png = models.BinaryField(blank=True)  # empty: the version did not render (the list shows a frame)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Thumbnail of {self.version}"


class TemplateEvent(ImmutableModel):
    """Append-only trail of what staff did to a template as a whole: archive, unarchive, delete.

    Saving a version is recorded by the version itself (who and when); these changes leave no
    version behind, so they are recorded here. A deleted template's events keep its name.
    """

    ARCHIVED, UNARCHIVED, DELETED = "archived", "unarchived", "deleted"
    ACTIONS = [(ARCHIVED, _("Archived")), (UNARCHIVED, _("Unarchived")), (DELETED, _("Deleted"))]

    action = models.CharField(max_length=20, choices=ACTIONS)
    template = models.ForeignKey(CertificateTemplate, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="events")  # None once deleted
    template_name = models.CharField(max_length=200)  # the template's name then
    org = models.CharField(max_length=255, blank=True, default="")  # its organization ("" = site-wide)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.template_name}"


class CourseCertificateConfig(models.Model):
    """Whether a course offers a certificate, and what earning it takes.

    A course may get its config at any time, also after learners finished it
    (see the ``cert_backfill`` command).
    """

    course_key: CourseKeyColumn = CourseKeyField(max_length=255, unique=True)
    enabled = models.BooleanField(default=True)  # offering certificates now
    template = models.ForeignKey(CertificateTemplate, null=True, blank=True,
                                 on_delete=models.PROTECT)  # None = built-in default
    min_grade = models.FloatField(null=True, blank=True)  # 0..1; None = the host's passing decision
    min_completion = models.FloatField(default=1.0)  # share of lessons to complete, 0..1
    required_quizzes = models.JSONField(default=list, blank=True)  # graded usage keys (strings)
    min_quiz_score = models.FloatField(default=0.7)  # 0..1 each required quiz must reach
    requires_approval = models.BooleanField(default=False)  # staff approve before issue
    additional_requirements = models.JSONField(default=list, blank=True)  # [{"key", "label"}] staff confirm
    validity_days = models.PositiveIntegerField(null=True, blank=True)  # None = never expires
    hours = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)  # overrides host
    created_at = models.DateTimeField(auto_now_add=True)
    modified_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Certificate config for {self.course_key}"


class Certificate(models.Model):
    """An issued certificate: an immutable snapshot plus its lifecycle.

    At most one certificate per learner and course is *active* (issued and not
    revoked or superseded). The database enforces that with a unique
    (user, course_key, active) index where ``active`` is 1 or NULL: NULLs never
    collide, so inactive history rows are unlimited, and this works on MySQL,
    which has no partial unique indexes. An expired certificate stays active
    until the learner recertifies; then it is retired (active = NULL) in the
    same transaction that issues the new one.
    """

    ISSUED, REVOKED, EXPIRED = "issued", "revoked", "expired"
    STATUSES = [(ISSUED, _("Issued")), (REVOKED, _("Revoked")), (EXPIRED, _("Expired"))]

    verification_code = models.CharField(max_length=16, unique=True)  # canonical, no hyphens
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                             related_name="cert_plugin_certificates")
    course_key: CourseKeyColumn = CourseKeyField(max_length=255, db_index=True)
    state = models.CharField(max_length=10, choices=STATUSES, default=ISSUED)  # stored; see status
    active = models.BooleanField(null=True, default=True)  # True or NULL, see class docstring
    learner_name = models.CharField(max_length=255)  # as printed
    course_title = models.CharField(max_length=255)
    org = models.CharField(max_length=255, blank=True, default="")
    issuer_name = models.CharField(max_length=255, blank=True, default="")
    hours = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    grade = models.FloatField(null=True, blank=True)  # 0..1 at issue
    issued_at = models.DateTimeField()
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoke_reason = models.TextField(blank=True, default="")
    revoke_reason_public = models.BooleanField(default=False)  # show the reason on the verify page
    template_version = models.ForeignKey(CertificateTemplateVersion, on_delete=models.PROTECT)
    revision = models.PositiveIntegerField(default=1)  # bumped by reissue; renders are cached per revision
    is_public = models.BooleanField(default=False)  # learner published it on their profile
    language = models.CharField(max_length=16, default="en")  # dates on the page are written in it
    signature = models.CharField(max_length=200, blank=True, default="")  # Ed25519, base64url
    signing_key_id = models.CharField(max_length=64, blank=True, default="")  # "" = unsigned
    render_error = models.TextField(blank=True, default="")  # last render failure, shown to staff; "" = fine
    # Position in the published revocation list (W3C Bitstring Status List), drawn at random so
    # neighbouring bits say nothing about when or to whom other certificates were issued.
    status_index = models.PositiveIntegerField(unique=True, null=True, blank=True)
    expiry_reminded_at = models.DateTimeField(null=True, blank=True)  # the "expires soon" email went out
    modified_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "course_key", "active"], name="cert_one_active"),
        ]
        indexes = [models.Index(fields=["course_key", "state"], name="cert_course_status")]

    def __str__(self) -> str:
        return f"{self.formatted_code} {self.learner_name} / {self.course_key}"

    @property
    def status(self) -> str:
        """"issued", "revoked" or "expired" (an issued certificate past its expiry date)."""
        if self.state == self.ISSUED and self.expires_at is not None and self.expires_at <= timezone.now():
            return self.EXPIRED
        return self.state

    @property
    def formatted_code(self) -> str:
        from cert_plugin.codes import format_code

        return format_code(self.verification_code)


class RequirementRecord(models.Model):
    """Staff's word that a learner met (or no longer meets) an extra
    requirement such as attendance, a project, or community participation."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    course_key: CourseKeyColumn = CourseKeyField(max_length=255)
    key = models.CharField(max_length=100)  # matches additional_requirements[].key
    met = models.BooleanField(default=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                           on_delete=models.SET_NULL, related_name="+")
    modified_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "course_key", "key"], name="cert_req_record")]

    def __str__(self) -> str:
        return f"{self.key} {'met' if self.met else 'not met'}: user {self.user_id} in {self.course_key}"


class Approval(models.Model):
    """Staff's decision for a course that issues only after manual approval."""

    APPROVED, REJECTED, AWAITING = "approved", "rejected", "awaiting"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    course_key: CourseKeyColumn = CourseKeyField(max_length=255)
    # "awaiting" is no decision: evaluation marks learners who met everything else, so staff can
    # list who waits for them without re-evaluating every learner of the course.
    decision = models.CharField(max_length=10, choices=[
        (APPROVED, _("Approved")), (REJECTED, _("Rejected")), (AWAITING, _("Awaiting a decision"))])
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                           on_delete=models.SET_NULL, related_name="+")
    reason = models.TextField(blank=True, default="")  # staff's words; the learner reads a refusal's
    # When staff decided, in whole seconds like Certificate.issued_at (None while awaiting). A
    # decision not later than the issue of the learner's expired certificate belonged to that
    # certification: a recertification asks staff again.
    decided_at = models.DateTimeField(null=True, blank=True)
    # The learner asked staff to reconsider a refusal (once); staff's next decision answers it.
    review_requested_at = models.DateTimeField(null=True, blank=True)
    review_message = models.TextField(blank=True, default="")  # what the learner added to that request
    modified_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "course_key"], name="cert_approval")]

    def __str__(self) -> str:
        return f"{self.decision}: user {self.user_id} in {self.course_key}"


class AuditEvent(ImmutableModel):
    """Append-only trail: who did what to which learner's certificate, and why."""

    ISSUED, REISSUED, REVOKED, EXPIRED = "issued", "reissued", "revoked", "expired"
    APPROVED, REJECTED = "approved", "rejected"
    REQUIREMENT_MET, REQUIREMENT_UNMET = "requirement_met", "requirement_unmet"
    CONFIGURED = "configured"
    PUBLISHED, UNPUBLISHED = "published", "unpublished"
    REISSUE_REQUESTED, REISSUE_DECLINED = "reissue_requested", "reissue_declined"
    REVIEW_REQUESTED = "review_requested"  # the learner asked staff to reconsider a refusal
    ACTIONS = [(a, a.replace("_", " ")) for a in (ISSUED, REISSUED, REVOKED, EXPIRED, APPROVED,
                                                    REJECTED, REQUIREMENT_MET, REQUIREMENT_UNMET,
                                                    CONFIGURED, PUBLISHED, UNPUBLISHED,
                                                    REISSUE_REQUESTED, REISSUE_DECLINED,
                                                    REVIEW_REQUESTED)]

    action = models.CharField(max_length=20, choices=ACTIONS)
    course_key: CourseKeyColumn = CourseKeyField(max_length=255, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")  # the learner concerned
    certificate = models.ForeignKey(Certificate, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="audit_events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")  # None = the system
    reason = models.TextField(blank=True, default="")
    data = models.JSONField(default=dict, blank=True)  # before/after values
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.course_key}"


class SigningKey(ImmutableModel):
    """A public key the plugin has signed certificates with.

    Recorded the first time a key signs, and never removed: after the
    institution rotates ``CERT_PLUGIN["SIGNING_KEY"]``, certificates signed
    with earlier keys still verify, and third parties can fetch every key.
    """

    key_id = models.CharField(max_length=64, unique=True)  # RFC 7638 JWK thumbprint
    algorithm = models.CharField(max_length=20, default="Ed25519")
    public_key_pem = models.TextField()  # SubjectPublicKeyInfo PEM
    created_at = models.DateTimeField(auto_now_add=True)  # first signature with this key

    def __str__(self) -> str:
        return f"{self.algorithm} {self.key_id}"


class RenderedFile(models.Model):
    """A PDF or PNG of one certificate revision, kept in Django storage.

    Rendered once per revision (``reissue`` bumps it), then served from
    storage: the unique index makes concurrent first downloads agree on one file.
    """

    PDF, PNG, PNG_PRINT = "pdf", "png", "png300"
    KINDS = [(PDF, _("PDF")), (PNG, _("PNG 150 dpi")), (PNG_PRINT, _("PNG 300 dpi"))]

    certificate = models.ForeignKey(Certificate, related_name="rendered_files", on_delete=models.CASCADE)
    revision = models.PositiveIntegerField()  # the certificate revision it shows
    kind = models.CharField(max_length=10, choices=KINDS)
    path = models.CharField(max_length=500)  # name in the configured storage
    size = models.PositiveIntegerField()  # bytes
    sha256 = models.CharField(max_length=64)  # the ETag
    created_at = models.DateTimeField(auto_now_add=True)  # Last-Modified

    class Meta:
        constraints = [models.UniqueConstraint(fields=["certificate", "revision", "kind"],
                                               name="cert_rendered_file")]

    def __str__(self) -> str:
        return f"{self.certificate_id} r{self.revision} {self.kind}"


class ReissueRequest(models.Model):
    """A learner's request to reprint a certificate with their corrected profile name.

    At most one request per certificate is open (``open`` is 1 or NULL inside a
    unique index, as for active certificates). Staff grant it (a reissue with the
    same code) or decline it with a reason; both close it.
    """

    PENDING, GRANTED, DECLINED = "pending", "granted", "declined"
    STATUSES = [(PENDING, _("Pending")), (GRANTED, _("Granted")), (DECLINED, _("Declined"))]

    certificate = models.ForeignKey(Certificate, related_name="reissue_requests", on_delete=models.CASCADE)
    current_name = models.CharField(max_length=255)  # the name printed when the learner asked
    requested_name = models.CharField(max_length=255)  # the profile name the learner wants printed
    status = models.CharField(max_length=10, choices=STATUSES, default=PENDING)
    open = models.BooleanField(null=True, default=True)  # True while pending, NULL once decided
    created_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True, default="")  # staff's reason when declining

    class Meta:
        constraints = [models.UniqueConstraint(fields=["certificate", "open"], name="cert_one_open_request")]
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.status}: {self.current_name} -> {self.requested_name}"


class Job(models.Model):
    """A long course-wide operation (backfill, reissue all) that staff watch progress of."""

    BACKFILL, REISSUE_ALL = "backfill", "reissue_all"
    KINDS = [(BACKFILL, _("Issue to qualified learners")),
             (REISSUE_ALL, _("Reissue all with the current template"))]
    QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
    STATES = [(QUEUED, _("Queued")), (RUNNING, _("Running")), (DONE, _("Done")), (FAILED, _("Failed"))]

    kind = models.CharField(max_length=20, choices=KINDS)
    course_key: CourseKeyColumn = CourseKeyField(max_length=255, db_index=True)
    state = models.CharField(max_length=10, choices=STATES, default=QUEUED)
    total = models.PositiveIntegerField(null=True, blank=True)  # None while unknown
    done = models.PositiveIntegerField(default=0)  # learners or certificates handled so far
    failed = models.PositiveIntegerField(default=0)
    result = models.JSONField(default=dict, blank=True)  # the final counts
    error = models.TextField(blank=True, default="")
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # When the worker last wrote progress; a queued or running job silent for longer than
    # CERT_PLUGIN["JOB_STALE_AFTER"] is taken for dead (its worker was killed) and can be restarted.
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.course_key} {self.state} {self.done}/{self.total}"

    @property
    def percent(self) -> int:
        if self.state == self.DONE:
            return 100
        if not self.total:
            return 0
        return min(100, round(100 * self.done / self.total))


class OrganizationBranding(models.Model):
    """An institution's logo, colours and signatories, which its new templates inherit.

    Inherited when a template version is saved (copied into it), so a later
    branding change never alters certificates already issued.
    """

    org = models.CharField(max_length=255, unique=True)  # the course org, e.g. "Northwind"
    display_name = models.CharField(max_length=255, blank=True, default="")  # institution's full name
    primary_color = models.CharField(max_length=7, blank=True, default="")  # "#1f4e79"
    accent_color = models.CharField(max_length=7, blank=True, default="")  # "#b08d3c"
    signatories = models.JSONField(default=list, blank=True)  # [{"name", "title", "signature": asset}]
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    def __str__(self) -> str:
        return self.display_name or self.org


class BrandingAsset(models.Model):
    """A file of an organization's branding: its logo and signature images."""

    branding = models.ForeignKey(OrganizationBranding, related_name="assets", on_delete=models.CASCADE)
    name = models.CharField(max_length=50)  # "logo", or a signature image's name
    content = models.BinaryField()
    mime = models.CharField(max_length=100)
    size = models.PositiveIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["branding", "name"], name="cert_branding_asset")]

    def __str__(self) -> str:
        return f"{self.name} of {self.branding}"


class OutboxTask(models.Model):
    """A background task waiting to reach the broker (the transactional outbox).

    With a broker configured, ``jobs.enqueue`` writes one row in the same
    transaction as the work that calls for the task, so the two commit or roll
    back together; after commit the task is sent and its row deleted. A send
    that fails (broker down) leaves the row for the relay (``relay_outbox``
    task, ``cert_flush_outbox`` command), which sends it later: a render or a
    learner's email is never lost. Only pending rows stay, so the table holds
    no history. In-process mode (no broker) writes no rows.
    """

    task_name = models.CharField(max_length=200)  # registered Celery task name
    args = models.JSONField(default=list)  # positional arguments: ids and key strings
    created_at = models.DateTimeField(auto_now_add=True)
    # The relay takes the row once this time has passed: a grace period after it is written (the
    # committing process sends it), a lease while a relay sends it, a backoff after a failed send.
    next_attempt_at = models.DateTimeField(db_index=True)
    attempts = models.PositiveIntegerField(default=0)  # sends tried so far
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True, default="")  # why the last send failed, for operators

    class Meta:
        ordering = ["next_attempt_at", "id"]

    def __str__(self) -> str:
        return f"{self.task_name}{tuple(self.args)!r}"


class NotificationDelivery(models.Model):
    """One notification to one learner through one backend: sent, or why not yet.

    Written before the first send and updated after each attempt, so a delivery
    that fails stays visible (Django admin, *Notification deliveries*: attempts
    and last error) and is tried again later, with or without a broker
    (``retry_notifications``, run by ``cert_send_reminders`` and the reminders
    task). ``key`` names what the message is about (``"issued:r1"``,
    ``"expiring:2027-01-10:30"``); it is unique per certificate and backend, so a
    repeated announcement or a concurrent reminder run never sends twice.
    """

    PENDING, SENDING, SENT, FAILED, SKIPPED = "pending", "sending", "sent", "failed", "skipped"
    STATES = [(PENDING, _("Waiting")), (SENDING, _("Sending")), (SENT, _("Sent")), (FAILED, _("Failed")),
              (SKIPPED, _("Not needed any more"))]

    certificate = models.ForeignKey(Certificate, related_name="deliveries", on_delete=models.CASCADE)
    event = models.CharField(max_length=20)  # "issued" | "reissued" | "revoked" | "expiring"
    key = models.CharField(max_length=60)  # what the message is about; unique per certificate and backend
    backend_index = models.PositiveIntegerField()  # position in NOTIFY["BACKENDS"] when it was queued
    backend = models.CharField(max_length=255)  # that backend's dotted path (never its options: secrets)
    state = models.CharField(max_length=10, choices=STATES, default=PENDING)
    attempts = models.PositiveIntegerField(default=0)  # sends tried so far
    last_error = models.TextField(blank=True, default="")  # why the last send failed (or was skipped)
    created_at = models.DateTimeField(auto_now_add=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    # When a failed delivery is tried again (a sending one: when its sender is taken for dead);
    # None once sent, skipped, or given up after too many attempts.
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["certificate", "key", "backend_index"],
                                               name="cert_one_delivery")]
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "notification deliveries"

    def __str__(self) -> str:
        return f"{self.event} {self.certificate_id} via {self.backend}: {self.state}"


class CredentialSubject(models.Model):
    """The learner's identifier in Open Badges credentials: ``credentialSubject.id`` and the VC-JWT ``sub``.

    A random ``urn:uuid``, made the first time a credential is built for the learner and kept:
    the same in every credential this issuer gives them (a wallet can group them; a relying party
    can tell two credentials belong to one holder), it reveals nothing about them (no e-mail
    address, username or user id, which a name-based UUID of a small number would) and outlives
    key rotations and site moves. ADR 0011.
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    subject_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"urn:uuid:{self.subject_id}"
