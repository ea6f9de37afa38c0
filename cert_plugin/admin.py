"""Django admin for site operators and support staff: a read-only window on the plugin's records.

Every change goes through :mod:`cert_plugin.api` (which keeps the audit trail),
so the admin lists and shows but neither adds, edits nor deletes; each record
links to the page where people work with it (the verify page, the certificate
page, the staff dashboard, the template and branding editors). The one action
is "Send again" on failed notification deliveries, which goes through the api.
Dates are written as on the plugin's pages (:mod:`cert_plugin.dates`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from cert_plugin import api
from cert_plugin.dates import local_date
from cert_plugin.models import (
    Approval,
    AuditEvent,
    Certificate,
    CertificateTemplate,
    CertificateTemplateVersion,
    CourseCertificateConfig,
    Job,
    NotificationDelivery,
    OrganizationBranding,
    OutboxTask,
    ReissueRequest,
    RenderedFile,
    RequirementRecord,
    SigningKey,
    TemplateEvent,
)

EMPTY = "\u2014"


class ReadOnlyAdmin(admin.ModelAdmin):
    """Lists and shows records; changes are made through the api (and audited there)."""

    class Media:
        css = {"all": ["cert_plugin/admin.css"]}

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


def _when(field: str, description: Any, *, with_time: bool = False) -> Callable[[Any, Any], str]:
    """A list column writing ``field``'s date as the plugin's pages do (sortable by the field)."""

    @admin.display(description=description, ordering=field)
    def column(self: Any, obj: Any) -> str:
        return local_date(getattr(obj, field), with_time=with_time) or EMPTY

    return column


def _url(name: str, *args: Any) -> str:
    try:
        return reverse(name, args=[str(arg) for arg in args])
    except NoReverseMatch:  # the host did not mount that page
        return ""


def _links(*links: tuple[str, Any]) -> SafeString | str:
    """Links one per line: ``(url, label)``; those whose page is not mounted are left out."""
    shown = [(url, label) for url, label in links if url]
    if not shown:
        return EMPTY
    return format_html('<ul class="cp-admin-links">{}</ul>',
                       format_html_join("", '<li><a href="{}">{}</a></li>', shown))


def _certificate_links(certificate: Certificate) -> SafeString | str:
    code = certificate.formatted_code
    return _links((_url("cert_plugin:verify", code), "Verify page"),
                  (_url("cert_plugin:certificate", code), "Certificate page"),
                  (_url("cert_plugin:download-pdf", code), "PDF"))


def _dashboard(course_key: Any, anchor: str = "") -> str:
    url = _url("cert_plugin:staff-dashboard", course_key)
    return f"{url}#{anchor}" if url and anchor else url


def _certificate_admin_link(certificate: Certificate) -> SafeString:
    url = reverse("admin:cert_plugin_certificate_change", args=[certificate.pk])
    return format_html('<a class="cp-admin-code" href="{}">{}</a>', url, certificate.formatted_code)


class RenderProblem(admin.SimpleListFilter):
    """Certificates whose last render failed: staff fix the template or storage, the task retries."""

    title = "render problems"
    parameter_name = "render_problem"

    def lookups(self, request: Any, model_admin: Any) -> list[tuple[str, Any]]:
        return [("yes", "Render failed")]

    def queryset(self, request: Any, queryset: Any) -> Any:
        return queryset.exclude(render_error="") if self.value() == "yes" else queryset


class DeliveryInline(admin.TabularInline):
    """The certificate's notifications: what was sent to the learner, and what failed."""

    model = NotificationDelivery
    fields = ("event", "backend", "state", "attempts", "last_error", "sent")
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name = "notification"
    verbose_name_plural = "notifications to the learner"
    sent = _when("sent_at", "sent", with_time=True)

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(Certificate)
class CertificateAdmin(ReadOnlyAdmin):
    """Support staff find a certificate and open its pages from here."""

    list_display = ("code", "learner_name", "course", "status_label", "issued", "expires", "pages")
    list_display_links = ("code",)
    # Filtered by issue date rather than drilled down by it: the drill-down writes Django's month names,
    # capitalised in Portuguese.
    list_filter = ("state", ("issued_at", admin.DateFieldListFilter), RenderProblem)
    search_fields = ("verification_code", "learner_name", "user__username", "user__email", "course_title")
    list_select_related = ("user",)
    readonly_fields = ("pages", "course_pages", "issued_when", "expires_when", "revoked_when",
                       "reminded_when")
    fieldsets = [
        (None, {"fields": ["pages", "course_pages"]}),
        ("Certificate", {"fields": ["verification_code", "state", "user", "learner_name", "course_key",
                                       "course_title", "org", "issuer_name", "hours", "grade", "issued_when",
                                       "expires_when", "revision", "template_version", "language",
                                       "is_public"]}),
        ("Revocation", {"fields": ["revoked_when", "revoke_reason", "revoke_reason_public"]}),
        ("Signature and files", {"fields": ["signing_key_id", "signature", "status_index", "render_error",
                                            "reminded_when"]}),
    ]
    inlines = [DeliveryInline]

    issued = _when("issued_at", "issued")
    expires = _when("expires_at", "expires")
    issued_when = _when("issued_at", "issued at", with_time=True)
    expires_when = _when("expires_at", "expires at", with_time=True)
    revoked_when = _when("revoked_at", "revoked at", with_time=True)
    reminded_when = _when("expiry_reminded_at", "expiry reminder sent at", with_time=True)

    @admin.display(description="code", ordering="verification_code")
    def code(self, certificate: Certificate) -> str:
        return certificate.formatted_code

    @admin.display(description="course", ordering="course_title")
    def course(self, certificate: Certificate) -> SafeString:
        return format_html('{}<span class="cp-admin-key">{}</span>', certificate.course_title,
                           certificate.course_key)

    @admin.display(description="status", ordering="state")
    def status_label(self, certificate: Certificate) -> str:
        return {Certificate.ISSUED: "Issued", Certificate.REVOKED: "Revoked",
                Certificate.EXPIRED: "Expired"}[certificate.status]

    @admin.display(description="open")
    def pages(self, certificate: Certificate) -> SafeString | str:
        return _certificate_links(certificate)

    @admin.display(description="course staff")
    def course_pages(self, certificate: Certificate) -> SafeString | str:
        template_id = certificate.template_version.template_id if certificate.template_version_id else None
        return _links((_dashboard(certificate.course_key), "Certificates dashboard of the course"),
                      (_url("cert_plugin:template-edit", template_id) if template_id else "",
                       "Its template in the template editor"))


