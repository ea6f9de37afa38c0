"""Learner pages: "My certificates", one certificate, publishing it, name-change reissue requests,
the public profile, and the offline worker.

Whoever may not see a certificate gets the same 404 as for a code that does
not exist, so none of these URLs reveals that a certificate (or a learner)
exists. Publishing is the owner's choice alone and goes through
:func:`cert_plugin.api.set_public`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import lru_cache, wraps
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from django.conf import settings as django_settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.views import redirect_to_login
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponsePermanentRedirect,
    HttpResponseRedirect,
)
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from cert_plugin import __version__, api
from cert_plugin.dates import local_date
from cert_plugin.models import Certificate
from cert_plugin.views.csp import content_security_policy
from cert_plugin.views.not_found import certificate_not_found, visible_certificate
from cert_plugin.views.statuses import STATUS_BADGES, status_label

__all__ = ["ask_for_review", "certificate_page", "dashboard", "linkedin_add_url", "public_profile", "publish",
           "recertify", "request_reissue", "service_worker"]

_STATIC = Path(__file__).resolve().parent.parent / "static" / "cert_plugin"
_LINKEDIN_ADD = "https://www.linkedin.com/profile/add"

# Pixel size of the screen PNG (A4 at 150 dpi), so the page reserves the image's space before it loads.
_PNG_SIZE = {"landscape": (1754, 1240), "portrait": (1240, 1754)}


# --------------------------------------------------------------------------- helpers


def _visible_certificate(request: HttpRequest, code: str) -> Certificate:
    certificate = api.certificate_by_code(code)
    if certificate is None or not api.can_view(request.user, certificate):
        raise Http404("No certificate with this code is available to you.")
    return certificate


def _images(code: str) -> dict[str, str]:
    """The certificate's image URLs besides the screen PNG: the print PNG, and the small copy that
    lists show (one size, so that the copy kept for offline use is the one the page asks for)."""
    url = reverse("cert_plugin:download-png", args=[code])
    return {"png_print_url": f"{url}?dpi={max(api.PNG_DPIS)}",
            "thumb_url": f"{url}?width={min(api.THUMBNAIL_WIDTHS)}"}


def _badge_url(code: str) -> str:
    """The Open Badges 3.0 credential to download: the signed VC-JWT (the JSON-LD form is unsigned)."""
    return reverse("cert_plugin:credential", args=[code]) + "?format=jwt"


def _is_owner(request: HttpRequest, certificate: Certificate) -> bool:
    return bool(request.user.is_authenticated and request.user.pk == certificate.user_id)


def _hours(value: Decimal | None) -> str:
    """12.00 -> "12", 7.50 -> "7.5"."""
    if value is None:
        return ""
    return format(Decimal(value).normalize(), "f")


def linkedin_add_url(certificate: Certificate) -> str:
    """LinkedIn's "Add to profile" link, prefilled for the certifications section.

    A plain link: no LinkedIn script runs on the page. The learner's own name
    is not part of it; ``name`` is the course, ``organizationName`` the issuer.
    """
    params: dict[str, str | int] = {
        "startTask": "CERTIFICATION_NAME",
        "name": certificate.course_title,
        "organizationName": certificate.issuer_name or certificate.org,
        "issueYear": certificate.issued_at.year,
        "issueMonth": certificate.issued_at.month,
    }
    if certificate.expires_at is not None:
        params["expirationYear"] = certificate.expires_at.year
        params["expirationMonth"] = certificate.expires_at.month
    params["certUrl"] = api.verify_url(certificate.verification_code)
    params["certId"] = certificate.formatted_code
    return f"{_LINKEDIN_ADD}?{urlencode(params)}"


@dataclass(frozen=True)
class _Status:
    key: str  # "issued" | "expired" | "revoked"
    label: str  # what the page shows
    detail: str  # one sentence saying what it means

    @property
    def badge(self) -> str:
        """The modifier of the shared ``.cp-badge`` class: valid, expired or revoked."""
        return "valid" if self.key == Certificate.ISSUED else self.key


def _status(certificate: Certificate) -> _Status:
    status = certificate.status
    if status == Certificate.REVOKED:
        when = _date(certificate.revoked_at)
        detail = _("This certificate was revoked on %(date)s and is no longer valid.") % {"date": when}
        if certificate.revoke_reason and certificate.revoke_reason_public:
            detail += " " + _("Reason: %(reason)s") % {"reason": certificate.revoke_reason}
        return _Status(status, _("Revoked"), detail)
    if status == Certificate.EXPIRED:
        return _Status(status, _("Expired"), _("This certificate expired on %(date)s.") % {
            "date": _date(certificate.expires_at)})
    return _Status(status, _("Valid"), _("This certificate is valid and can be verified by anyone."))


def _date(value: datetime | None) -> str:
    return local_date(value)


def _service_worker_scope() -> str:
    return reverse("cert_plugin:service-worker").rsplit("/", 1)[0] + "/"


# --------------------------------------------------------------------------- views


@content_security_policy
@require_safe
def certificate_page(request: HttpRequest, code: str) -> HttpResponse:
    """``/certs/<code>/``: the certificate, its downloads, sharing and (for the owner) publishing."""
    certificate = visible_certificate(request, code)
    if certificate is None:  # as for an unknown code, with "Sign in" for someone signed out
        return certificate_not_found(request)
    if code != certificate.formatted_code:  # typed in lower case or without hyphens: one URL per page
        return HttpResponsePermanentRedirect(reverse("cert_plugin:certificate",
                                                     args=[certificate.formatted_code]))
    return _render_certificate(request, certificate)


def _render_certificate(request: HttpRequest, certificate: Certificate, *, error: str = "",
                        status: int = 200) -> HttpResponse:
    owner = _is_owner(request, certificate)
    code = certificate.formatted_code
    revoked = certificate.status == Certificate.REVOKED
    orientation = getattr(certificate.template_version, "orientation", "landscape")
    width, height = _PNG_SIZE.get(orientation, _PNG_SIZE["landscape"])
    profile_url = ""
    if owner and api.public_certificates(request.user):
        profile_url = reverse("cert_plugin:public-profile", args=[request.user.get_username()])
    context: dict[str, Any] = {
        "certificate": certificate,
        "status": _status(certificate),
        "hours": _hours(certificate.hours),
        "issuer": certificate.issuer_name or certificate.org,
        "code": code,
        "is_owner": owner,
        "revoked": revoked,
        "error": error,
        "page_url": reverse("cert_plugin:certificate", args=[code]),
        "pdf_url": reverse("cert_plugin:download-pdf", args=[code]),
        "png_url": reverse("cert_plugin:download-png", args=[code]),
        **_images(code),
        "credential_url": _badge_url(code),
        "png_width": width,
        "png_height": height,
        "verify_url": api.verify_url(certificate.verification_code),
        "verify_page_url": reverse("cert_plugin:verify", args=[code]),
        "publish_url": reverse("cert_plugin:publish", args=[code]),
        "linkedin_url": linkedin_add_url(certificate),
        "profile_url": profile_url,
        "sw_url": reverse("cert_plugin:service-worker"),
        "sw_scope": _service_worker_scope(),
    }
    response = render(request, "cert_plugin/certificate.html", context, status=status)
    # The page depends on who asks (owner controls, staff view); shared caches must not keep it.
    patch_cache_control(response, private=True, max_age=0)
    patch_vary_headers(response, ["Cookie"])
    if not certificate.is_public:
        response["X-Robots-Tag"] = "noindex"
    return response


@content_security_policy
@require_POST
def publish(request: HttpRequest, code: str) -> HttpResponse:
    """``/certs/<code>/publish/`` (POST ``public=1|0``): the owner shows or hides it on their profile."""
    certificate = _visible_certificate(request, code)
    if not _is_owner(request, certificate):
        # Staff, or anyone looking at a public certificate: they may see it, not publish it.
        return HttpResponse(_("Only the learner who earned this certificate can publish it."),
                            status=403, content_type="text/plain; charset=utf-8")
    public = request.POST.get("public") == "1"
    try:
        api.set_public(certificate, public, by=request.user)
    except api.CertPluginError:
        return _render_certificate(
            request, certificate, status=409,
            error=_("This certificate was revoked, so it cannot be shown on your public profile."))
    if public:
        messages.success(request, _("Your certificate is now on your public profile."), fail_silently=True)
    else:
        messages.success(request, _("Your certificate is no longer on your public profile."),
                         fail_silently=True)
    response = HttpResponseRedirect(reverse("cert_plugin:certificate", args=[certificate.formatted_code]))
    response.status_code = 303
    return response


@content_security_policy
@require_safe
def public_profile(request: HttpRequest, username: str) -> HttpResponse:
    """``/certs/u/<username>/``: what a learner published; 404 when there is nothing to show.

    An unknown username and a learner with nothing published answer the same
    404, so the page never tells who has an account.
    """
    # One query whether or not the username exists (the user is a subquery), so neither the answer
    # nor its timing tells who has an account. A NUL (which PostgreSQL refuses) is in no username.
    user = get_user_model().objects.filter(username=username.replace("\x00", ""), is_active=True)
    certificates = api.public_certificates(user.values("pk")[:1]) if "\x00" not in username else []
    if not certificates:
        raise Http404("No public certificates.")
    items = [
        {
            "certificate": certificate,
            "status": _status(certificate),
            "page_url": reverse("cert_plugin:certificate", args=[certificate.formatted_code]),
            **_images(certificate.formatted_code),
            "hours": _hours(certificate.hours),
            "issuer": certificate.issuer_name or certificate.org,
        }
        for certificate in certificates
    ]
    context = {"learner_name": certificates[0].learner_name, "items": items}
    response = render(request, "cert_plugin/public_profile.html", context)
    patch_cache_control(response, public=True, max_age=60)
    return response


def _service_worker_source() -> tuple[str, str]:
    if django_settings.DEBUG:  # edits show at once while developing
        return _read_service_worker()
    return _cached_service_worker()


@lru_cache(maxsize=1)
def _cached_service_worker() -> tuple[str, str]:
    return _read_service_worker()


def _read_service_worker() -> tuple[str, str]:
    """sw.js with its cache version: a hash of the worker and the page assets it caches."""
    source = (_STATIC / "sw.js").read_text(encoding="utf-8")
    digest = hashlib.sha256(source.encode())
    for name in ("certificate.js", "certificate.css", "cert_plugin.css", "offline.js", "learner.js",
                 "learner.css"):
        path = _STATIC / name
        if path.exists():
            digest.update(path.read_bytes())
    version = f"{__version__}-{digest.hexdigest()[:12]}"
    return source.replace("__CERT_PLUGIN_CACHE_VERSION__", version), version


@require_safe
def service_worker(request: HttpRequest) -> HttpResponse:
    """``/certs/sw.js``: the offline worker, served from ``/certs/`` so that its scope covers the pages."""
    source, version = _service_worker_source()
    response = HttpResponse(source, content_type="application/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = _service_worker_scope()
    # Browsers check for a new worker on each visit; the version changes whenever the assets do.
    response["Cache-Control"] = "no-cache"
    response["ETag"] = f'"{version}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --------------------------------------------------------------------------- "My certificates"


# Cards of courses where the learner can do nothing more themselves: no meter, next step or course link.
_STOPPED = ("revoked", "not_approved")


def _course_row(row: api.CourseStatus) -> dict[str, Any]:
    """What one course's card shows: the status, the certificate's links, the checklist, and for a
    refusal or an expired certificate what the learner can do about it."""
    certificate = row.certificate
    progress = row.progress
    badge, icon = STATUS_BADGES[row.status]
    stopped = row.status in _STOPPED
    course_actions = {"course_key": row.course_key}
    item: dict[str, Any] = {
        "row": row,
        "label": status_label(row.status),
        "badge": badge,
        "icon": icon,
        "earned": row.status == "issued",
        "stopped": stopped,
        "items": progress.items if row.status != "revoked" else (),
        "met": progress.met_count,
        "total": len(progress.items),
        "percent": progress.percent,
        # (an expired card lists everything that remains instead)
        "next_step": (progress.missing[0] if progress.missing and row.status == "in_progress"
                      and progress.refusal is None else None),
        "profile_name": row.profile_name,
        "reissue_request": row.reissue_request,
        "refusal": progress.refusal if row.status != "revoked" else None,
        "review_url": reverse("cert_plugin:ask-for-review", kwargs=course_actions),
        "remaining": progress.missing,
        # Nothing left but the new certificate itself (no event has re-evaluated the learner yet).
        "recertify_url": (reverse("cert_plugin:recertify", kwargs=course_actions)
                          if progress.expired is not None and progress.eligible else ""),
        "earlier_work_counts": progress.earlier_work_counts,
        "course_url": row.course_url if not stopped else "",
    }
    # Only while there is something left to do in the course (not once it is all done, awaiting
    # approval, revoked or refused): staff's approval is not done in the course.
    item["continue_course"] = bool(row.course_url and row.status in ("in_progress", "expired")
                                   and any(entry.key != "approval" for entry in progress.missing))
    if certificate is not None:
        code = certificate.formatted_code
        orientation = getattr(certificate.template_version, "orientation", "landscape")
        width, height = _PNG_SIZE.get(orientation, _PNG_SIZE["landscape"])
        item.update({
            "certificate": certificate,
            "code": code,
            "page_url": reverse("cert_plugin:certificate", args=[code]),
            "pdf_url": reverse("cert_plugin:download-pdf", args=[code]),
            "png_url": reverse("cert_plugin:download-png", args=[code]),
            **_images(code),
            "credential_url": _badge_url(code),
            "verify_page_url": reverse("cert_plugin:verify", args=[code]),
            "verify_url": api.verify_url(certificate.verification_code),
            "reissue_url": reverse("cert_plugin:request-reissue", args=[code]),
            "png_width": width,
            "png_height": height,
            "issuer": certificate.issuer_name or certificate.org,
            "hours": _hours(certificate.hours),
            # An expired certificate still opens and downloads (it says "Expired"); a revoked one does not.
            "downloadable": row.status in ("issued", "expired"),
        })
    return item


@content_security_policy
@require_safe
def dashboard(request: HttpRequest) -> HttpResponse:
    """``/certs/``: the learner's "My certificates" tab: earned certificates first, then the courses
    still in progress with their checklist and next step."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    rows = [_course_row(row) for row in api.learner_overview(request.user)]
    earned = [row for row in rows if row["earned"]]
    stopped = [row for row in rows if row["stopped"]]
    in_progress = [row for row in rows if not row["earned"] and not row["stopped"]]
    profile_url = ""
    if api.public_certificates(request.user):
        profile_url = reverse("cert_plugin:public-profile", args=[request.user.get_username()])
    response = render(request, "cert_plugin/learner_dashboard.html", {
        "earned": earned,
        "stopped": stopped,
        "in_progress": in_progress,
        "profile_url": profile_url,
        "sw_url": reverse("cert_plugin:service-worker"),
        "sw_scope": _service_worker_scope(),
    })
    patch_cache_control(response, private=True, no_cache=True)
    patch_vary_headers(response, ["Cookie"])
    return response


