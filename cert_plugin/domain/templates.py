"""Certificate templates: create, edit, version, preview, attach to courses; the template editor's reads.

Owns the templates and their immutable versions (HTML, CSS, options, assets),
the built-in templates, trial renders that validate a template before it is
saved, ``issuing_version`` (the version a course issues with) and the reads
and permissions of the template editor. Writes: CertificateTemplate,
CertificateTemplateVersion, TemplateAsset, TemplateThumbnail (a version's
picture in the template list, made once) and a course's template through
``configure_course``.
"""

from __future__ import annotations

import hashlib
import io
import logging
import threading
from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, transaction
from opaque_keys.edx.keys import CourseKey
from PIL import Image

from cert_plugin.domain.branding import can_edit_org, editable_orgs, inherit_branding, issuer_name_for
from cert_plugin.domain.configuration import configure_course
from cert_plugin.domain.shared import (
    TemplateError,
    UnknownCourse,
    get_config,
    get_host,
    is_site_staff,
    parse_course_key,
    pdf_module,
    png_module,
)
from cert_plugin.domain.staff_render import render_limited
from cert_plugin.domain.template_inputs import (
    AssetInput,
    clean_template_options,
    merge_assets,
    pdf_assets,
    refuse_unstorable,
    version_assets,
)
from cert_plugin.models import (
    CertificateTemplate,
    CertificateTemplateVersion,
    CourseCertificateConfig,
    TemplateAsset,
    TemplateThumbnail,
)
from cert_plugin.rendering import builtin
from cert_plugin.rendering import context as page_context
from cert_plugin.rendering import html as sandbox
from cert_plugin.rendering.base import RenderError

MAX_TEMPLATE_HTML_CHARS = 100_000  # a certificate's HTML; the built-in ones are under 5,000
MAX_TEMPLATE_CSS_CHARS = 200_000


def issuing_version(config: CourseCertificateConfig | None) -> CertificateTemplateVersion:
    template = config.template if config is not None else None
    version = template.current_version if template is not None else None
    return version or _builtin_version(builtin.builtin_templates()[0])


def _builtin_version(source: builtin.BuiltinTemplate) -> CertificateTemplateVersion:
    """A built-in template's current version, created on first use and when a release changes it."""
    template, _ = CertificateTemplate.objects.get_or_create(org="", name=source.name,
                                                            defaults={"is_builtin": True})
    current = template.current_version
    hashes = {name: hashlib.sha256(content).hexdigest() for name, (content, _) in source.assets.items()}
    digest = CertificateTemplateVersion.compute_digest(source.html, source.css, source.orientation,
                                                       source.options, hashes.items())
    if current is not None and current.digest == digest:
        return current
    try:
        with transaction.atomic():
            return _create_version(template, html=source.html, css=source.css, orientation=source.orientation,
                                   options=dict(source.options), assets=source.assets)
    except IntegrityError:  # created concurrently
        latest = template.current_version
        if latest is None:
            raise
        return latest


def templates(*, org: str | None = None) -> list[CertificateTemplate]:
    """Templates a course may pick: site-wide ones and, given ``org``, that organization's own.

    Archived templates are left out.
    """
    builtin_templates()
    found = CertificateTemplate.objects.filter(org__in=["", org] if org else [""], archived_at__isnull=True)
    return list(found.order_by("-is_builtin", "org", "name"))


def template_notices(html: str, css: str = "") -> list[sandbox.TemplateNotice]:
    """What the editor tells staff about a template without refusing it, each with its line.

    Every address the renderer will never fetch (a remote ``<img>``, a ``<link>`` stylesheet,
    ``@import``, ``url(https://…)``): certificates are rendered without network access, so these
    would be dropped without a word. ``str(notice)`` is the sentence to show; ``notice.line`` or
    ``notice.css_line`` says where.
    """
    return sandbox.template_notices(html or "", css or "")


def template_variables() -> dict[str, str]:
    """The variables a template may use, each with what it holds (the editor's palette)."""
    return dict(sandbox.TEMPLATE_VARIABLES)


