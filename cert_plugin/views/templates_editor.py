"""The certificate template editor and organization branding, under ``/certs/templates/``.

Thin views over :mod:`cert_plugin.api`: every change is an api call (a new immutable template
version, a course configuration, a branding), every read goes through an api helper.

Who may do what (``api.can_edit_template`` / ``api.can_edit_org``): site staff edit every
template; course staff edit the templates and branding of an organization where they are staff
of at least one course. Built-in templates are read-only (they can be viewed and duplicated).
Anonymous visitors are sent to the login page; everyone else gets 403, the same 403 for a template
id that does not exist (only site staff, who see every template, get a 404 for it), so template ids
cannot be enumerated.

The editor is one form: HTML, CSS, orientation, colours, signatories, honours and image uploads
are saved together as one new version, so nothing goes live half-done and an error never loses
what the author typed (the form comes back with it and the reason, with its line).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from cert_plugin import api
from cert_plugin.models import CertificateTemplate
from cert_plugin.views import csp
from cert_plugin.views.csp import content_security_policy

__all__ = [
    "branding_asset",
    "branding_page",
    "template_asset",
    "template_attach",
    "template_create",
    "template_edit",
    "template_list",
    "template_preview",
    "template_restore",
    "template_version_preview",
]

PREVIEW_DPI = 100  # ~1169 x 827 px for A4 landscape: sharp in the editor, rendered in ~0.2 s
_MAX_ROWS = 12  # signatories or honours rules read from one form
_DEFAULT_COLORS = {"primary": "#1f3a5f", "accent": "#b08d3c"}  # the built-in templates' own
_CSS_LINE = re.compile(r"^CSS line (\d+)")
# Served uploads may be SVG: never let one run a script or load anything when opened directly.
_ASSET_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox"

View = Callable[..., HttpResponse]


# --------------------------------------------------------------------------- access


def _login_required(view: View) -> View:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapper


def _forbidden(request: HttpRequest, message: str = "") -> HttpResponse:
    return render(request, "cert_plugin/editor/forbidden.html", {
        "message": message or _("You do not have permission to edit certificate templates."),
        "list_url": reverse("cert_plugin:template-list"),
        "can_use_editor": api.can_use_template_editor(request.user),
    }, status=403)


def _no_nul(*segments: str) -> None:
    """URL segments go into database lookups: one holding NUL (which PostgreSQL refuses) names nothing."""
    if any("\x00" in segment for segment in segments):
        raise Http404("Nothing has this name.")


def _visible_template(request: HttpRequest, template_id: int) -> CertificateTemplate | None:
    """The template if the user may see it; None means "answer with the 403 page".

    An id that does not exist answers exactly like a template the user may not see (the same
    403 page), so template ids cannot be enumerated; only site staff, who see every template,
    get a 404 for an unknown id.
    """
    template = api.template_by_id(template_id)
    if template is None:
        if request.user.is_staff:
            raise Http404("No such template.")
        return None
    return template if _may_view(request, template) else None


def _may_view(request: HttpRequest, template: CertificateTemplate) -> bool:
    """Editors of the template; built-ins and site-wide templates are readable by every editor."""
    if api.can_edit_template(request.user, template):
        return True
    return (template.is_builtin or not template.org) and api.can_use_template_editor(request.user)


# --------------------------------------------------------------------------- the editor form


class FormProblem(ValueError):
    """Input the form cannot turn into a template (not the api's checks: those are TemplateError)."""

    def __init__(self, message: str, *, field_name: str = "") -> None:
        super().__init__(message)
        self.field_name = field_name


@dataclass
class EditorInput:
    """What the author submitted, as typed (kept to show again after an error)."""

    html: str = ""
    css: str = ""
    orientation: str = "landscape"
    colors_on: bool = False
    primary: str = _DEFAULT_COLORS["primary"]
    accent: str = _DEFAULT_COLORS["accent"]
    signatories: list[dict[str, str]] = field(default_factory=list)
    honors: list[dict[str, str]] = field(default_factory=list)
    asset_name: str = ""
    removed: list[str] = field(default_factory=list)

    @classmethod
    def from_version(cls, version: Any) -> EditorInput:
        options = dict(version.options or {}) if version is not None else {}
        colors = options.get("colors") or {}
        return cls(
            html=version.html if version is not None else "",
            css=version.css if version is not None else "",
            orientation=version.orientation if version is not None else "landscape",
            colors_on=bool(colors),
            primary=colors.get("primary", _DEFAULT_COLORS["primary"]),
            accent=colors.get("accent", _DEFAULT_COLORS["accent"]),
            signatories=[{"name": str(s.get("name", "")), "title": str(s.get("title", "")),
                          "signature": str(s.get("signature", "") or "")}
                         for s in options.get("signatories") or []],
            honors=[{"percent": _percent_text(rule[0]), "text": str(rule[1])}
                    for rule in options.get("honors") or []],
        )

    @classmethod
    def from_post(cls, post: Mapping[str, Any]) -> EditorInput:
        def rows(prefix: str, names: tuple[str, ...]) -> list[dict[str, str]]:
            found = []
            for index in range(_MAX_ROWS):
                row = {name: str(post.get(f"{prefix}-{index}-{name}", "")).strip() for name in names}
                if any(row.values()):
                    found.append(row)
            return found

        return cls(
            html=str(post.get("html", "")).replace("\r\n", "\n"),
            css=str(post.get("css", "")).replace("\r\n", "\n"),
            orientation=str(post.get("orientation", "landscape")),
            colors_on=post.get("colors_on") == "1",
            primary=str(post.get("primary_color", "")).strip() or _DEFAULT_COLORS["primary"],
            accent=str(post.get("accent_color", "")).strip() or _DEFAULT_COLORS["accent"],
            signatories=rows("signatory", ("name", "title", "signature")),
            honors=rows("honor", ("percent", "text")),
            asset_name=str(post.get("asset_name", "")).strip(),
            removed=[str(name) for name in post.getlist("remove_asset")] if hasattr(post, "getlist") else [],
        )

    def options(self) -> dict[str, Any]:
        options: dict[str, Any] = {
            "signatories": [{"name": s["name"], "title": s["title"], "signature": s["signature"]}
                            for s in self.signatories],
            "honors": [],
        }
        for position, rule in enumerate(self.honors, 1):
            try:
                percent = Decimal(rule["percent"].replace("%", "").replace(",", ".").strip())
            except InvalidOperation:
                percent = Decimal(-1)
            if not (0 < percent <= 100) or not rule["text"]:
                raise FormProblem(_("Honours rule %(n)d needs a minimum grade between 1 and 100 and a text, "
                                    "e.g. 90 and “With distinction”.") % {"n": position},
                                  field_name="honors")
            options["honors"].append([float(percent / 100), rule["text"]])
        if self.colors_on:
            options["colors"] = {"primary": self.primary, "accent": self.accent}
        return options


def _percent_text(fraction: Any) -> str:
    try:
        return format((Decimal(str(fraction)) * 100).normalize(), "f")
    except InvalidOperation:
        return ""


def _asset_changes(request: HttpRequest, data: EditorInput) -> dict[str, api.AssetInput]:
    """Removed images (None) and the uploaded one, by name."""
    changes: dict[str, api.AssetInput] = dict.fromkeys(data.removed)
    upload = request.FILES.get("asset_file")
    if upload is not None:
        # Without a name, the file's own: "Logo Final.png" -> "logo_final".
        name = data.asset_name or re.sub(r"[^a-z0-9_]+", "_", (upload.name or "").rsplit(".", 1)[0].lower())
        name = name.strip("_") if not data.asset_name else name
        if not name:
            raise FormProblem(_("Give the uploaded image a name, e.g. logo."), field_name="asset")
        changes[name] = upload.read()
    elif data.asset_name:
        raise FormProblem(_("Choose the image file to upload as “%(name)s”.") % {"name": data.asset_name},
                          field_name="asset")
    return changes


@dataclass(frozen=True)
class Problem:
    """An error to show: the message, and where (the HTML line, the CSS line, or a field)."""

    message: str
    line: int | None = None
    field_name: str = ""  # "html", "css", "asset", "honors", "signatories", "name", "course", ...

    @classmethod
    def of(cls, exc: Exception) -> Problem:
        message = str(exc)
        if isinstance(exc, FormProblem):
            return cls(message, field_name=exc.field_name)
        line = getattr(exc, "line", None)
        if line is not None:
            return cls(message, line=line, field_name="html")
        if match := _CSS_LINE.match(message):
            return cls(message, line=int(match.group(1)), field_name="css")
        if message.startswith("Asset ") or "not a PNG" in message:
            return cls(message, field_name="asset")
        if message.startswith("Signatory"):
            return cls(message, field_name="signatories")
        if message.startswith(("Honors", "Each honors")):
            return cls(message, field_name="honors")
        return cls(message)

    def as_json(self) -> dict[str, Any]:
        return {"error": self.message, "line": self.line, "field": self.field_name or None}


# --------------------------------------------------------------------------- list and create


@content_security_policy
@require_safe
@_login_required
def template_list(request: HttpRequest) -> HttpResponse:
    """``/certs/templates/``: the templates the user may edit or copy, and "New template"."""
    if not api.can_use_template_editor(request.user):
        return _forbidden(request)
    return _render_list(request)


def _render_list(request: HttpRequest, *, problem: Problem | None = None,
                 values: Mapping[str, str] | None = None, status: int = 200) -> HttpResponse:
    user = request.user
    rows: list[dict[str, Any]] = []
    templates = api.editor_templates(user)
    for template in templates:
        version = template.current_version
        rows.append({
            "template": template,
            "version": version,
            "editable": api.can_edit_template(user, template),
            "courses": len(api.courses_using(template)) if not template.is_builtin else None,
            "url": reverse("cert_plugin:template-edit", args=[template.pk]),
        })
    orgs = api.editable_orgs(user)
    builtins = [template for template in templates if template.is_builtin]
    # "New template" starts from the default built-in design (A4 landscape) unless told otherwise.
    default_source = next((str(row["template"].pk) for row in rows if row["template"].is_builtin
                           and getattr(row["version"], "orientation", "") == "landscape"), "")
    context = {
        "rows": rows,
        "builtins": builtins,
        "orgs": orgs,
        "site_staff": bool(user.is_staff),
        "problem": problem,
        "values": values or {"source": str(request.GET.get("source", "")) or default_source},
        "create_url": reverse("cert_plugin:template-create"),
        "branding_links": [(org, reverse("cert_plugin:branding", args=[org])) for org in orgs],
    }
    return render(request, "cert_plugin/editor/list.html", context, status=status)


@content_security_policy
@require_POST
@_login_required
def template_create(request: HttpRequest) -> HttpResponse:
    """POST ``source`` (a template id), ``name``, ``org``: a new template copying ``source``."""
    if not api.can_use_template_editor(request.user):
        return _forbidden(request)
    values = {key: str(request.POST.get(key, "")).strip() for key in ("source", "name", "org")}
    source = api.template_by_id(int(values["source"])) if values["source"].isdigit() else None
    if source is None or not _may_view(request, source):
        problem = Problem(_("Choose the template to start from."), field_name="source")
        return _render_list(request, problem=problem, values=values, status=400)
    org = values["org"]
    if not api.can_edit_org(request.user, org):
        message = (_("Only site staff can create site-wide templates; choose your organization.") if not org
                   else _("You cannot create templates for %(org)s.") % {"org": org})
        return _render_list(request, problem=Problem(message, field_name="org"), values=values, status=400)
    try:
        template = api.duplicate_template(source, values["name"], org=org, by=request.user)
    except api.TemplateError as exc:
        problem = Problem.of(exc)
        if problem.field_name == "":
            problem = Problem(problem.message, field_name="name")
        return _render_list(request, problem=problem, values=values, status=400)
    messages.success(request, _("Template “%(name)s” created from “%(source)s”.") % {
        "name": template.name, "source": source.name}, fail_silently=True)
    return _see_other(reverse("cert_plugin:template-edit", args=[template.pk]))


def _see_other(url: str) -> HttpResponse:
    response = HttpResponseRedirect(url)
    response.status_code = 303
    return response


# --------------------------------------------------------------------------- the editor


@content_security_policy
@require_http_methods(["GET", "HEAD", "POST"])
@_login_required
def template_edit(request: HttpRequest, template_id: int) -> HttpResponse:
    """``/certs/templates/<id>/``: edit, preview and save a template (POST saves a new version)."""
    template = _visible_template(request, template_id)
    if template is None:
        return _forbidden(request)
    if request.method != "POST":
        return _render_editor(request, template, EditorInput.from_version(template.current_version))
    if not api.can_edit_template(request.user, template):
        return _forbidden(request, _("Built-in templates cannot be changed: duplicate one to make it yours.")
                          if template.is_builtin else "")
    data = EditorInput.from_post(request.POST)
    try:
        assets = _asset_changes(request, data)
        api.update_template(template, html=data.html, css=data.css, orientation=data.orientation,
                            options=data.options(), assets=assets, by=request.user)
    except (api.TemplateError, FormProblem) as exc:
        return _render_editor(request, template, data, problem=Problem.of(exc),
                              file_lost=bool(request.FILES.get("asset_file")), status=400)
    version = template.current_version
    messages.success(request, _("Saved as version %(number)d. Certificates issued from now on use it; "
                                "certificates already issued keep their version.") % {
        "number": version.number if version else 0}, fail_silently=True)
    return _see_other(reverse("cert_plugin:template-edit", args=[template.pk]))


def _render_editor(request: HttpRequest, template: CertificateTemplate, data: EditorInput, *,
                   problem: Problem | None = None, file_lost: bool = False,
                   status: int = 200) -> HttpResponse:
    user = request.user
    version = template.current_version
    editable = api.can_edit_template(user, template)
    asset_rows = []
    for asset in (version.assets.all() if version is not None else []):
        asset_rows.append({"name": asset.name, "mime": asset.mime, "size": asset.size,
                           "removed": asset.name in data.removed,
                           "url": reverse("cert_plugin:template-asset", args=[template.pk, asset.name])})
    variables = [{"name": name, "description": text, "snippet": _snippet(name)}
                 for name, text in api.template_variables().items() if name not in {"assets", "signatories"}]
    signatory_snippet = ("{% for s in signatories %}<p>{{ s.name }}, {{ s.title }}</p>{% endfor %}")
    versions = [{"number": v.number, "created_at": v.created_at, "by": v.created_by, "current": i == 0,
                 "view_url": reverse("cert_plugin:template-version-preview", args=[template.pk, v.number]),
                 "restore_url": reverse("cert_plugin:template-restore", args=[template.pk, v.number])}
                for i, v in enumerate(api.template_versions(template))]
    using = api.courses_using(template) if not template.is_builtin else []
    attachable = ([key for key in api.attachable_courses(user, template) if key not in using]
                  if editable else [])
    orientation = data.orientation if data.orientation in {"landscape", "portrait"} else "landscape"
    context = {
        "template": template,
        "version": version,
        "editable": editable,
        "data": data,
        "signatory_rows": [*data.signatories, {"name": "", "title": "", "signature": ""}],
        "honor_rows": [*data.honors, {"percent": "", "text": ""}],
        "asset_rows": asset_rows,
        "asset_names": [row["name"] for row in asset_rows],
        "variables": variables,
        "signatory_snippet": signatory_snippet,
        "sample": sorted(api.template_sample_data().items()),
        "versions": versions,
        "using": [{"key": str(key), "detachable": api.get_host().is_course_staff(user, key) or user.is_staff}
                  for key in using],
        "attachable": [str(key) for key in attachable],
        "problem": problem,
        "file_lost": file_lost and (problem is None or problem.field_name != "asset"),
        "preview_url": reverse("cert_plugin:template-preview", args=[template.pk]),
        "initial_preview_url": (reverse("cert_plugin:template-version-preview",
                                        args=[template.pk, version.number]) if version is not None else ""),
        "preview_portrait": orientation == "portrait",
        "attach_url": reverse("cert_plugin:template-attach", args=[template.pk]),
        "create_url": reverse("cert_plugin:template-create"),
        "list_url": reverse("cert_plugin:template-list"),
        "branding_url": (reverse("cert_plugin:branding", args=[template.org])
                         if template.org and api.can_edit_org(user, template.org) else ""),
        "orgs": api.editable_orgs(user),
        "site_staff": bool(user.is_staff),
    }
    return render(request, "cert_plugin/editor/edit.html", context, status=status)


def _snippet(name: str) -> str:
    return "{{ " + name + " }}"


@require_POST
def template_preview(request: HttpRequest, template_id: int) -> HttpResponse:
    """POST the editor's form: a PNG of it with sample data, or 400 ``{"error", "line", "field"}``."""
    if not request.user.is_authenticated:
        message = _("You are no longer logged in. Log in again to see the preview (copy your changes first).")
        return JsonResponse({"error": message, "line": None, "field": None}, status=401)
    template = _visible_template(request, template_id)
    if template is None:
        return JsonResponse({"error": _("You cannot preview this template."), "line": None, "field": None},
                            status=403)
    data = EditorInput.from_post(request.POST)
    try:
        png = api.preview_template(html=data.html, css=data.css, orientation=data.orientation,
                                   options=data.options(), assets=_asset_changes(request, data),
                                   template=template, dpi=PREVIEW_DPI)
    except (api.TemplateError, FormProblem) as exc:
        return JsonResponse(Problem.of(exc).as_json(), status=400)
    return _png_response(png)


def _png_response(png: bytes) -> HttpResponse:
    response = HttpResponse(png, content_type="image/png")
    response["Cache-Control"] = "private, no-store"
    return response


@content_security_policy
@require_safe
@_login_required
def template_version_preview(request: HttpRequest, template_id: int, number: int) -> HttpResponse:
    """``/certs/templates/<id>/versions/<n>.png``: a saved version filled with sample data."""
    template = _visible_template(request, template_id)
    if template is None:
        return _forbidden(request)
    try:
        png = api.preview_template_version(template, number, dpi=PREVIEW_DPI)
    except api.TemplateError:
        raise Http404("No such version.") from None
    return _png_response(png)


@content_security_policy
@require_POST
@_login_required
def template_restore(request: HttpRequest, template_id: int, number: int) -> HttpResponse:
    """POST: make version ``number`` current again, as a new version."""
    template = _visible_template(request, template_id)
    if template is None or not api.can_edit_template(request.user, template):
        return _forbidden(request)
    try:
        api.restore_template_version(template, number, by=request.user)
    except api.TemplateError as exc:
        messages.error(request, str(exc), fail_silently=True)
    else:
        version = template.current_version
        messages.success(request, _("Version %(old)d restored as version %(new)d.") % {
            "old": number, "new": version.number if version else 0}, fail_silently=True)
    return _see_other(reverse("cert_plugin:template-edit", args=[template.pk]))


@content_security_policy
@require_safe
@_login_required
def template_asset(request: HttpRequest, template_id: int, name: str) -> HttpResponse:
    """An image of the template's current version (``?version=N``: of that version), for editors."""
    _no_nul(name)
    template = _visible_template(request, template_id)
    if template is None:
        return _forbidden(request)
    number = request.GET.get("version", "")
    asset = api.template_asset(template, name, number=int(number) if number.isdigit() else None)
    if asset is None:
        raise Http404("No such image.")
    return _asset_response(bytes(asset.content), asset.mime)


def _asset_response(content: bytes, mime: str) -> HttpResponse:
    response = HttpResponse(content, content_type=mime)
    response["Content-Security-Policy"] = _ASSET_CSP
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=60"
    return response


# --------------------------------------------------------------------------- courses


@content_security_policy
@require_POST
@_login_required
def template_attach(request: HttpRequest, template_id: int) -> HttpResponse:
    """POST ``course_key`` and ``action`` (attach | detach): which template a course issues with."""
    template = _visible_template(request, template_id)  # the course's staff decide (the api checks its org)
    if template is None:
        return _forbidden(request)
    action = request.POST.get("action", "attach")
    text = str(request.POST.get("course_key", "")).strip()
    edit_url = reverse("cert_plugin:template-edit", args=[template.pk])
    try:
        key = api.parse_course_key(text)
    except api.InvalidCourseKey as exc:
        messages.error(request, str(exc), fail_silently=True)
        return _see_other(edit_url + "#courses")
    if not (request.user.is_staff or api.get_host().is_course_staff(request.user, key)):
        return _forbidden(request, _("Only the course staff of %(course)s can change its certificate.") % {
            "course": key})
    had_config = api.get_config(key) is not None
    try:
        if action == "detach":
            if key not in api.courses_using(template):
                raise api.TemplateError(_("The course %(course)s does not use this template.") % {
                    "course": key})
            api.set_course_template(key, None, by=request.user)
        else:
            api.set_course_template(key, template, by=request.user)
    except (api.CertPluginError, ValueError) as exc:
        messages.error(request, str(exc), fail_silently=True)
        return _see_other(edit_url + "#courses")
    if action == "detach":
        messages.success(request, _("%(course)s now issues certificates with the built-in template.") % {
            "course": key}, fail_silently=True)
    elif had_config:
        messages.success(request, _("%(course)s now issues certificates with “%(name)s”. Certificates "
                                    "already issued keep their design until they are reissued.") % {
            "course": key, "name": template.name}, fail_silently=True)
    else:
        messages.success(request, _("%(course)s now offers a certificate with “%(name)s”. Learners who "
                                    "already meet the requirements receive theirs in the next minutes.") % {
            "course": key, "name": template.name}, fail_silently=True)
    return _see_other(edit_url + "#courses")


# --------------------------------------------------------------------------- branding


@dataclass
class BrandingInput:
    display_name: str = ""
    primary: str = _DEFAULT_COLORS["primary"]
    accent: str = _DEFAULT_COLORS["accent"]
    signatories: list[dict[str, str]] = field(default_factory=list)
    remove_logo: bool = False


@content_security_policy
@require_http_methods(["GET", "HEAD", "POST"])
@_login_required
def branding_page(request: HttpRequest, org: str) -> HttpResponse:
    """``/certs/templates/branding/<org>/``: the logo, colours and signatories new templates inherit."""
    _no_nul(org)
    if not api.can_edit_org(request.user, org):
        return _forbidden(request, _("You cannot edit the branding of %(org)s.") % {"org": org})
    current = api.branding(org)
    if request.method != "POST":
        data = BrandingInput(
            display_name=current.display_name if current else "",
            primary=(current.primary_color if current and current.primary_color
                     else _DEFAULT_COLORS["primary"]),
            accent=(current.accent_color if current and current.accent_color else _DEFAULT_COLORS["accent"]),
            signatories=[{"name": str(s.get("name", "")), "title": str(s.get("title", "")),
                          "signature": str(s.get("signature", "") or "")}
                         for s in (current.signatories if current else [])],
        )
        return _render_branding(request, org, data)
    data, assets, problem = _branding_from_post(request, current)
    if problem is None:
        try:
            api.set_branding(org, display_name=data.display_name, primary_color=data.primary,
                             accent_color=data.accent, signatories=data.signatories, assets=assets,
                             by=request.user)
        except api.CertPluginError as exc:
            problem = Problem.of(exc)
    if problem is not None:
        return _render_branding(request, org, data, problem=problem,
                                file_lost=bool(request.FILES), status=400)
    messages.success(request, _("Branding saved. Templates created for %(org)s from now on use it; existing "
                                "templates and issued certificates do not change.") % {"org": org},
                     fail_silently=True)
    return _see_other(reverse("cert_plugin:branding", args=[org]))


def _branding_from_post(request: HttpRequest,
                        current: Any) -> tuple[BrandingInput, dict[str, api.AssetInput], Problem | None]:
    post = request.POST
    existing = {asset.name for asset in current.assets.all()} if current is not None else set()
    data = BrandingInput(display_name=str(post.get("display_name", "")).strip(),
                         primary=str(post.get("primary_color", "")).strip(),
                         accent=str(post.get("accent_color", "")).strip(),
                         remove_logo=post.get("remove_logo") == "1")
    assets: dict[str, api.AssetInput] = {}
    logo = request.FILES.get("logo")
    if logo is not None:
        assets[api.BRANDING_LOGO] = logo.read()
    elif data.remove_logo:
        assets[api.BRANDING_LOGO] = None
    used: set[str] = set()
    taken = set(existing)
    problem = None
    for index in range(_MAX_ROWS):
        name = str(post.get(f"signatory-{index}-name", "")).strip()
        title = str(post.get(f"signatory-{index}-title", "")).strip()
        image = str(post.get(f"signatory-{index}-signature", "")).strip()
        upload = request.FILES.get(f"signatory-{index}-file")
        removing = post.get(f"signatory-{index}-remove") == "1"
        if removing or not (name or title or upload):
            continue
        if upload is not None:
            image = next(f"signature_{n}" for n in range(1, 1000) if f"signature_{n}" not in taken)
            taken.add(image)
            assets[image] = upload.read()
        if image and image not in existing and image not in assets:
            image = ""
        if not name and problem is None:
            problem = Problem(_("Signatory %(n)d needs a name.") % {"n": len(data.signatories) + 1},
                              field_name="signatories")
        data.signatories.append({"name": name, "title": title, "signature": image})
        used.add(image)
    for name in existing - used - {api.BRANDING_LOGO}:
        assets.setdefault(name, None)  # a signature image nobody signs with any more
    return data, assets, problem


def _render_branding(request: HttpRequest, org: str, data: BrandingInput, *, problem: Problem | None = None,
                     file_lost: bool = False, status: int = 200) -> HttpResponse:
    current = api.branding(org)
    names = {asset.name for asset in current.assets.all()} if current is not None else set()

    def url(name: str) -> str:
        return reverse("cert_plugin:branding-asset", args=[org, name]) if name in names else ""

    rows = [{**person, "image_url": url(person.get("signature", ""))} for person in data.signatories]
    rows.append({"name": "", "title": "", "signature": "", "image_url": ""})
    hex_color = re.compile(r"^#[0-9a-fA-F]{6}$")
    context = {
        "org": org,
        "data": data,
        "swatch": {name: value if hex_color.fullmatch(value) else _DEFAULT_COLORS[name]
                   for name, value in (("primary", data.primary), ("accent", data.accent))},
        "csp_nonce": csp.nonce(request),  # the swatch's colours: an inline <style>, allowed by its nonce
        "branding": current,
        "logo_url": url(api.BRANDING_LOGO),
        "signatory_rows": rows,
        "problem": problem,
        "file_lost": file_lost,
        "list_url": reverse("cert_plugin:template-list"),
        "templates": [t for t in api.editor_templates(request.user) if t.org == org],
    }
    return render(request, "cert_plugin/editor/branding.html", context, status=status)


@content_security_policy
@require_safe
@_login_required
def branding_asset(request: HttpRequest, org: str, name: str) -> HttpResponse:
    """A file of an organization's branding, for the people who edit it."""
    _no_nul(org, name)
    if not api.can_edit_org(request.user, org):
        return _forbidden(request)
    asset = api.branding_asset(org, name)
    if asset is None:
        raise Http404("No such image.")
    return _asset_response(bytes(asset.content), asset.mime)
