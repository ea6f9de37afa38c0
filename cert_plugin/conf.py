"""One typed accessor for ``settings.CERT_PLUGIN``, with defaults and checks.

Every key is optional. A malformed value fails at start-up
(:func:`validate`, called from ``AppConfig.ready``) and in ``manage.py check``
with a message naming the key and how to fix it. No ``SIGNING_KEY`` is allowed
(certificates are then issued unsigned) but ``manage.py check`` warns about it
(``cert_plugin.W001``).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings as django_settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.utils import translation
from django.utils.functional import Promise

__all__ = ["PluginSettings", "get", "validate"]

_DEFAULTS: dict[str, Any] = {
    "HOST": "cert_plugin.host.openedx.OpenEdxHost",
    "BASE_URL": "",
    "ISSUER_NAME": "",
    "SIGNING_KEY": None,
    "PDF_SIGNING": None,
    "P256_SIGNING_KEY": None,
    "CREDENTIAL_ALGORITHMS": ["EdDSA"],
    "STORAGE": "default",
    "VERIFY_RATE": "30/m",
    "VERIFY_CACHE_SECONDS": 300,
    "AUTO_REISSUE_ON_NAME_CHANGE": False,
    "NOTIFY": {},
    "EVENTS_OUT": False,
    "JOB_STALE_AFTER": 300,
}
_RATE = re.compile(r"^\d+/[smhd]$")
# Keys that, when the operator leaves them out, take the host's own setting (read at run time).
_FROM_HOST = {"BASE_URL": "LMS_ROOT_URL", "ISSUER_NAME": "PLATFORM_NAME"}


@dataclass(frozen=True)
class PluginSettings:
    """The effective plugin settings: the host's values over the defaults."""

    HOST: str  # dotted path of a cert_plugin.host.base.Host implementation
    BASE_URL: str  # absolute site root used in QR codes and emails; default settings.LMS_ROOT_URL
    # Institution printed on certificates of organizations whose branding has no display name (ADR 0010);
    # default settings.PLATFORM_NAME, else the course org.
    ISSUER_NAME: str
    SIGNING_KEY: str | None  # Ed25519 private key, PEM
    PDF_SIGNING: dict[str, str] | None  # {"PKCS12": path, "PASSPHRASE": ..., "TSA_URL": optional}
    P256_SIGNING_KEY: str | None  # ECDSA P-256 private key, PEM: ES256 VC-JWTs (1EdTech's validator)
    # JOSE algorithms VC-JWTs are signed with, preferred first ("EdDSA" uses SIGNING_KEY, "ES256"
    # P256_SIGNING_KEY); every configured key is published in the JWKS.
    CREDENTIAL_ALGORITHMS: list[str]
    STORAGE: str  # alias in settings.STORAGES for rendered files
    VERIFY_RATE: str  # "<count>/<s|m|h|d>" per client on verify endpoints
    # Seconds an anonymous verify answer (page per language, JSON) may be kept in the default cache;
    # any change to the certificate drops it at once, an expiry ends it in time. 0: never kept.
    VERIFY_CACHE_SECONDS: int
    AUTO_REISSUE_ON_NAME_CHANGE: bool  # reissue at once when the profile name changes
    # Notifications to learners, every key optional (cert_plugin.notify documents backends):
    #   "BACKENDS": dotted paths, or {"class": path, **options} dicts passed to the constructor;
    #       default ["cert_plugin.notify.email.EmailBackend"]; e.g. {"class":
    #       "cert_plugin.notify.webhook.WebhookBackend", "url": "https://...", "secret": "..."}
    #   "EVENTS": which of "issued", "reissued", "revoked", "expiring" notify;
    #       default ["issued", "reissued", "expiring"]
    #   "EXPIRY_REMINDER_DAYS": days before expiry to remind, once per window; default [30]
    #   "FROM_EMAIL": sender of the emails; default settings.DEFAULT_FROM_EMAIL
    #   "COURSE_URL": recertify link, "{base_url}/courses/{course_key}/" by default; "" for none
    NOTIFY: dict[str, Any]
    EVENTS_OUT: bool  # emit openedx-events CERTIFICATE_CREATED/CHANGED/REVOKED for our certificates
    # Seconds a queued or running course job (backfill, reissue all) may go without writing progress
    # before it is taken for dead (worker killed); staff can then start it again.
    JOB_STALE_AFTER: int


