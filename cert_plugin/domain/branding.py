"""An organization's branding (display name, logo, colours, signatories) and who may edit which organization.

The display name is the issuer its courses' certificates name (:func:`issuer_name_for`), read when
each certificate is issued. Templates created for an organization inherit the rest of its
branding: it is copied into the template's first version. Either way a later branding change never
alters a certificate already issued (a snapshot). Writes: OrganizationBranding, BrandingAsset.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction
from opaque_keys.edx.keys import CourseKey

from cert_plugin import conf
from cert_plugin.domain.shared import BrandingError, TemplateError, get_host, is_site_staff
from cert_plugin.domain.template_inputs import (
    AssetInput,
    clean_color,
    clean_template_options,
    merge_assets,
    refuse_unstorable,
)
from cert_plugin.models import (
    BrandingAsset,
    CertificateTemplate,
    CourseCertificateConfig,
    OrganizationBranding,
)

BRANDING_LOGO = "logo"  # the asset name of an organization's logo, in its branding and templates


def branding(org: str) -> OrganizationBranding | None:
    """The organization's branding, or None when it has none."""
    org = (org or "").strip()
    if not org:
        return None
    return OrganizationBranding.objects.filter(org=org).prefetch_related("assets").first()


def issuer_name_for(org: str) -> str:
    """The issuer named on the certificates of ``org``'s courses, and in their previews.

    The organization's display name (its branding) when set; else ``CERT_PLUGIN["ISSUER_NAME"]``
    (whose default is the platform's ``PLATFORM_NAME``); else the organization's code itself. The
    most specific name wins: the setting names the platform, the display name the institution that
    teaches the course (docs/decisions/0010-issuer-name.rst).
    """
    org = (org or "").strip()
    names = OrganizationBranding.objects.filter(org=org).values_list("display_name", flat=True)
    display_name = names.first() if org else None
    return (display_name or "").strip() or conf.get().ISSUER_NAME or org


def certificate_issuer(certificate: Any) -> str:
    """The issuer a certificate names: its snapshot (``issuer_name``, from :func:`issuer_name_for` at
    issue); for one issued before issuers were snapshotted, ``ISSUER_NAME``, else its organization."""
    return str(certificate.issuer_name or conf.get().ISSUER_NAME or certificate.org)


def branding_asset(org: str, name: str) -> BrandingAsset | None:
    """One file of an organization's branding (its logo or a signature image)."""
    return BrandingAsset.objects.filter(branding__org=(org or "").strip(), name=name).first()


def _branding_files(brand: OrganizationBranding | None) -> dict[str, tuple[bytes, str]]:
    if brand is None:
        return {}
    return {asset.name: (bytes(asset.content), asset.mime) for asset in brand.assets.all()}


def set_branding(org: str, *, display_name: str | None = None, primary_color: str | None = None,
                 accent_color: str | None = None, signatories: Sequence[Mapping[str, Any]] | None = None,
                 assets: Mapping[str, AssetInput] | None = None, by: Any = None) -> OrganizationBranding:
    """Create or change an organization's branding (what is not given is kept).

    ``assets`` adds or replaces files by name (``"logo"``, signature images; ``None`` removes
    one), checked like template assets. ``signatories`` are ``{"name", "title", "signature"}``
    where ``signature`` names an uploaded image. Colours are ``#rrggbb`` ("" clears one).
    Templates created for the organization afterwards inherit the branding; existing
    templates and issued certificates do not change. Raises BrandingError.
    """
    org = (org or "").strip()
    if not org:
        raise BrandingError("Name the organization the branding belongs to.")
    refuse_unstorable(org, label="The organization's name", max_length=_column_length("org"),
                      error=BrandingError)
    current = branding(org)
    try:
        files = merge_assets(_branding_files(current), assets)
    except TemplateError as exc:
        raise BrandingError(str(exc)) from None
    primary = clean_color(current.primary_color if primary_color is None and current else primary_color,
                          "primary")
    accent = clean_color(current.accent_color if accent_color is None and current else accent_color,
                         "accent")
    people = list(current.signatories or []) if signatories is None and current else list(signatories or [])
    try:
        people = clean_template_options({"signatories": people}, files).get("signatories", [])
    except TemplateError as exc:
        raise BrandingError(str(exc)) from None
    name = (current.display_name if display_name is None and current else (display_name or "")).strip()
    refuse_unstorable(name, label="The display name", max_length=_column_length("display_name"),
                      error=BrandingError)
    with transaction.atomic():
        brand, _ = OrganizationBranding.objects.select_for_update().get_or_create(org=org)
        brand.display_name = name
        brand.primary_color, brand.accent_color = primary, accent
        brand.signatories = people
        brand.updated_by = by if getattr(by, "pk", None) else None
        brand.save()
        brand.assets.all().delete()
        BrandingAsset.objects.bulk_create(
            BrandingAsset(branding=brand, name=asset_name, content=content, mime=mime, size=len(content))
            for asset_name, (content, mime) in sorted(files.items()))
    return branding(org) or brand


