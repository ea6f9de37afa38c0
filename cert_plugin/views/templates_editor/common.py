"""What every template-editor page needs: access, the editor's form and how problems are shown."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from cert_plugin import api
from cert_plugin.models import CertificateTemplate

PREVIEW_DPI = 100  # ~1169 x 827 px for A4 landscape: sharp in the editor, rendered in ~0.2 s


MAX_ROWS = 12  # signatories or honours rules read from one form


DEFAULT_COLORS = {"primary": "#1f3a5f", "accent": "#b08d3c"}  # the built-in templates' own


_CSS_LINE = re.compile(r"^CSS line (\d+)")


# Served uploads may be SVG: never let one run a script or load anything when opened directly.
ASSET_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox"


View = Callable[..., HttpResponse]


def login_required(view: View) -> View:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapper


def forbidden(request: HttpRequest, message: str = "") -> HttpResponse:
    return render(request, "cert_plugin/editor/forbidden.html", {
        "message": message or _("You do not have permission to edit certificate templates."),
        "list_url": reverse("cert_plugin:template-list"),
        "can_use_editor": api.can_use_template_editor(request.user),
    }, status=403)


def refuse_nul(*segments: str) -> None:
    """URL segments go into database lookups: one holding NUL (which PostgreSQL refuses) names nothing."""
    if any("\x00" in segment for segment in segments):
        raise Http404("Nothing has this name.")


def visible_template(request: HttpRequest, template_id: int) -> CertificateTemplate | None:
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
    return template if may_view(request, template) else None


def may_view(request: HttpRequest, template: CertificateTemplate) -> bool:
    """Editors of the template; built-ins and site-wide templates are readable by every editor."""
    if api.can_edit_template(request.user, template):
        return True
    return (template.is_builtin or not template.org) and api.can_use_template_editor(request.user)


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
    primary: str = DEFAULT_COLORS["primary"]
    accent: str = DEFAULT_COLORS["accent"]
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
            primary=colors.get("primary", DEFAULT_COLORS["primary"]),
            accent=colors.get("accent", DEFAULT_COLORS["accent"]),
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
            for index in range(MAX_ROWS):
                row = {name: str(post.get(f"{prefix}-{index}-{name}", "")).strip() for name in names}
                if any(row.values()):
                    found.append(row)
            return found

        return cls(
            html=str(post.get("html", "")).replace("\r\n", "\n"),
            css=str(post.get("css", "")).replace("\r\n", "\n"),
            orientation=str(post.get("orientation", "landscape")),
            colors_on=post.get("colors_on") == "1",
            primary=str(post.get("primary_color", "")).strip() or DEFAULT_COLORS["primary"],
            accent=str(post.get("accent_color", "")).strip() or DEFAULT_COLORS["accent"],
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
        css_line = getattr(exc, "css_line", None)
        if css_line is not None:
            return cls(message, line=css_line, field_name="css")
        if match := _CSS_LINE.match(message):
            return cls(message, line=int(match.group(1)), field_name="css")
        if message.startswith(("The template's HTML", "The template's CSS")):  # e.g. a NUL in it
            return cls(message, field_name="css" if message.startswith("The template's CSS") else "html")
        if message.startswith("The organization's name"):
            return cls(message, field_name="org")
        if message.startswith("Asset ") or "not a PNG" in message:
            return cls(message, field_name="asset")
        if message.startswith("Signatory"):
            return cls(message, field_name="signatories")
        if message.startswith(("Honors", "Each honors")):
            return cls(message, field_name="honors")
        return cls(message)

    def as_json(self) -> dict[str, Any]:
        return {"error": self.message, "line": self.line, "field": self.field_name or None}


def notices_of(html: str, css: str) -> list[dict[str, Any]]:
    """The editor's notes on a template (addresses never fetched, images without alt text): message,
    line, field and kind, as the page and the live preview show them."""
    return [{"message": str(notice), "line": notice.css_line if notice.field == "css" else notice.line,
             "field": notice.field, "kind": notice.kind} for notice in api.template_notices(html, css)]


def see_other(url: str) -> HttpResponse:
    response = HttpResponseRedirect(url)
    response.status_code = 303
    return response


def asset_digest(content: bytes) -> str:
    """A short content hash: the ``?v=`` of an image's address, so the address changes with the image."""
    return hashlib.sha256(content).hexdigest()[:16]


def versioned(url: str, digest: str) -> str:
    return f"{url}?v={digest[:16]}"


def asset_response(request: HttpRequest, content: bytes, mime: str, *, digest: str = "") -> HttpResponse:
    """An uploaded image for the editor pages, cached by its content hash.

    Pages link each image as ``…?v=<hash>`` (:func:`versioned`): that address holds that content
    for ever, so the browser keeps it a year. Any other address (an old page's, or none) must be
    revalidated (``no-cache``, answered 304 while the ETag still matches), so "Branding saved"
    shows the new logo at once instead of the one cached a minute earlier.
    """
    digest = (digest or asset_digest(content))[:16]
    etag = f'"{digest}"'
    if etag in request.headers.get("If-None-Match", ""):
        response = HttpResponse(status=304)
    else:
        response = HttpResponse(content, content_type=mime)
    response["Content-Security-Policy"] = ASSET_CSP
    response["X-Content-Type-Options"] = "nosniff"
    response["ETag"] = etag
    response["Cache-Control"] = ("private, max-age=31536000, immutable" if request.GET.get("v") == digest
                                 else "private, no-cache")
    return response
