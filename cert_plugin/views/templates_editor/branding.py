"""An organization's branding page: logo, colours and signatories its new templates inherit."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from cert_plugin import api
from cert_plugin.views import csp
from cert_plugin.views.csp import content_security_policy
from cert_plugin.views.templates_editor.common import (
    DEFAULT_COLORS,
    MAX_ROWS,
    Problem,
    asset_digest,
    asset_response,
    forbidden,
    login_required,
    refuse_nul,
    see_other,
    versioned,
)


@dataclass
class BrandingInput:
    display_name: str = ""
    primary: str = DEFAULT_COLORS["primary"]
    accent: str = DEFAULT_COLORS["accent"]
    signatories: list[dict[str, str]] = field(default_factory=list)
    remove_logo: bool = False


@content_security_policy
@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def branding_page(request: HttpRequest, org: str) -> HttpResponse:
    """``/certs/templates/branding/<org>/``: the logo, colours and signatories new templates inherit."""
    refuse_nul(org)
    if not api.can_edit_org(request.user, org):
        return forbidden(request, _("You cannot edit the branding of %(org)s.") % {"org": org})
    current = api.branding(org)
    if request.method != "POST":
        data = BrandingInput(
            display_name=current.display_name if current else "",
            primary=(current.primary_color if current and current.primary_color
                     else DEFAULT_COLORS["primary"]),
            accent=(current.accent_color if current and current.accent_color else DEFAULT_COLORS["accent"]),
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
    saved = _("Branding saved. Certificates of %(org)s issued from now on name “%(issuer)s” as their issuer, "
              "and templates created for %(org)s from now on start with this logo, these colours and "
              "signatories. Certificates already issued do not change.")
    messages.success(request, saved % {"org": org, "issuer": api.issuer_name_for(org)}, fail_silently=True)
    return see_other(reverse("cert_plugin:branding", args=[org]))


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
    for index in range(MAX_ROWS):
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
    digests = ({asset.name: asset_digest(bytes(asset.content)) for asset in current.assets.all()}
               if current is not None else {})

    def url(name: str) -> str:  # with the image's content hash: a new image is a new address
        return (versioned(reverse("cert_plugin:branding-asset", args=[org, name]), digests[name])
                if name in digests else "")

    rows = [{**person, "image_url": url(person.get("signature", ""))} for person in data.signatories]
    rows.append({"name": "", "title": "", "signature": "", "image_url": ""})
    hex_color = re.compile(r"^#[0-9a-fA-F]{6}$")
    context = {
        "org": org,
        "data": data,
        "swatch": {name: value if hex_color.fullmatch(value) else DEFAULT_COLORS[name]
                   for name, value in (("primary", data.primary), ("accent", data.accent))},
        "issuer_fallback": api.issuer_name_for("") or org,  # what certificates name without a display name
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
@login_required
def branding_asset(request: HttpRequest, org: str, name: str) -> HttpResponse:
    """A file of an organization's branding, for the people who edit it."""
    refuse_nul(org, name)
    if not api.can_edit_org(request.user, org):
        return forbidden(request)
    asset = api.branding_asset(org, name)
    if asset is None:
        raise Http404("No such image.")
    return asset_response(request, bytes(asset.content), asset.mime)