@admin.register(NotificationDelivery)
class NotificationDeliveryAdmin(ReadOnlyAdmin):
    """Every notification to a learner and how its delivery went: a failed one shows why, and when it is
    tried again (``cert_send_reminders`` retries them); "Send again" tries the selected ones now."""

    list_display = ("created", "certificate_code", "notification", "outcome", "short_error", "next_attempt")
    list_filter = ("state", "event")
    search_fields = ("certificate__verification_code", "certificate__learner_name",
                     "certificate__user__email", "last_error")
    list_select_related = ("certificate",)
    actions = ["send_again"]

    created = _when("created_at", "queued", with_time=True)
    next_attempt = _when("next_attempt_at", "tried again", with_time=True)

    @admin.display(description="certificate", ordering="certificate__verification_code")
    def certificate_code(self, delivery: NotificationDelivery) -> SafeString:
        return format_html("{}<br>{}", _certificate_admin_link(delivery.certificate),
                           delivery.certificate.learner_name)

    @admin.display(description="notification", ordering="event")
    def notification(self, delivery: NotificationDelivery) -> SafeString:
        return format_html('{}<span class="cp-admin-key">{}</span>', delivery.event,
                           delivery.backend.rsplit(".", 1)[-1])

    @admin.display(description="state", ordering="state")
    def outcome(self, delivery: NotificationDelivery) -> str:
        attempts = f"{delivery.attempts} attempt" + ("" if delivery.attempts == 1 else "s")
        state = delivery.get_state_display()
        if delivery.state == NotificationDelivery.FAILED and delivery.next_attempt_at is None:
            state = "Failed, given up"
        return f"{state} ({attempts})" if delivery.attempts else state

    @admin.display(description="last error")
    def short_error(self, delivery: NotificationDelivery) -> str:
        error = delivery.last_error or EMPTY
        return error if len(error) <= 160 else error[:159] + "\u2026"

    @admin.action(description="Send the selected failed notifications again now")
    def send_again(self, request: HttpRequest, queryset: QuerySet[NotificationDelivery]) -> None:
        report = api.retry_deliveries(queryset.values_list("pk", flat=True))
        tried = report.sent + report.failed + report.waiting + report.skipped
        if not tried:
            self.message_user(request, "Only failed notifications are sent again; none was selected.",
                              messages.WARNING)
            return
        text = (f"Tried {tried} notification(s) again: {report.sent} sent, {report.failed} failed, "
                f"{report.waiting} queued for the workers.")
        if report.error:
            text += f" Last error: {report.error}"
        self.message_user(request, text, messages.WARNING if report.failed else messages.SUCCESS)