def create_template(name: str, *, html: str, css: str = "", orientation: str = "landscape",
                    org: str | None = None, assets: Mapping[str, AssetInput] | None = None,
                    options: Mapping[str, Any] | None = None, by: Any = None) -> CertificateTemplate:
    """Create a staff template and its first version, after checking it renders.

    Raises TemplateError naming the line and the reason for a syntax error, an
    unknown variable, a tag outside the sandbox, broken CSS, a missing asset,
    or a page that does not render on one A4 sheet.
    """
    name = (name or "").strip()
    if not name:
        raise TemplateError("Give the template a name.")
    org = (org or "").strip()
    refuse_unstorable(name, label="The template's name", max_length=_column_length("name"))
    refuse_unstorable(org, label="The organization's name", max_length=_column_length("org"))
    if CertificateTemplate.objects.filter(org=org, name=name).exists():
        raise TemplateError(f"There is already a template named {name!r}{' for ' + org if org else ''}.")
    assets, options = inherit_branding(org, assets, options)  # defined in the branding section
    files = merge_assets({}, assets)
    clean_options, trial = _validate_template(html, css, orientation, files, options, org=org)
    with transaction.atomic():
        template = CertificateTemplate.objects.create(name=name, org=org)
        _create_version(template, html=html, css=css, orientation=orientation, options=clean_options,
                        assets=files, by=by, trial=trial)
    return template


def _column_length(field: str) -> int | None:
    """The template column's max_length: a longer value is an error on PostgreSQL and MariaDB."""
    length: int | None = getattr(CertificateTemplate._meta.get_field(field), "max_length", None)
    return length


def update_template(template: CertificateTemplate, *, html: str | None = None, css: str | None = None,
                    orientation: str | None = None, assets: Mapping[str, AssetInput] | None = None,
                    options: Mapping[str, Any] | None = None, by: Any = None) -> CertificateTemplate:
    """Save a new immutable version of ``template`` (what is not given is kept).

    Certificates already issued keep rendering with the version they were
    issued with, until staff reissue them.
    """
    current = template.current_version
    if current is None:
        raise TemplateError(f"Template {template} has no version to update.")
    if template.is_builtin:
        raise TemplateError("Built-in templates cannot be edited; create a template of your own from it.")
    files = merge_assets(version_assets(current), assets)
    new_html = current.html if html is None else html
    new_css = current.css if css is None else css
    new_orientation = current.orientation if orientation is None else orientation
    clean_options, trial = _validate_template(new_html, new_css, new_orientation, files,
                                              current.options if options is None else options,
                                              org=template.org)
    with transaction.atomic():
        _create_version(template, html=new_html, css=new_css, orientation=new_orientation,
                        options=clean_options, assets=files, by=by, trial=trial)
    return template


def restore_template_version(template: CertificateTemplate, number: int, *,
                             by: Any = None) -> CertificateTemplate:
    """Make an older version current again, as a new version (history is never rewritten)."""
    old = template.versions.filter(number=number).first()
    if old is None:
        raise TemplateError(f"Template {template} has no version {number}.")
    removed: dict[str, AssetInput] = dict.fromkeys(version_assets(template.current_version))
    return update_template(template, html=old.html, css=old.css, orientation=old.orientation,
                           options=old.options, assets={**removed, **version_assets(old)}, by=by)


def preview_template(*, html: str, css: str = "", orientation: str = "landscape",
                     assets: Mapping[str, AssetInput] | None = None, options: Mapping[str, Any] | None = None,
                     template: CertificateTemplate | None = None, dpi: int = 100) -> bytes:
    """A PNG of the template filled with sample data, for the editor's live preview.

    ``template`` lends its current assets (so the editor need not upload them
    again). Raises TemplateError exactly as saving would.
    """
    base = version_assets(template.current_version) if template is not None else {}
    files = merge_assets(base, assets)
    clean_options, _none = _validate_template(html, css, orientation, files, options, render=False)
    org = template.org if template is not None else ""
    return png_module().pdf_to_png(_trial_pdf(html, css, orientation, files, clean_options, org=org), dpi=dpi)


def builtin_templates() -> list[CertificateTemplate]:
    """The built-in templates, created (and brought up to date) on first use."""
    return [_builtin_version(source).template for source in builtin.builtin_templates()]


