"""Open Badges 3.0 credentials, the issuer's Profile and keys, and the revocation status list.

- ``/certs/<code>/credential.json`` (``credential``): the certificate's ``OpenBadgeCredential`` as
  JSON-LD with its Data Integrity proof, or with ``?format=jwt`` (or ``Accept: application/vc+jwt``)
  the VC-JWT (``&alg=ES256`` or ``EdDSA`` picks one of the algorithms the site offers). Same
  audience as the downloads; everyone else gets the 404 of an unknown code. A revoked
  certificate's credential is not served (its owner and staff get 410 "revoked", like its files):
  a signed credential handed on after revocation would look valid to a verifier that skips the
  status list. Credentials already handed out show the revocation through the status list.
- ``/certs/issuer/`` (``issuer``): the issuer's OB 3.0 ``Profile``, public.
- ``/certs/issuer/keys.json`` (``issuer-keys``): every public key the issuer signed with (JWKS),
  public. Each key's ``kid`` is the URL of its own JWK, ``/certs/issuer/keys/<thumbprint>.json``
  (``issuer-key``), the ``kid`` of the VC-JWTs it signed; an Ed25519 key is also served as the
  ``Multikey`` verification method of Data Integrity proofs at
  ``/certs/issuer/keys/<thumbprint>/multikey.json`` (``issuer-multikey``).
- ``/certs/status/revocation.json`` (``status-list``): the ``BitstringStatusListCredential``, a
  VC-JWT by default, JSON-LD with ``?format=json`` (or an ``Accept`` that asks for JSON only).

Without a signing key (or ``BASE_URL``) the signed forms answer 503 with a JSON error saying so.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from cert_plugin import api
from cert_plugin.models import Certificate

__all__ = ["credential", "issuer_key", "issuer_keys", "issuer_multikey", "issuer_profile", "status_list"]

JSON_LD = "application/ld+json"
VC_JWT = "application/vc+jwt"
_JWT_TYPES = (VC_JWT, "application/jwt", "application/vc+ld+json+jwt")
_STATUS_MAX_AGE = 300  # seconds; matches the list's credentialSubject.ttl
_NOT_FOUND = {"error": "not_found", "detail": "No certificate with this code is available to you."}


def _json(document: Any, *, content_type: str = JSON_LD, status: int = 200) -> JsonResponse:
    response = JsonResponse(document, status=status, content_type=content_type,
                            json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _unavailable(exc: api.CertPluginError) -> JsonResponse:
    """503 for a site that is not set up for signed credentials (no key, no BASE_URL)."""
    response = _json({"error": "unavailable", "detail": str(exc)}, content_type="application/json",
                     status=503)
    response["Cache-Control"] = "no-store"
    return response


def _wants_jwt(request: HttpRequest, *, default: bool) -> bool:
    requested = request.GET.get("format", "").lower()
    if requested in {"jwt", "vc+jwt"}:
        return True
    if requested in {"json", "jsonld", "json-ld"}:
        return False
    accept = request.headers.get("Accept", "")
    if any(kind in accept for kind in _JWT_TYPES):
        return True
    if any(kind in accept for kind in ("application/ld+json", "application/json", "application/vc")):
        return False
    return default


def _jwt(token: str) -> HttpResponse:
    response = HttpResponse(token, content_type=VC_JWT)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_safe
def credential(request: HttpRequest, code: str) -> HttpResponse:
    """The certificate's Open Badges 3.0 credential, for whoever may see the certificate."""
    certificate = api.certificate_by_code(code)
    if certificate is None or not api.can_view(request.user, certificate):
        return _json(_NOT_FOUND, content_type="application/json", status=404)
    if certificate.state == Certificate.REVOKED:
        gone = _json({"error": "revoked", "status": "revoked",
                      "detail": _("This certificate was revoked; it can no longer be shared."),
                      "verify_url": request.build_absolute_uri(
                          reverse("cert_plugin:verify", args=[certificate.formatted_code]))},
                     content_type="application/json", status=410)
        gone["Cache-Control"] = "no-store"
        return gone
    try:
        if _wants_jwt(request, default=False):
            algorithm = request.GET.get("alg") or None
            if algorithm is not None and algorithm not in api.credential_algorithms():
                return _json({"error": "bad_request", "detail": _(
                    "This site signs credentials with %(offered)s; alg=%(alg)s is not one of them.") % {
                    "offered": ", ".join(api.credential_algorithms()) or "-", "alg": algorithm[:20]}},
                    content_type="application/json", status=400)
            response: HttpResponse = _jwt(api.credential_jwt(certificate, algorithm))
        else:
            response = _json(api.credential_json(certificate))
            response["Link"] = f'<{request.path}?format=jwt>; rel="alternate"; type="{VC_JWT}"'
    except api.CertPluginError as exc:
        return _unavailable(exc)
    response["Cache-Control"] = "public, max-age=300" if certificate.is_public else "private, no-cache"
    patch_vary_headers(response, ["Accept", "Cookie"])
    return response


@require_safe
def issuer_profile(request: HttpRequest) -> HttpResponse:
    """The issuer's Open Badges 3.0 Profile (JSON-LD), public."""
    try:
        response = _json(api.issuer_profile())
    except api.CertPluginError as exc:
        return _unavailable(exc)
    response["Cache-Control"] = "public, max-age=3600"
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_safe
def issuer_keys(request: HttpRequest) -> HttpResponse:
    """The issuer's public keys (JWKS), current and rotated-out, public."""
    response = _json(api.issuer_jwks(), content_type="application/jwk-set+json")
    response["Cache-Control"] = "public, max-age=3600"
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _public_key_document(find: Callable[[str], dict[str, Any] | None], key_id: str,
                         content_type: str) -> HttpResponse:
    try:
        document = find(key_id)
    except api.CertPluginError as exc:
        return _unavailable(exc)
    if document is None:
        return _json({"error": "not_found", "detail": "No key with this id was published by this issuer."},
                     content_type="application/json", status=404)
    response = _json(document, content_type=content_type)
    response["Cache-Control"] = "public, max-age=86400"  # a key id names one key forever
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_safe
def issuer_key(request: HttpRequest, key_id: str) -> HttpResponse:
    """One public key as a JWK: what a VC-JWT's ``kid`` dereferences to."""
    return _public_key_document(api.issuer_key, key_id, "application/jwk+json")


@require_safe
def issuer_multikey(request: HttpRequest, key_id: str) -> HttpResponse:
    """One Ed25519 public key as a ``Multikey`` verification method (Data Integrity proofs)."""
    return _public_key_document(api.issuer_multikey, key_id, "application/json")


@require_safe
def status_list(request: HttpRequest) -> HttpResponse:
    """The revocation status list: a VC-JWT by default, JSON-LD on request; public, cached briefly."""
    try:
        if _wants_jwt(request, default=True):
            response: HttpResponse = _jwt(api.status_list_jwt())
        else:
            response = _json(api.status_list_credential())
    except api.CertPluginError as exc:
        return _unavailable(exc)
    response["Cache-Control"] = f"public, max-age={_STATUS_MAX_AGE}"
    response["Access-Control-Allow-Origin"] = "*"
    patch_vary_headers(response, ["Accept"])
    return response