@admin.register(ReissueRequest)
class ReissueRequestAdmin(ReadOnlyAdmin):
    """Learners' name-change requests; course staff grant or decline them on the certificates dashboard."""

    list_display = ("created", "certificate_code", "names", "status", "decision", "decide")
    list_filter = ("status",)
    search_fields = ("certificate__verification_code", "current_name", "requested_name",
                     "certificate__user__username")
    list_select_related = ("certificate", "decided_by")

    created = _when("created_at", "requested")

    @admin.display(description="printed name \u2192 requested name")
    def names(self, request_: ReissueRequest) -> SafeString:
        return format_html("{}<br>\u2192 {}", request_.current_name, request_.requested_name)

    @admin.display(description="decided", ordering="decided_at")
    def decision(self, request_: ReissueRequest) -> SafeString | str:
        if request_.decided_at is None:
            return EMPTY
        by = request_.decided_by.get_username() if request_.decided_by else ""
        return format_html("{}<br>{}", local_date(request_.decided_at), by)

    @admin.display(description="certificate", ordering="certificate__verification_code")
    def certificate_code(self, request_: ReissueRequest) -> SafeString:
        return _certificate_admin_link(request_.certificate)

    @admin.display(description="open")
    def decide(self, request_: ReissueRequest) -> SafeString | str:
        label = "Decide on the dashboard" if request_.status == ReissueRequest.PENDING else "Dashboard"
        return _links((_dashboard(request_.certificate.course_key, "name-changes"), label),
                      (_url("cert_plugin:verify", request_.certificate.formatted_code), "Verify page"))


@admin.register(Job)
class JobAdmin(ReadOnlyAdmin):
    """Course-wide jobs (issue to qualified learners, reissue all): progress, result, error."""

    list_display = ("job", "outcome", "started", "finished", "watch")
    list_filter = ("state", "kind")
    search_fields = ("course_key", "error")
    list_select_related = ("started_by",)

    finished = _when("finished_at", "finished", with_time=True)

    @admin.display(description="job", ordering="kind")
    def job(self, job: Job) -> SafeString:
        return format_html('{}<span class="cp-admin-key">{}</span>', job.get_kind_display(), job.course_key)

    @admin.display(description="state", ordering="state")
    def outcome(self, job: Job) -> str:
        progress = f"{job.done} / {job.total}" if job.total is not None else str(job.done)
        failed = f", {job.failed} failed" if job.failed else ""
        return f"{job.get_state_display()}: {progress}{failed}"

    @admin.display(description="started", ordering="created_at")
    def started(self, job: Job) -> SafeString:
        by = job.started_by.get_username() if job.started_by else ""
        return format_html("{}<br>{}", local_date(job.created_at, with_time=True), by)

    @admin.display(description="open")
    def watch(self, job: Job) -> SafeString | str:
        return _links((_dashboard(job.course_key, "jobs"), "Course-wide actions"))


@admin.register(OrganizationBranding)
class OrganizationBrandingAdmin(ReadOnlyAdmin):
    """Each organization's logo, colours and signatories; edited in the branding editor."""

    list_display = ("org", "display_name", "colours", "signatory_count", "updated", "updated_by", "edit")
    search_fields = ("org", "display_name")
    list_select_related = ("updated_by",)
    readonly_fields = ("edit",)
    fields = ("edit", "org", "display_name", "primary_color", "accent_color", "signatories", "updated_at",
              "updated_by")

    updated = _when("updated_at", "updated")

    @admin.display(description="colours")
    def colours(self, branding: OrganizationBranding) -> SafeString | str:
        shown = [colour for colour in (branding.primary_color, branding.accent_color) if colour]
        if not shown:
            return EMPTY
        return format_html_join(" ", '<span class="cp-admin-swatch" style="background:{}"></span>{}',
                                ((colour, colour) for colour in shown))

    @admin.display(description="signatories")
    def signatory_count(self, branding: OrganizationBranding) -> int:
        return len(branding.signatories or [])

    @admin.display(description="edit")
    def edit(self, branding: OrganizationBranding) -> SafeString | str:
        return _links((_url("cert_plugin:branding", branding.org), "Open the branding editor"))


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("created", "action", "course_key", "user", "actor", "reason")
    list_filter = ("action",)
    search_fields = ("user__username", "actor__username", "reason")
    list_select_related = ("user", "actor")

    created = _when("created_at", "when", with_time=True)