@content_security_policy
@require_POST
def request_reissue(request: HttpRequest, code: str) -> HttpResponse:
    """``/certs/<code>/reissue/`` (POST): the owner asks for the certificate with their corrected
    profile name. Reissued at once when ``AUTO_REISSUE_ON_NAME_CHANGE`` is on, otherwise a request
    for the course staff. Anyone but the owner gets the 404 of an unknown code."""
    certificate = api.certificate_by_code(code)
    if certificate is None or not _is_owner(request, certificate):
        raise Http404("No certificate with this code is available to you.")
    try:
        result = api.request_reissue(certificate, by=request.user)
    except api.CertPluginError as exc:
        messages.error(request, str(exc), fail_silently=True)
    else:
        if isinstance(result, Certificate):
            messages.success(request, _("Reissued with your new name: %(name)s. The certificate keeps its "
                                        "verification code.") % {"name": result.learner_name},
                             fail_silently=True)
        else:
            messages.success(request, _("Request sent to the course staff. Your certificate will be reissued "
                                        "with your new name once they approve it."), fail_silently=True)
    response = HttpResponseRedirect(f"{reverse('cert_plugin:learner-dashboard')}#{certificate.course_key}")
    response.status_code = 303
    return response


def _back_to_card(request: HttpRequest, course_key: str) -> HttpResponse:
    """303 to the page the form was on (``next``, this site only), else to the course's card."""
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        target = f"{reverse('cert_plugin:learner-dashboard')}#{course_key}"
    response = HttpResponseRedirect(target)
    response.status_code = 303
    return response


