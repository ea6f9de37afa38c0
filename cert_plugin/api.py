"""The public Python API of cert_plugin: the one door to its records.

Views, the REST API, admin, the XBlock, receivers, tasks and management
commands call these functions; nothing else writes the plugin's models.
``course_key`` arguments accept an opaque-keys ``CourseKey`` or its string.

This module is a facade: every name below lives in a room of
:mod:`cert_plugin.domain` that owns one concern (docs/architecture.md has the
map, docs/decisions/0007-api-rooms.rst the reasons). Callers import this
module, never a room; the rooms never import it.
"""

from __future__ import annotations

from cert_plugin.data import (
    ChecklistItem,
    CourseStatus,
    Download,
    LearnerPage,
    LearnerRow,
    Progress,
    Refusal,
    Verification,
)
from cert_plugin.domain.approvals import (
    request_review,
)
from cert_plugin.domain.branding import (
    BRANDING_LOGO,
    branding,
    branding_asset,
    can_edit_org,
    certificate_issuer,
    editable_orgs,
    issuer_name_for,
    org_courses,
    set_branding,
)
from cert_plugin.domain.configuration import (
    configuration_problems,
    configure_course,
)
from cert_plugin.domain.course_jobs import (
    BackfillReport,
    backfill,
    job,
    queue_backfill,
    recent_jobs,
    reissue_all,
    run_job,
    start_job,
)
from cert_plugin.domain.deliveries import DeliveryReport
from cert_plugin.domain.file_check import FILE_STATUSES, MAX_CHECKED_FILE_BYTES, FileCheck, check_file
from cert_plugin.domain.files import (
    PNG_DPIS,
    THUMBNAIL_WIDTHS,
    cached_file,
    download,
    file_etag,
    record_render_failure,
    render_files,
    render_pdf,
    render_png,
    verify_url,
)
from cert_plugin.domain.issuing import (
    STATUS_LIST_SIZE,
    approve,
    evaluate,
    evaluate_ids,
    get_progress,
    issue,
    mark_requirement_met,
    reject,
    requirements_summary,
)
from cert_plugin.domain.learners import (
    LEARNER_STATUSES,
    certificates_for,
    learner_overview,
)
from cert_plugin.domain.lifecycle import (
    decide_reissue_request,
    reissue,
    reissue_requests,
    request_reissue,
    revoke,
    set_public,
)
from cert_plugin.domain.notifications import (
    announce,
    notify_backend,
    reminder_report,
    retry_deliveries,
    retry_notifications,
    send_expiry_reminders,
)
from cert_plugin.domain.open_badges import (
    credential_algorithms,
    credential_json,
    credential_jwt,
    issuer_jwks,
    issuer_key,
    issuer_multikey,
    issuer_profile,
    revoked_status_indexes,
    status_list_credential,
    status_list_jwt,
)
from cert_plugin.domain.outbox import (
    OutboxReport,
    outbox_failed,
    outbox_record,
    outbox_record_all,
    outbox_sent,
    relay_outbox,
)
from cert_plugin.domain.shared import (
    BrandingError,
    CertPluginError,
    InvalidCourseKey,
    RenderFailed,
    RequirementsError,
    TemplateError,
    UnknownCourse,
    active_certificate,
    get_config,
    get_host,
    parse_course_key,
)
from cert_plugin.domain.staff import (
    audit_events,
    audit_trail,
    awaiting_approval,
    course_learner,
    course_learners,
    enrolled_count,
    export_rows,
    review_requests,
)
from cert_plugin.domain.staff_courses import (
    StaffIndex,
    TaughtCourse,
    staff_index,
    taught_courses,
    teaches_courses,
)
from cert_plugin.domain.template_catalog import (
    TemplateRow,
    archive_template,
    archived_count,
    delete_template,
    template_events,
    template_rows,
    template_usage,
    unarchive_template,
)

