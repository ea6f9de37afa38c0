"""The template editor: edit (a new version), live preview, version previews and restore, assets."""

from __future__ import annotations

import json
import re

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from cert_plugin import api
from cert_plugin.models import CertificateTemplate
from cert_plugin.views.csp import content_security_policy
from cert_plugin.views.templates_editor.common import (
    PREVIEW_DPI,
    EditorInput,
    FormProblem,
    Problem,
    asset_response,
    forbidden,
    login_required,
    notices_of,
    refuse_nul,
    see_other,
    versioned,
    visible_template,
)


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


@content_security_policy
@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def template_edit(request: HttpRequest, template_id: int) -> HttpResponse:
    """``/certs/templates/<id>/``: edit, preview and save a template (POST saves a new version)."""
    template = visible_template(request, template_id)
    if template is None:
        return forbidden(request)
    if request.method != "POST":
        return _render_editor(request, template, EditorInput.from_version(template.current_version))
    if not api.can_edit_template(request.user, template):
        return forbidden(request, _("Built-in templates cannot be changed: duplicate one to make it yours.")
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
    notes = notices_of(data.html, data.css)
    if addresses := [note for note in notes if note["kind"] == "address"]:
        messages.warning(request, ngettext(
            "%(count)d address in this template will never be loaded: see the note next to the preview.",
            "%(count)d addresses in this template will never be loaded: see the notes next to the preview.",
            len(addresses)) % {"count": len(addresses)}, fail_silently=True)
    if images := [note for note in notes if note["kind"] == "alt"]:
        messages.warning(request, ngettext(
            "%(count)d image in this template has no text alternative for screen readers: see the note "
            "next to the preview.",
            "%(count)d images in this template have no text alternative for screen readers: see the notes "
            "next to the preview.",
            len(images)) % {"count": len(images)}, fail_silently=True)
    return see_other(reverse("cert_plugin:template-edit", args=[template.pk]))


def _render_editor(request: HttpRequest, template: CertificateTemplate, data: EditorInput, *,
                   problem: Problem | None = None, file_lost: bool = False,
                   status: int = 200) -> HttpResponse:
    user = request.user
    version = template.current_version
    editable = api.can_edit_template(user, template)
    asset_rows = []
    for asset in (version.assets.all() if version is not None else []):
        url = reverse("cert_plugin:template-asset", args=[template.pk, asset.name])
        asset_rows.append({"name": asset.name, "mime": asset.mime, "size": asset.size,
                           "removed": asset.name in data.removed,
                           "url": versioned(url, asset.sha256)})  # a new image is a new address
    variables = [{"name": name, "description": text, "snippet": _snippet(name)}
                 for name, text in api.template_variables().items() if name not in {"assets", "signatories"}]
    signatory_snippet = ("{% for s in signatories %}<p>{{ s.name }}, {{ s.title }}</p>{% endfor %}")
    versions = [{"number": v.number, "created_at": v.created_at, "by": v.created_by, "current": i == 0,
                 "view_url": reverse("cert_plugin:template-version-preview", args=[template.pk, v.number]),
                 "restore_url": reverse("cert_plugin:template-restore", args=[template.pk, v.number])}
                for i, v in enumerate(api.template_versions(template))]
    using, issued = api.template_usage(template) if not template.is_builtin else ([], 0)
    archived = next((event for event in api.template_events(template) if event.action == "archived"), None)
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
        "sample": sorted(api.template_sample_data(template).items()),
        "versions": versions,
        "using": [{"key": str(key), "detachable": api.get_host().is_course_staff(user, key) or user.is_staff}
                  for key in using],
        "attachable": [str(key) for key in attachable],
        "problem": problem,
        "notices": notices_of(data.html, data.css),
        "file_lost": file_lost and (problem is None or problem.field_name != "asset"),
        "preview_url": reverse("cert_plugin:template-preview", args=[template.pk]),
        "initial_preview_url": (reverse("cert_plugin:template-version-preview",
                                        args=[template.pk, version.number]) if version is not None else ""),
        "preview_portrait": orientation == "portrait",
        "attach_url": reverse("cert_plugin:template-attach", args=[template.pk]),
        "archive_url": reverse("cert_plugin:template-archive", args=[template.pk]),
        "archived_event": archived if template.archived_at is not None else None,  # when and by whom
        "issued_count": issued,  # certificates issued with any of its versions: it cannot be deleted
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
    """POST the editor's form: a PNG of it with sample data, or 400 ``{"error", "line", "field"}``.

    With the PNG, ``X-Template-Notices`` lists the template's notes (``[{"message", "line", "field"}]``:
    addresses the renderer will never fetch) and ``X-Template-Notice-Count`` how many there are.
    """
    if not request.user.is_authenticated:
        message = _("You are no longer logged in. Log in again to see the preview (copy your changes first).")
        return JsonResponse({"error": message, "line": None, "field": None}, status=401)
    template = visible_template(request, template_id)
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
    response = _png_response(png)
    # The notes (addresses never fetched) travel with the image, as ASCII JSON (headers must be), the
    # first few only: proxies refuse long response headers. The page lists them all after a save.
    notes = notices_of(data.html, data.css)
    response[NOTICES_HEADER] = json.dumps(notes[:NOTICES_IN_HEADER], ensure_ascii=True)
    response[NOTICE_COUNT_HEADER] = str(len(notes))
    return response


NOTICES_HEADER = "X-Template-Notices"
NOTICE_COUNT_HEADER = "X-Template-Notice-Count"
NOTICES_IN_HEADER = 5


def _png_response(png: bytes) -> HttpResponse:
    response = HttpResponse(png, content_type="image/png")
    response["Cache-Control"] = "private, no-store"
    return response


@content_security_policy
@require_safe
@login_required
def template_version_preview(request: HttpRequest, template_id: int, number: int) -> HttpResponse:
    """``/certs/templates/<id>/versions/<n>.png``: a saved version filled with sample data."""
    template = visible_template(request, template_id)
    if template is None:
        return forbidden(request)
    try:
        png = api.preview_template_version(template, number, dpi=PREVIEW_DPI)
    except api.TemplateError:
        raise Http404("No such version.") from None
    return _png_response(png)


@content_security_policy
@require_POST
@login_required
def template_restore(request: HttpRequest, template_id: int, number: int) -> HttpResponse:
    """POST: make version ``number`` current again, as a new version."""
    template = visible_template(request, template_id)
    if template is None or not api.can_edit_template(request.user, template):
        return forbidden(request)
    try:
        api.restore_template_version(template, number, by=request.user)
    except api.TemplateError as exc:
        messages.error(request, str(exc), fail_silently=True)
    else:
        version = template.current_version
        messages.success(request, _("Version %(old)d restored as version %(new)d.") % {
            "old": number, "new": version.number if version else 0}, fail_silently=True)
    return see_other(reverse("cert_plugin:template-edit", args=[template.pk]))


@content_security_policy
@require_safe
@login_required
def template_asset(request: HttpRequest, template_id: int, name: str) -> HttpResponse:
    """An image of the template's current version (``?version=N``: of that version), for editors."""
    refuse_nul(name)
    template = visible_template(request, template_id)
    if template is None:
        return forbidden(request)
    number = request.GET.get("version", "")
    asset = api.template_asset(template, name, number=int(number) if number.isdigit() else None)
    if asset is None:
        raise Http404("No such image.")
    return asset_response(request, bytes(asset.content), asset.mime, digest=asset.sha256)