def _validate_template(html_source: str, css: str, orientation: str, files: Mapping[str, tuple[bytes, str]],
                       options: Mapping[str, Any] | None, *, render: bool = True,
                       org: str = "") -> tuple[dict[str, Any], bytes | None]:
    """Everything a template must pass before it is saved: its cleaned options and (``render``) the PDF
    of its trial render, which gives the version its thumbnail."""
    if orientation not in {"landscape", "portrait"}:
        raise TemplateError("Orientation must be 'landscape' or 'portrait'.")
    if not (html_source or "").strip():
        raise TemplateError("The template has no HTML.")
    refuse_unstorable(html_source, label="The template's HTML")
    refuse_unstorable(css or "", label="The template's CSS")
    if len(html_source) > MAX_TEMPLATE_HTML_CHARS or len(css or "") > MAX_TEMPLATE_CSS_CHARS:
        raise TemplateError(f"The template is too long: at most {MAX_TEMPLATE_HTML_CHARS // 1000:,} thousand "
                            f"characters of HTML and {MAX_TEMPLATE_CSS_CHARS // 1000:,} thousand of CSS "
                            f"(this one has {len(html_source):,} and {len(css or ''):,}).")
    clean_options = clean_template_options(options, files)
    try:
        sandbox.check_template(html_source, css or "", asset_names=files)
    except sandbox.TemplateProblem as exc:
        raise TemplateError(str(exc), line=exc.line, css_line=exc.css_line) from None
    trial = _trial_pdf(html_source, css, orientation, files, clean_options, org=org) if render else None
    return clean_options, trial


def _trial_pdf(html_source: str, css: str, orientation: str, files: Mapping[str, tuple[bytes, str]],
               options: Mapping[str, Any], *, org: str = "", builtin: bool = False) -> bytes:
    """Render the template with sample data; TemplateError when it fails or spills over one page.

    The sample names the issuer that ``org``'s certificates will name (``issuer_name_for``), so the
    preview and the real certificate agree.

    The render runs in a child process with a time and a memory limit
    (``rendering/limits.py``): a template that would stall or grow the web
    process is stopped there, and other users' renders go on meanwhile. A ``builtin`` template's
    version (shipped and tested with the plugin) renders in process, as its certificates do.
    """
    sample = _sample(org, asset_names=files, options=options)
    try:
        if builtin:
            document = sandbox.render_document(html_source, css or "", sample, orientation=orientation,
                                               colors=options.get("colors"), title="Preview",
                                               author=sample.get("issuer_name", ""))
            answer = pdf_module().render_pdf(document, assets=pdf_assets(files), pdf_variant=None)
        else:
            answer = render_limited(html_source, css or "", sample, orientation=orientation, files=files,
                                    colors=options.get("colors"), seconds=PREVIEW_SECONDS,
                                    memory_mb=PREVIEW_MEMORY_MB, pdf_variant=None, title="Preview",
                                    author=sample.get("issuer_name", ""))
    except sandbox.TemplateProblem as exc:
        raise TemplateError(str(exc), line=exc.line, css_line=exc.css_line) from None
    except RenderError as exc:
        raise TemplateError(f"The template could not be rendered: {exc}") from None
    pages = png_module().page_count(answer)
    if pages != 1:
        raise TemplateError(f"With sample data the certificate runs over {pages} pages; "
                            "make it fit on one A4 page.")
    return answer


PREVIEW_SECONDS = 20.0  # a preview or a save's trial render; the built-in templates take ~0.2 s
PREVIEW_MEMORY_MB = 1024  # on top of what the forked process inherits


