"""Django admin for site operators: a read-only window on the plugin's records.

Every change goes through :mod:`cert_plugin.api` (which keeps the audit trail),
so the admin lists and shows but neither adds, edits nor deletes.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from cert_plugin.models import (
    Approval,
    AuditEvent,
    Certificate,
    CertificateTemplate,
    CertificateTemplateVersion,
    CourseCertificateConfig,
    OutboxTask,
    RenderedFile,
    RequirementRecord,
    SigningKey,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Lists and shows records; changes are made through the api (and audited there)."""

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


class RenderProblem(admin.SimpleListFilter):
    """Certificates whose last render failed: staff fix the template or storage, the task retries."""

    title = "render problems"
    parameter_name = "render_problem"

    def lookups(self, request: Any, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", "Render failed")]

    def queryset(self, request: Any, queryset: Any) -> Any:
        return queryset.exclude(render_error="") if self.value() == "yes" else queryset


@admin.register(Certificate)
class CertificateAdmin(ReadOnlyAdmin):
    list_display = ("formatted_code", "learner_name", "course_key", "status", "issued_at", "expires_at",
                    "revision")
    list_filter = ("state", RenderProblem)
    search_fields = ("verification_code", "learner_name", "user__username", "user__email")
    date_hierarchy = "issued_at"
    list_select_related = ("user",)


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "action", "course_key", "user", "actor", "reason")
    list_filter = ("action",)
    search_fields = ("user__username", "actor__username", "reason")
    list_select_related = ("user", "actor")


@admin.register(CourseCertificateConfig)
class CourseCertificateConfigAdmin(ReadOnlyAdmin):
    list_display = ("course_key", "enabled", "template", "min_grade", "min_completion", "requires_approval",
                    "validity_days")
    list_filter = ("enabled", "requires_approval")


@admin.register(CertificateTemplate)
class CertificateTemplateAdmin(ReadOnlyAdmin):
    """Templates are edited in the template editor (live preview, validation, versions): link to it."""

    list_display = ("name", "org", "is_builtin", "created_at", "editor_link")

    @admin.display(description="Edit")
    def editor_link(self, template: CertificateTemplate) -> str:
        url = reverse("cert_plugin:template-edit", args=[template.pk])
        label = "View in the template editor" if template.is_builtin else "Open the template editor"
        return format_html('<a href="{}">{}</a>', url, label)


@admin.register(CertificateTemplateVersion)
class CertificateTemplateVersionAdmin(ReadOnlyAdmin):
    list_display = ("template", "number", "orientation", "digest", "created_at", "created_by")


@admin.register(RenderedFile)
class RenderedFileAdmin(ReadOnlyAdmin):
    list_display = ("certificate", "revision", "kind", "size", "created_at")
    list_filter = ("kind",)


@admin.register(SigningKey)
class SigningKeyAdmin(ReadOnlyAdmin):
    list_display = ("key_id", "algorithm", "created_at")


@admin.register(RequirementRecord)
class RequirementRecordAdmin(ReadOnlyAdmin):
    list_display = ("user", "course_key", "key", "met", "by", "modified_at")


@admin.register(Approval)
class ApprovalAdmin(ReadOnlyAdmin):
    list_display = ("user", "course_key", "decision", "by", "modified_at")


@admin.register(OutboxTask)
class OutboxTaskAdmin(ReadOnlyAdmin):
    """Background tasks not yet handed to the broker: after an outage, how many, and why.

    Rows leave by themselves once sent (the relay runs every minute, or
    ``manage.py cert_flush_outbox``); one that keeps failing shows its error here.
    """

    list_display = ("task_name", "args", "attempts", "short_error", "next_attempt_at", "created_at")
    list_filter = ("task_name",)
    search_fields = ("last_error",)

    @admin.display(description="last error")
    def short_error(self, task: OutboxTask) -> str:
        error = task.last_error or "-"
        return error if len(error) <= 120 else error[:119] + "\u2026"