def _raw() -> dict[str, Any]:
    value = getattr(django_settings, "CERT_PLUGIN", None) or {}
    if not isinstance(value, dict):
        raise ImproperlyConfigured("settings.CERT_PLUGIN must be a dict of plugin settings.")
    return value


def problems() -> list[str]:
    """Every problem with the configured settings, each naming its key."""
    try:
        raw = _raw()
    except ImproperlyConfigured as exc:
        return [str(exc)]
    found = []
    unknown = sorted(set(raw) - set(_DEFAULTS))
    if unknown:
        found.append(
            f"CERT_PLUGIN has unknown key(s) {', '.join(unknown)}; "
            f"known keys are {', '.join(sorted(_DEFAULTS))}."
        )
    if "HOST" in raw and (not isinstance(raw["HOST"], str) or "." not in raw["HOST"]):
        found.append('CERT_PLUGIN["HOST"] must be the dotted path of a Host class, e.g. '
                     '"cert_plugin.host.openedx.OpenEdxHost".')
    base_url = raw.get("BASE_URL", "")
    if base_url and (not isinstance(base_url, str) or not re.match(r"^https?://[^/\s]+", base_url)):
        found.append('CERT_PLUGIN["BASE_URL"] must be an absolute http(s) URL such as '
                     '"https://lms.example.org".')
    for key in ("ISSUER_NAME", "STORAGE"):
        if key in raw and not isinstance(raw[key], str):
            found.append(f'CERT_PLUGIN["{key}"] must be a string.')
    found.extend(_signing_problems(raw.get("SIGNING_KEY"), raw.get("PDF_SIGNING")))
    found.extend(_credential_key_problems(raw))
    rate = raw.get("VERIFY_RATE", _DEFAULTS["VERIFY_RATE"])
    if rate is not None and (not isinstance(rate, str) or not _RATE.match(rate)):
        found.append('CERT_PLUGIN["VERIFY_RATE"] must look like "30/m" (count per s, m, h or d), '
                     'or be None to disable rate limiting.')
    kept = raw.get("VERIFY_CACHE_SECONDS", _DEFAULTS["VERIFY_CACHE_SECONDS"])
    if isinstance(kept, bool) or not isinstance(kept, int) or kept < 0:
        found.append('CERT_PLUGIN["VERIFY_CACHE_SECONDS"] must be a whole number of seconds, 0 or more '
                     '(how long a verify answer may be kept in the cache; 0 keeps none).')
    if not isinstance(raw.get("AUTO_REISSUE_ON_NAME_CHANGE", False), bool):
        found.append('CERT_PLUGIN["AUTO_REISSUE_ON_NAME_CHANGE"] must be True or False.')
    found.extend(_notify_problems(raw.get("NOTIFY", {})))
    if not isinstance(raw.get("EVENTS_OUT", False), bool):
        found.append('CERT_PLUGIN["EVENTS_OUT"] must be True or False.')
    stale = raw.get("JOB_STALE_AFTER", _DEFAULTS["JOB_STALE_AFTER"])
    if isinstance(stale, bool) or not isinstance(stale, int) or stale < 10:
        found.append('CERT_PLUGIN["JOB_STALE_AFTER"] must be a whole number of seconds, at least 10 '
                     '(how long a course job may go without progress before it counts as dead).')
    return found


def _notify_problems(notify: Any) -> list[str]:
    from cert_plugin import notify as notifications

    return notifications.problems(notify)


def _signing_problems(signing_key: Any, pdf: Any) -> list[str]:
    from cert_plugin.credentials.signing import SigningKeyError, load_private_key

    found = []
    if signing_key is not None:
        try:
            if not isinstance(signing_key, str):
                raise SigningKeyError("it is not a string")
            load_private_key(signing_key)
        except SigningKeyError as exc:
            found.append(f'CERT_PLUGIN["SIGNING_KEY"] must be an Ed25519 private key in PEM form '
                         f'("-----BEGIN PRIVATE KEY-----..."): {exc}')
    if pdf is not None:
        if not isinstance(pdf, dict) or not isinstance(pdf.get("PKCS12"), str):
            found.append('CERT_PLUGIN["PDF_SIGNING"] must be a dict with "PKCS12" (path of a PKCS#12 file) '
                         'and "PASSPHRASE".')
        elif not os.path.isfile(pdf["PKCS12"]):
            found.append(f'CERT_PLUGIN["PDF_SIGNING"]["PKCS12"] names {pdf["PKCS12"]!r}, '
                         'which is not a file.')
        tsa_url = pdf.get("TSA_URL") if isinstance(pdf, dict) else None
        if tsa_url not in (None, "") and not (
                isinstance(tsa_url, str) and re.match(r"^https?://[^/\s]+\S*$", tsa_url)):
            found.append('CERT_PLUGIN["PDF_SIGNING"]["TSA_URL"] must be the http(s) URL of an RFC 3161 '
                         'timestamp authority, e.g. "https://freetsa.org/tsr", or be left out.')
    return found


