"""The template list: what it shows, archiving a template and deleting one nobody uses.

Owns ``template_rows`` (the visible templates with their current version and how many courses
use each, read in a fixed number of queries however many templates there are), archiving
(``archive_template``, ``unarchive_template``: an archived template leaves the list and the course
pickers, and keeps rendering the certificates issued with its immutable versions), deleting a
template no certificate and no course uses (``delete_template``, with a refusal that says why
otherwise), and their trail (``template_events``). Writes: CertificateTemplate (``archived_at``),
TemplateEvent; deleting a template deletes its CertificateTemplateVersion, TemplateAsset and
TemplateThumbnail rows with it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, Max, ProtectedError, Q
from django.utils import timezone
from django.utils.translation import ngettext

from cert_plugin.domain.branding import editable_orgs
from cert_plugin.domain.shared import TemplateError, is_site_staff
from cert_plugin.domain.templates import builtin_templates, courses_using
from cert_plugin.models import (
    Certificate,
    CertificateTemplate,
    CertificateTemplateVersion,
    CourseCertificateConfig,
    TemplateAsset,
    TemplateEvent,
    TemplateThumbnail,
)

__all__ = ["TemplateRow", "archive_template", "archived_count", "delete_template", "template_events",
           "template_rows", "template_usage", "unarchive_template"]


@dataclass(frozen=True)
class TemplateRow:
    """One line of the template list."""

    template: CertificateTemplate
    version: CertificateTemplateVersion | None  # the current one (number, orientation, created_at only)
    editable: bool  # the user may edit, archive or delete it
    courses: int  # courses issuing with it now


def template_rows(user: Any, *, archived: bool = False,
                  orgs: Iterable[str] | None = None) -> list[TemplateRow]:
    """The templates ``user`` sees in the list (``archived``: the archived ones instead), in a few queries.

    Built-ins first, then by organization and name. Each row has the current version's number,
    orientation and date (not its HTML) and how many courses use the template. ``orgs`` is
    ``editable_orgs(user)`` when the caller has it already.
    """
    builtin_templates()
    site_staff = is_site_staff(user)
    orgs = set(editable_orgs(user) if orgs is None else orgs)
    found = CertificateTemplate.objects.filter(archived_at__isnull=not archived)
    if not site_staff:
        found = found.filter(org__in=["", *orgs])
    templates = list(found.annotate(latest=Max("versions__number")).order_by("-is_builtin", "org", "name"))
    ids = [template.pk for template in templates]
    current = Q(pk__in=[])
    for template in templates:
        if template.latest is not None:  # the annotation: the current version's number
            current |= Q(template_id=template.pk, number=template.latest)
    light = ("id", "template_id", "number", "orientation", "created_at")  # not the HTML, CSS or options
    versions = ({version.template_id: version
                 for version in CertificateTemplateVersion.objects.filter(current).only(*light)}
                if ids else {})
    used = (dict(CourseCertificateConfig.objects.filter(template__in=ids).values_list("template")
                 .annotate(n=Count("id")).values_list("template", "n")) if ids else {})
    return [TemplateRow(template=template, version=versions.get(template.pk),
                        editable=not template.is_builtin and (site_staff or template.org in orgs),
                        courses=used.get(template.pk, 0))
            for template in templates]


def archived_count(user: Any, *, orgs: Iterable[str] | None = None) -> int:
    """How many archived templates ``user`` could see (the list links to them)."""
    found = CertificateTemplate.objects.filter(archived_at__isnull=False)
    if not is_site_staff(user):
        found = found.filter(org__in=["", *(editable_orgs(user) if orgs is None else orgs)])
    return found.count()


def template_usage(template: CertificateTemplate) -> tuple[list[Any], int]:
    """The courses issuing with ``template`` now, and how many certificates were issued with it."""
    return courses_using(template), Certificate.objects.filter(template_version__template=template).count()


def _record(action: str, template: CertificateTemplate, by: Any) -> None:
    TemplateEvent.objects.create(action=action, template=template, template_name=template.name,
                                 org=template.org, actor=by if getattr(by, "pk", None) else None)


def _courses_text(keys: list[Any]) -> str:
    shown = ", ".join(str(key) for key in keys[:3])
    return shown + (", …" if len(keys) > 3 else "")


def archive_template(template: CertificateTemplate, *, by: Any = None) -> CertificateTemplate:
    """Take ``template`` out of the template list and the course pickers.

    Certificates issued with it keep rendering with their version. Refused for a built-in
    template and while a course issues with it (the course must choose another first, or its next
    certificates would come from a template nobody can see).
    """
    if template.is_builtin:
        raise TemplateError("Built-in templates cannot be archived.")
    with transaction.atomic():
        locked = CertificateTemplate.objects.select_for_update().get(pk=template.pk)
        if locked.archived_at is not None:
            return locked
        using = courses_using(locked)
        if using:
            raise TemplateError(ngettext(
                "“%(name)s” cannot be archived: the course %(courses)s issues its certificates with it. "
                "Choose another template for that course first.",
                "“%(name)s” cannot be archived: %(count)d courses issue their certificates with it "
                "(%(courses)s). Choose another template for them first.", len(using)) % {
                "name": locked.name, "count": len(using), "courses": _courses_text(using)})
        locked.archived_at = timezone.now()
        locked.save(update_fields=["archived_at"])
        _record(TemplateEvent.ARCHIVED, locked, by)
    return locked


def unarchive_template(template: CertificateTemplate, *, by: Any = None) -> CertificateTemplate:
    """Bring an archived template back to the list and the course pickers."""
    with transaction.atomic():
        locked = CertificateTemplate.objects.select_for_update().get(pk=template.pk)
        if locked.archived_at is None:
            return locked
        locked.archived_at = None
        locked.save(update_fields=["archived_at"])
        _record(TemplateEvent.UNARCHIVED, locked, by)
    return locked


def delete_template(template: CertificateTemplate, *, by: Any = None) -> str:
    """Delete a template that no certificate and no course uses, with all its versions; its name.

    Refused, saying why, for a built-in template, while a course issues with it, and once any
    certificate was issued with one of its versions (that certificate renders with it for good:
    archive the template instead). The deletion stays in the trail (``template_events``).
    """
    if template.is_builtin:
        raise TemplateError("Built-in templates cannot be deleted.")
    with transaction.atomic():
        locked = CertificateTemplate.objects.select_for_update().filter(pk=template.pk).first()
        if locked is None:
            raise TemplateError("This template was deleted already.")
        using, issued = template_usage(locked)
        if using:
            raise TemplateError(ngettext(
                "“%(name)s” cannot be deleted: the course %(courses)s issues its certificates with it.",
                "“%(name)s” cannot be deleted: %(count)d courses issue their certificates with it "
                "(%(courses)s).",
                len(using)) % {"name": locked.name, "count": len(using), "courses": _courses_text(using)})
        if issued:
            raise TemplateError(ngettext(
                "“%(name)s” cannot be deleted: %(count)d certificate was issued with it and keeps rendering "
                "with it. Archive the template to hide it instead.",
                "“%(name)s” cannot be deleted: %(count)d certificates were issued with it and keep rendering "
                "with it. Archive the template to hide it instead.", issued) % {
                "name": locked.name, "count": issued})
        _record(TemplateEvent.DELETED, locked, by)
        name = locked.name
        try:
            with transaction.atomic():
                TemplateThumbnail.objects.filter(version__template=locked).delete()
                TemplateAsset.objects.filter(version__template=locked).delete()
                CertificateTemplateVersion.objects.filter(template=locked).delete()
                locked.delete()
        except (ProtectedError, IntegrityError):  # a certificate or a course took it up meanwhile
            raise TemplateError(f"“{name}” cannot be deleted now: it has just been put to use. "
                                "Archive it instead.") from None
    return name


def template_events(template: CertificateTemplate) -> list[TemplateEvent]:
    """What staff did to ``template`` as a whole (archived, unarchived), newest first, with who."""
    return list(template.events.select_related("actor").order_by("-created_at", "-id"))
