"""The template list (``/certs/templates/``; ``?archived=1``: the archived templates), its thumbnails,
and creating a template."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from cert_plugin import api
from cert_plugin.views.csp import content_security_policy
from cert_plugin.views.templates_editor.common import (
    Problem,
    forbidden,
    login_required,
    may_view,
    see_other,
    visible_template,
)


@content_security_policy
@require_safe
@login_required
def template_list(request: HttpRequest) -> HttpResponse:
    """``/certs/templates/``: the templates the user may edit or copy, and "New template".

    ``?archived=1`` lists the archived templates instead, to unarchive or delete them.
    """
    if not api.can_use_template_editor(request.user):
        return forbidden(request)
    return _render_list(request, archived=request.GET.get("archived") == "1")


def _render_list(request: HttpRequest, *, problem: Problem | None = None, archived: bool = False,
                 values: Mapping[str, str] | None = None, status: int = 200) -> HttpResponse:
    user = request.user
    orgs = api.editable_orgs(user)
    rows: list[dict[str, Any]] = []
    for row in api.template_rows(user, archived=archived, orgs=orgs):  # a fixed number of queries, no render
        template, version = row.template, row.version
        rows.append({
            "template": template,
            "version": version,
            "editable": row.editable,
            "courses": row.courses if not template.is_builtin else None,
            "url": reverse("cert_plugin:template-edit", args=[template.pk]),
            "thumbnail_url": (reverse("cert_plugin:template-thumbnail", args=[template.pk, version.number])
                              if version is not None else ""),
            "archive_url": reverse("cert_plugin:template-archive", args=[template.pk]),
        })
    builtins = [row["template"] for row in rows if row["template"].is_builtin]
    # "New template" starts from the default built-in design (A4 landscape) unless told otherwise.
    default_source = next((str(row["template"].pk) for row in rows if row["template"].is_builtin
                           and getattr(row["version"], "orientation", "") == "landscape"), "")
    context = {
        "rows": rows,
        "archived": archived,  # the page lists the archived templates (no "New template" form then)
        "archived_count": len(rows) if archived else api.archived_count(user, orgs=orgs),
        "list_url": reverse("cert_plugin:template-list"),
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
@login_required
def template_create(request: HttpRequest) -> HttpResponse:
    """POST ``source`` (a template id), ``name``, ``org``: a new template copying ``source``."""
    if not api.can_use_template_editor(request.user):
        return forbidden(request)
    values = {key: str(request.POST.get(key, "")).strip() for key in ("source", "name", "org")}
    source = api.template_by_id(int(values["source"])) if values["source"].isdigit() else None
    if source is None or not may_view(request, source):
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
    return see_other(reverse("cert_plugin:template-edit", args=[template.pk]))


@content_security_policy
@require_safe
@login_required
def template_thumbnail(request: HttpRequest, template_id: int, number: int) -> HttpResponse:
    """``/certs/templates/<id>/versions/<n>/thumbnail.png``: the list's small picture of that version.

    Rendered once per version and kept (the api stores it); a version never changes, so neither
    does its address's content: browsers keep it.
    """
    template = visible_template(request, template_id)
    if template is None:
        return forbidden(request)
    picture = api.template_thumbnail(template, number)
    if not picture:  # no such version, or one that does not render: the list keeps its plain frame
        raise Http404("No picture of this version.")
    response = HttpResponse(picture, content_type="image/png")
    response["Cache-Control"] = "private, max-age=31536000, immutable"
    response["X-Content-Type-Options"] = "nosniff"
    return response