def _credential_key_problems(raw: dict[str, Any]) -> list[str]:
    from cert_plugin.credentials.signing import SigningKeyError, load_p256_private_key

    found = []
    p256 = raw.get("P256_SIGNING_KEY")
    if p256 is not None:
        try:
            load_p256_private_key(p256 if isinstance(p256, str) else "")
        except SigningKeyError as exc:
            found.append(f'CERT_PLUGIN["P256_SIGNING_KEY"] must be an ECDSA P-256 private key in PEM form: '
                         f'{exc}')
    algorithms = raw.get("CREDENTIAL_ALGORITHMS", _DEFAULTS["CREDENTIAL_ALGORITHMS"])
    known = isinstance(algorithms, list | tuple) and all(name in ("EdDSA", "ES256") for name in algorithms)
    if not known or not algorithms or len(set(algorithms)) != len(algorithms):
        found.append('CERT_PLUGIN["CREDENTIAL_ALGORITHMS"] must list "EdDSA" and/or "ES256", preferred '
                     'first, e.g. ["ES256", "EdDSA"].')
    elif "ES256" in algorithms and not p256:
        found.append('CERT_PLUGIN["CREDENTIAL_ALGORITHMS"] offers "ES256" but '
                     'CERT_PLUGIN["P256_SIGNING_KEY"] is not set: generate one with '
                     "`openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256`.")
    return found


def validate() -> None:
    """Raise ImproperlyConfigured naming the first bad key, if any."""
    found = problems()
    if found:
        raise ImproperlyConfigured(found[0])


def get() -> PluginSettings:
    """The effective settings (read each call, so override_settings works).

    ``BASE_URL`` and ``ISSUER_NAME`` that the operator left out (absent, ``None``
    or ``""``) are the host's ``LMS_ROOT_URL`` and ``PLATFORM_NAME``, read here at
    run time rather than copied at settings time: the platform's ``PLATFORM_NAME``
    is lazy (it cannot be read while settings load), and a later settings layer
    (Tutor's patches) may replace the whole ``CERT_PLUGIN`` dict.
    """
    raw = _raw()
    values = {key: raw.get(key, default) for key, default in _DEFAULTS.items()}
    for key, host_setting in _FROM_HOST.items():
        if values[key] in (None, ""):
            values[key] = _host_text(host_setting)
    return PluginSettings(**values)


def _host_text(name: str) -> str:
    """A host setting as text; a lazy translation (the platform's PLATFORM_NAME) in the site's language,
    so what goes into a certificate snapshot does not depend on who triggered the issue."""
    value = getattr(django_settings, name, None)
    if value is None:
        return ""
    if isinstance(value, Promise):
        with translation.override(getattr(django_settings, "LANGUAGE_CODE", None)):
            return str(value)
    return str(value)


def _signing_key_left_out() -> bool:
    try:
        return _raw().get("SIGNING_KEY") is None
    except ImproperlyConfigured:  # reported as an error
        return False


UNSIGNED_WARNING = (
    'CERT_PLUGIN["SIGNING_KEY"] is not set: certificates are issued without a digital signature, so '
    "nobody can check a copy (the PDF, the credential) without asking this site, and the verify page "
    "says so."
)
UNSIGNED_HINT = (
    "Generate an Ed25519 key (`openssl genpkey -algorithm ed25519`) and put the PEM in "
    'CERT_PLUGIN["SIGNING_KEY"] from your secrets store; then reissue the certificates issued meanwhile '
    "(staff dashboard: Reissue all) to sign them."
)


@checks.register("cert_plugin")
def check_settings(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Django system check: report every malformed CERT_PLUGIN key, and warn when nothing is signed."""
    found: list[checks.CheckMessage] = [
        checks.Error(msg, id=f"cert_plugin.E{i:03d}") for i, msg in enumerate(problems(), 1)]
    if _signing_key_left_out():  # (a malformed one, even "", is an error above)
        found.append(checks.Warning(UNSIGNED_WARNING, hint=UNSIGNED_HINT, id="cert_plugin.W001"))
    return found