def _column_length(field: str) -> int | None:
    """The branding column's max_length: a longer value is an error on PostgreSQL and MariaDB."""
    length: int | None = getattr(OrganizationBranding._meta.get_field(field), "max_length", None)
    return length


def inherit_branding(org: str, assets: Mapping[str, AssetInput] | None,
                     options: Mapping[str, Any] | None) -> tuple[dict[str, AssetInput], dict[str, Any]]:
    """``create_template``'s assets and options completed from the organization's branding.

    Only what the caller did not give is inherited: the logo (unless an asset ``logo`` is given,
    also as None), the signatories with their signature images (unless signatories are given),
    and the colours (unless ``colors`` is given).
    """
    inherited_assets: dict[str, AssetInput] = dict(assets or {})
    inherited_options: dict[str, Any] = dict(options or {})
    brand = branding(org)
    if brand is None:
        return inherited_assets, inherited_options
    files = _branding_files(brand)
    if BRANDING_LOGO in files and BRANDING_LOGO not in inherited_assets:
        inherited_assets[BRANDING_LOGO] = files[BRANDING_LOGO]
    if not inherited_options.get("signatories") and brand.signatories:
        inherited_options["signatories"] = [dict(person) for person in brand.signatories]
        for person in brand.signatories:
            image = str(person.get("signature") or "")
            if image in files and image not in inherited_assets:
                inherited_assets[image] = files[image]
    colors = {name: value for name, value in (("primary", brand.primary_color),
                                                ("accent", brand.accent_color)) if value}
    if not inherited_options.get("colors") and colors:
        inherited_options["colors"] = colors
    return inherited_assets, inherited_options


def org_courses(org: str) -> list[CourseKey]:
    """The organization's courses that have a certificate configuration."""
    keys = CourseCertificateConfig.objects.order_by("course_key").values_list("course_key", flat=True)
    return [key for key in keys if key is not None and key.org == org]


def editable_orgs(user: Any) -> list[str]:
    """Organizations whose templates and branding ``user`` may edit.

    Site staff: every organization known to the plugin (courses, templates, brandings). Course
    staff: the organizations of the configured courses they are staff of.
    """
    if not getattr(user, "is_authenticated", False):
        return []
    keys = list(CourseCertificateConfig.objects.values_list("course_key", flat=True))
    if is_site_staff(user):
        orgs = {str(key.org) for key in keys if key is not None}
        orgs.update(CertificateTemplate.objects.exclude(org="").values_list("org", flat=True))
        orgs.update(OrganizationBranding.objects.values_list("org", flat=True))
        return sorted(orgs)
    host = get_host()
    return sorted({str(key.org) for key in keys if key is not None and host.is_course_staff(user, key)})


def can_edit_org(user: Any, org: str) -> bool:
    """Site staff, or course staff of at least one (configured) course of ``org``."""
    if is_site_staff(user):
        return True
    if not org or not getattr(user, "is_authenticated", False):
        return False
    host = get_host()
    return any(host.is_course_staff(user, key) for key in org_courses(org))