def _create_version(template: CertificateTemplate, *, html: str, css: str, orientation: str,
                    options: dict[str, Any], assets: Mapping[str, tuple[bytes, str]],
                    by: Any = None, trial: bytes | None = None) -> CertificateTemplateVersion:
    hashes = {name: hashlib.sha256(content).hexdigest() for name, (content, _) in assets.items()}
    current = (CertificateTemplateVersion.objects.select_for_update().filter(template=template)
               .order_by("-number").first())
    version = CertificateTemplateVersion.objects.create(
        template=template, number=(current.number + 1) if current else 1, html=html, css=css or "",
        orientation=orientation, options=options, created_by=by,
        digest=CertificateTemplateVersion.compute_digest(html, css or "", orientation, options,
                                                         hashes.items()))
    TemplateAsset.objects.bulk_create(
        TemplateAsset(version=version, name=name, content=content, mime=mime, sha256=hashes[name],
                      size=len(content))
        for name, (content, mime) in sorted(assets.items())
    )
    if trial is not None:  # the save's trial render is the version's picture: no second render
        TemplateThumbnail.objects.create(version=version, png=_thumbnail_of(trial))
    return version


THUMBNAIL_WIDTH = 320  # pixels: the template list shows it 7 rem wide, sharp on a screen of 2x density