def _own_course(view: Any) -> Any:
    """For a learner's action on a course they are enrolled in: login first; a malformed key gets the
    page saying what a course key looks like, a course the learner is not enrolled in a plain 404."""

    @wraps(view)
    def wrapper(request: HttpRequest, course_key: str) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(reverse("cert_plugin:learner-dashboard"))
        try:
            key = api.parse_course_key(course_key)
        except api.InvalidCourseKey:
            return render(request, "cert_plugin/staff/not_found.html", {"typed": course_key}, status=404)
        if api.course_learner(key, request.user.pk) is None:
            raise Http404("No such course, or you are not enrolled in it.")
        response: HttpResponse = view(request, key)
        return response

    return wrapper


@content_security_policy
@require_POST
@_own_course
def ask_for_review(request: HttpRequest, key: Any) -> HttpResponse:
    """``/certs/courses/<course_key>/review/`` (POST, optional ``message``): a refused learner asks the
    course staff to reconsider. Recorded once; asking again says when it was asked."""
    try:
        refusal = api.request_review(request.user, key, message=request.POST.get("message", ""))
    except api.CertPluginError as exc:
        messages.error(request, str(exc), fail_silently=True)
    else:
        messages.success(request, _("Review requested on %(date)s. The course staff will reconsider their "
                                    "decision; the answer appears here.") % {
            "date": _date(refusal.review_requested_at)}, fail_silently=True)
    return _back_to_card(request, str(key))


@content_security_policy
@require_POST
@_own_course
def recertify(request: HttpRequest, key: Any) -> HttpResponse:
    """``/certs/courses/<course_key>/recertify/`` (POST): a learner whose certificate expired and who
    meets every requirement again gets the new certificate now (an evaluation, as a grade event runs)."""
    held = api.active_certificate(request.user, key)
    certificate = api.evaluate(request.user, key)
    if certificate is not None and (held is None or certificate.pk != held.pk):
        messages.success(request, _("Recertified: your new certificate is ready to download (code %(code)s).")
                         % {"code": certificate.formatted_code}, fail_silently=True)
    elif certificate is not None and certificate.status == Certificate.ISSUED:
        messages.success(request, _("Your certificate is valid: there is nothing to recertify."),
                         fail_silently=True)
    else:
        messages.error(request, _("You cannot recertify yet: the card below says what remains."),
                       fail_silently=True)
    return _back_to_card(request, str(key))