# A type the template editor's views annotate with; re-exported, not part of __all__ (as before).
from cert_plugin.domain.template_inputs import AssetInput as AssetInput
from cert_plugin.domain.templates import (
    attachable_courses,
    builtin_templates,
    can_edit_template,
    can_use_template_editor,
    courses_using,
    create_template,
    duplicate_template,
    editor_templates,
    preview_template,
    preview_template_version,
    restore_template_version,
    set_course_template,
    template_asset,
    template_by_id,
    template_notices,
    template_sample_data,
    template_thumbnail,
    template_variables,
    template_versions,
    templates,
    update_template,
)
from cert_plugin.domain.verification import (
    can_view,
    certificate_by_code,
    certificate_changed,
    forget_verify_answers,
    public_certificates,
    signature_payload,
    signature_valid,
    signing_keys,
    signs_certificates,
    unsigned_count,
    verify,
    verify_answer_generation,
)

# Today's names, kept importable from here with the same behaviour (integrators depend on them).
__all__ = [
    "BRANDING_LOGO", "LEARNER_STATUSES", "PNG_DPIS", "STATUS_LIST_SIZE", "THUMBNAIL_WIDTHS", "BackfillReport",
    "BrandingError",
    "CertPluginError", "ChecklistItem", "CourseStatus", "DeliveryReport", "Download", "InvalidCourseKey",
    "LearnerPage",
    "LearnerRow", "OutboxReport", "Progress", "Refusal", "RenderFailed", "RequirementsError",
    "TemplateError",
    "UnknownCourse", "Verification", "active_certificate", "announce", "approve", "attachable_courses",
    "audit_events", "audit_trail", "awaiting_approval", "backfill", "branding", "branding_asset",
    "builtin_templates", "cached_file", "can_edit_org", "can_edit_template", "can_use_template_editor",
    "can_view", "certificate_by_code", "certificate_issuer",
    "certificates_for", "configure_course", "course_learner",
    "course_learners", "courses_using", "create_template", "credential_algorithms", "credential_json",
    "credential_jwt",
    "decide_reissue_request", "download", "duplicate_template", "editable_orgs", "editor_templates",
    "enrolled_count", "evaluate", "evaluate_ids", "export_rows", "file_etag", "get_config", "get_host",
    "get_progress",
    "issue", "issuer_jwks", "issuer_key", "issuer_multikey", "issuer_name_for", "issuer_profile", "job",
    "learner_overview",
    "mark_requirement_met",
    "notify_backend", "org_courses", "outbox_failed", "outbox_record", "outbox_record_all", "outbox_sent",
    "parse_course_key", "preview_template", "preview_template_version", "public_certificates",
    "queue_backfill", "recent_jobs", "record_render_failure", "reissue", "reissue_all",
    "reissue_requests", "reject", "relay_outbox", "reminder_report", "render_files", "render_pdf",
    "render_png",
    "request_reissue", "request_review", "requirements_summary", "restore_template_version",
    "retry_deliveries",
    "retry_notifications", "review_requests", "revoke",
    "revoked_status_indexes", "run_job", "send_expiry_reminders", "set_branding", "set_course_template",
    "set_public", "signature_payload", "signature_valid", "signing_keys", "signs_certificates", "start_job",
    "status_list_credential", "status_list_jwt", "template_asset", "template_by_id", "template_notices",
    "template_sample_data", "template_variables", "template_versions", "templates", "unsigned_count",
    "update_template", "verify", "verify_url",
]
# The template list (issue 14, point 11): what it shows, each version's picture, archive and delete.
__all__ += [
    "TemplateRow", "archive_template", "archived_count", "delete_template", "template_events",
    "template_rows", "template_thumbnail", "template_usage", "unarchive_template",
]
# The staff pages (issue 14): every problem of the course settings at once; the index of the courses a
# user teaches.
__all__ += ["StaffIndex", "TaughtCourse", "configuration_problems", "staff_index", "taught_courses",
            "teaches_courses"]
# Checking a certificate by its file (issue 15, part 4): the credential a PDF or PNG carries.
__all__ += ["FILE_STATUSES", "MAX_CHECKED_FILE_BYTES", "FileCheck", "check_file"]
# Verify at speed (issue 16): the generation of a code's cached answers, dropped on every change.
__all__ += ["certificate_changed", "forget_verify_answers", "verify_answer_generation"]