@admin.register(CourseCertificateConfig)
class CourseCertificateConfigAdmin(ReadOnlyAdmin):
    list_display = ("course_key", "enabled", "template", "requirements", "dashboard")
    list_filter = ("enabled", "requires_approval")

    @admin.display(description="requirements")
    def requirements(self, config: CourseCertificateConfig) -> str:
        found = [f"grade \u2265 {config.min_grade:.0%}" if config.min_grade is not None else "passing grade",
                 f"{config.min_completion:.0%} of lessons"]
        if config.required_quizzes:
            found.append(f"{len(config.required_quizzes)} quiz(zes) \u2265 {config.min_quiz_score:.0%}")
        if config.additional_requirements:
            found.append(f"{len(config.additional_requirements)} confirmed by staff")
        if config.requires_approval:
            found.append("approval")
        found.append(f"valid {config.validity_days} days" if config.validity_days else "never expires")
        return " \u00b7 ".join(found)

    @admin.display(description="open")
    def dashboard(self, config: CourseCertificateConfig) -> SafeString | str:
        return _links((_dashboard(config.course_key), "Dashboard"))


@admin.register(CertificateTemplate)
class CertificateTemplateAdmin(ReadOnlyAdmin):
    """Templates are edited in the template editor (live preview, validation, versions): link to it."""

    list_display = ("name", "org", "is_builtin", "created", "archived", "editor_link")
    list_filter = (("archived_at", admin.EmptyFieldListFilter),)
    readonly_fields = ("editor_link",)
    fields = ("editor_link", "name", "org", "is_builtin", "created_at", "archived_at")

    created = _when("created_at", "created")
    archived = _when("archived_at", "archived")

    @admin.display(description="edit")
    def editor_link(self, template: CertificateTemplate) -> SafeString | str:
        label = "View in the template editor" if template.is_builtin else "Open the template editor"
        return _links((_url("cert_plugin:template-edit", template.pk), label))


@admin.register(TemplateEvent)
class TemplateEventAdmin(ReadOnlyAdmin):
    """Who archived, unarchived or deleted which template, and when (a deleted one keeps its name here)."""

    list_display = ("when", "action", "template_name", "org", "actor")
    list_filter = ("action",)
    search_fields = ("template_name", "org")
    list_select_related = ("actor",)

    when = _when("created_at", "when", with_time=True)


@admin.register(CertificateTemplateVersion)
class CertificateTemplateVersionAdmin(ReadOnlyAdmin):
    list_display = ("template", "number", "orientation", "short_digest", "created", "created_by",
                    "editor_link")
    list_select_related = ("template", "created_by")

    created = _when("created_at", "saved", with_time=True)

    @admin.display(description="digest")
    def short_digest(self, version: CertificateTemplateVersion) -> SafeString:
        return format_html('<span title="{}">{}…</span>', version.digest, version.digest[:12])

    @admin.display(description="edit")
    def editor_link(self, version: CertificateTemplateVersion) -> SafeString | str:
        return _links((_url("cert_plugin:template-edit", version.template_id), "Open the template editor"))


@admin.register(RenderedFile)
class RenderedFileAdmin(ReadOnlyAdmin):
    list_display = ("certificate", "revision", "kind", "size", "created")
    list_filter = ("kind",)

    created = _when("created_at", "rendered", with_time=True)


@admin.register(SigningKey)
class SigningKeyAdmin(ReadOnlyAdmin):
    list_display = ("key_id", "algorithm", "created")

    created = _when("created_at", "first used")


@admin.register(RequirementRecord)
class RequirementRecordAdmin(ReadOnlyAdmin):
    list_display = ("user", "course_key", "key", "met", "by", "modified")

    modified = _when("modified_at", "recorded")


@admin.register(Approval)
class ApprovalAdmin(ReadOnlyAdmin):
    list_display = ("user", "course_key", "decision", "by", "modified")

    modified = _when("modified_at", "decided")


@admin.register(OutboxTask)
class OutboxTaskAdmin(ReadOnlyAdmin):
    """Background tasks not yet handed to the broker: after an outage, how many, and why.

    Rows leave by themselves once sent (the relay runs every minute, or
    ``manage.py cert_flush_outbox``); one that keeps failing shows its error here.
    """

    list_display = ("task_name", "args", "attempts", "short_error", "next_attempt", "created")
    list_filter = ("task_name",)
    search_fields = ("last_error",)

    next_attempt = _when("next_attempt_at", "next attempt", with_time=True)
    created = _when("created_at", "created", with_time=True)

    @admin.display(description="last error")
    def short_error(self, task: OutboxTask) -> str:
        error = task.last_error or "-"
        return error if len(error) <= 120 else error[:119] + "\u2026"