def _thumbnail_of(pdf: bytes) -> bytes:
    """The PDF's page as a PNG ``THUMBNAIL_WIDTH`` pixels wide (rasterized at 72 dpi, then scaled down)."""
    png = png_module()
    with Image.open(io.BytesIO(png.pdf_to_png(pdf, dpi=png.MIN_DPI))) as page:
        picture = page.convert("RGB")
    picture.thumbnail((THUMBNAIL_WIDTH, 2 * THUMBNAIL_WIDTH), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def template_thumbnail(template: CertificateTemplate, number: int) -> bytes | None:
    """A small PNG of version ``number`` with sample data (None: no such version; b"": it does not render).

    Made once per version and kept (``TemplateThumbnail``): from the trial render of its save, or
    here on first request for versions saved before thumbnails existed and for the built-ins. A
    process makes one such picture at a time (a fresh list asks for all of them at once), and a
    render that fails is not kept, so a busy moment never leaves a version without its picture.
    """
    version = template.versions.filter(number=number).select_related("thumbnail").first()
    if version is None:
        return None
    stored = getattr(version, "thumbnail", None)
    if stored is not None:
        return bytes(stored.png)
    with _THUMBNAIL_LOCK:
        made = TemplateThumbnail.objects.filter(version=version).values_list("png", flat=True).first()
        if made is not None:  # another request of this process made it meanwhile
            return bytes(made)
        try:
            picture = _thumbnail_of(_trial_pdf(version.html, version.css, version.orientation,
                                               version_assets(version), dict(version.options or {}),
                                               org=template.org, builtin=template.is_builtin))
        except TemplateError as exc:  # the list keeps its plain frame, and the next request tries again
            log.warning("cert_plugin: no picture of template %s version %s: %s", template.pk, number, exc)
            return b""
        try:
            with transaction.atomic():
                TemplateThumbnail.objects.create(version=version, png=picture)
        except IntegrityError:  # made concurrently by another process: the same picture
            pass
    return picture


_THUMBNAIL_LOCK = threading.Lock()
log = logging.getLogger("cert_plugin.api")  # the name operators' logging configuration knows


def can_edit_template(user: Any, template: CertificateTemplate) -> bool:
    """Whether ``user`` may change ``template`` (built-ins are never edited, only duplicated)."""
    return not template.is_builtin and can_edit_org(user, template.org)


def can_use_template_editor(user: Any) -> bool:
    """Site staff and the course staff of any configured course."""
    return is_site_staff(user) or bool(editable_orgs(user))


def editor_templates(user: Any, *, archived: bool = False) -> list[CertificateTemplate]:
    """What the template list shows ``user``: built-ins and site-wide templates, then their orgs' own.

    Archived templates are left out (``archived=True``: only they, for the list of archived ones).
    """
    builtin_templates()
    found = CertificateTemplate.objects.filter(archived_at__isnull=not archived)
    if not is_site_staff(user):
        found = found.filter(org__in=["", *editable_orgs(user)])
    return list(found.order_by("-is_builtin", "org", "name"))


def template_by_id(template_id: int) -> CertificateTemplate | None:
    return CertificateTemplate.objects.filter(pk=template_id).first()


def template_versions(template: CertificateTemplate) -> list[CertificateTemplateVersion]:
    """Every version of the template, newest first, with who saved it."""
    return list(template.versions.select_related("created_by").order_by("-number"))


def template_asset(template: CertificateTemplate, name: str, *,
                   number: int | None = None) -> TemplateAsset | None:
    """A file of the template's current version (or of version ``number``)."""
    version = (template.versions.filter(number=number).first() if number is not None
               else template.current_version)
    if version is None:
        return None
    return version.assets.filter(name=name).first()


def _sample(org: str, **values: Any) -> dict[str, Any]:
    """The sample context of a template of ``org`` ("" for a site-wide one): its real issuer's name."""
    return page_context.sample_context(issuer_name=issuer_name_for(org), org=org, **values)


def template_sample_data(template: CertificateTemplate | None = None) -> dict[str, str]:
    """The sample values the editor's preview fills in, by variable (text values only)."""
    sample = _sample(template.org if template is not None else "")
    return {name: value for name, value in sample.items() if isinstance(value, str) and name != "qr_svg"}


def preview_template_version(template: CertificateTemplate, number: int, *, dpi: int = 100) -> bytes:
    """A PNG of one saved version with sample data (the editor's version history "View")."""
    version = template.versions.filter(number=number).first()
    if version is None:
        raise TemplateError(f"Template {template} has no version {number}.")
    files = version_assets(version)
    options = dict(version.options or {})
    content = _trial_pdf(version.html, version.css, version.orientation, files, options, org=template.org,
                         builtin=template.is_builtin)
    return png_module().pdf_to_png(content, dpi=dpi)


def duplicate_template(source: CertificateTemplate, name: str, *, org: str | None = None,
                       by: Any = None) -> CertificateTemplate:
    """A new template whose first version copies ``source``'s current one (html, css, options, files).

    A copy made for an organization inherits its branding where ``source`` has no logo,
    signatories or colours of its own.
    """
    version = source.current_version
    if version is None:
        raise TemplateError(f"Template {source} has no version to copy.")
    return create_template(name, html=version.html, css=version.css, orientation=version.orientation,
                           org=org, assets=dict(version_assets(version)),
                           options=dict(version.options or {}), by=by)


def courses_using(template: CertificateTemplate) -> list[CourseKey]:
    """The courses whose certificates are issued with ``template`` now."""
    return list(CourseCertificateConfig.objects.filter(template=template).order_by("course_key")
                .values_list("course_key", flat=True))


def attachable_courses(user: Any, template: CertificateTemplate) -> list[CourseKey]:
    """Configured courses ``user`` is staff of that may use ``template`` (its org's, or any for site-wide)."""
    if not getattr(user, "is_authenticated", False):
        return []
    host = get_host()
    keys = CourseCertificateConfig.objects.order_by("course_key").values_list("course_key", flat=True)
    return [key for key in keys if key is not None and (not template.org or key.org == template.org)
            and host.is_course_staff(user, key)]


def set_course_template(course_key: CourseKey | str, template: CertificateTemplate | None, *,
                        by: Any = None) -> CourseCertificateConfig:
    """Issue the course's certificates with ``template`` from now on (None: the built-in default).

    Every other setting of the course is kept. A course without a certificate configuration
    gets one with the default requirements, which turns certificates on and issues them to
    learners who already qualify (backfill). Certificates issued earlier keep their template.
    """
    key = parse_course_key(course_key)
    course = get_host().course(key)
    if course is None:
        raise UnknownCourse(f"The LMS has no course {key}.")
    if template is not None and template.archived_at is not None:
        raise TemplateError(f"The template {template.name!r} is archived: unarchive it before a course "
                            "uses it.")
    if template is not None and template.org and template.org != course.org:
        raise TemplateError(f"The template {template.name!r} belongs to {template.org}; "
                            f"the course {key} is offered by {course.org}.")
    config = get_config(key)
    if config is None:
        return configure_course(key, template=template, by=by)
    return configure_course(
        key, enabled=config.enabled, template=template, min_grade=config.min_grade,
        min_completion=config.min_completion, required_quizzes=list(config.required_quizzes or ()),
        min_quiz_score=config.min_quiz_score, requires_approval=config.requires_approval,
        additional_requirements=list(config.additional_requirements or ()),
        validity_days=config.validity_days, hours=config.hours, by=by)
