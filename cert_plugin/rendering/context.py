"""The template variables of a certificate, built from its snapshot values.

Pure: plain values in, a plain dict of display strings out (plus ``qr_svg``, the one
pre-escaped value, and the ``assets``/``signatories`` structures). No models, no ORM: the api
reads the certificate and its template version and passes their fields here.

Dates and numbers are formatted for the certificate's language with Django's localization
(``translation.override``), so a French certificate says "24 novembre 2026" and "7,5".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from decimal import ROUND_FLOOR, Decimal
from typing import Any

from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from cert_plugin.dates import lower_month_names
from cert_plugin.rendering.qr import qr_svg
from cert_plugin.text import clean_name, strip_controls

__all__ = ["asset_url", "build_context", "sample_context"]

ASSET_SCHEME = "asset:"

# Long date formats where the locale's DATE_FORMAT abbreviates the month ("Nov. 24, 2026").
_LONG_DATE_FORMATS = {"en": "j F Y"}
_ABBREVIATED_MONTH = re.compile(r"(?<!\\)[NMb]")


def asset_url(name: str) -> str:
    """The address of a template asset inside a rendered document (resolved by the PDF fetcher)."""
    return f"{ASSET_SCHEME}{name}"


def build_context(*, learner_name: str, course_title: str, course_key: str, org: str,
                  hours: Decimal | None, grade: float | None, issued_at: datetime,
                  expires_at: datetime | None, verification_code: str, verify_url: str,
                  issuer_name: str, assets: Iterable[str] = (),
                  options: Mapping[str, Any] | None = None, language: str = "en") -> dict[str, Any]:
    """The variables a certificate template renders with (see ``html.TEMPLATE_VARIABLES``).

    ``grade`` is a fraction (0.92 prints as "92%"). ``assets`` are the names of the template
    version's uploaded files. ``options`` is the template version's options:
    ``{"signatories": [{"name", "title", "signature"}], "honors": [[0.9, "With distinction"]]}``.
    """
    asset_names = [str(name) for name in assets]
    options = options or {}
    with translation.override(language):
        return {
            # printed as one line without bidi/control characters, cut to fit (issue 13)
            "learner_name": clean_name(learner_name),
            "course_title": strip_controls(course_title),
            "course_key": str(course_key),
            "org": org,
            "hours": _hours(hours),
            "grade": _grade(grade),
            "issued_at": _long_date(issued_at, language),
            "expires_at": _long_date(expires_at, language) if expires_at is not None else "",
            "verification_code": verification_code,
            "verify_url": verify_url,
            "qr_svg": qr_svg(verify_url, label=_("QR code linking to the verification page for code "
                                                 "%(code)s") % {"code": verification_code}),
            "issuer_name": issuer_name,
            "honors": _honors(options.get("honors"), grade),
            "assets": {name: asset_url(name) for name in asset_names},
            "signatories": _signatories(options.get("signatories"), set(asset_names)),
        }


def sample_context(*, asset_names: Iterable[str] = (), options: Mapping[str, Any] | None = None,
                   language: str = "en", issuer_name: str = "", org: str = "") -> dict[str, Any]:
    """Realistic values for previews and validation, every optional field filled.

    The template's own signatories and honors rules are used when it has them; otherwise a
    sample signatory and honors text stand in, so a preview shows every part of the layout.
    ``issuer_name`` and ``org`` are what the template's real certificates will print (the api
    passes its organization's); without them a sample institution stands in.
    """
    options = dict(options or {})
    if not options.get("signatories"):
        options["signatories"] = [{"name": "Dr. Jane Smith", "title": "Course Director", "signature": ""}]
    if not options.get("honors"):
        options["honors"] = [[0.9, "With distinction"]]
    issued = timezone.now().replace(microsecond=0)
    code = "7K3M-9QXP-2D4F-8HJW"
    return build_context(
        learner_name="María José García López",
        course_title="Python for Data Analysis",
        course_key=f"course-v1:{org or 'Northwind'}+PY101+2026",
        org=org or "Northwind",
        hours=Decimal("12"),
        grade=0.92,
        issued_at=issued,
        expires_at=issued + timedelta(days=730),
        verification_code=code,
        verify_url=f"https://learning.example.com/certs/verify/{code}/",
        issuer_name=issuer_name or "Northwind Academy",
        assets=asset_names,
        options=options,
        language=language,
    )


def _hours(hours: Decimal | None) -> str:
    if hours is None:
        return ""
    value = Decimal(hours)
    if value == value.to_integral_value():
        value = value.quantize(Decimal(1))
    else:
        value = value.normalize()
    return formats.number_format(value, use_l10n=True)


def _grade(grade: float | None) -> str:
    """A whole percentage, rounded down: a grade shown as 90% has really reached 0.9 (the honors
    and passing thresholds compare the unrounded grade)."""
    if grade is None:
        return ""
    percent = (Decimal(repr(float(grade))) * 100).to_integral_value(rounding=ROUND_FLOOR)
    return f"{percent}%"


def _long_date(value: datetime | date, language: str) -> str:
    if isinstance(value, datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    base = language.split("-")[0].split("_")[0].lower()
    pattern = _LONG_DATE_FORMATS.get(base)
    if pattern is None:
        pattern = _ABBREVIATED_MONTH.sub("F", str(formats.get_format("DATE_FORMAT", lang=language)))
    return lower_month_names(formats.date_format(value, pattern), value, language)


def _honors(rules: Any, grade: float | None) -> str:
    """The text of the highest honors rule whose minimum the grade reaches, else ""."""
    if grade is None or not rules:
        return ""
    best: tuple[float, str] | None = None
    for rule in rules:
        try:
            minimum, text = float(rule[0]), str(rule[1])
        except (TypeError, ValueError, IndexError, KeyError):
            continue  # a malformed rule never blocks a certificate
        if grade >= minimum and (best is None or minimum > best[0]):
            best = (minimum, text)
    return best[1] if best else ""


def _signatories(entries: Any, asset_names: set[str]) -> list[dict[str, str]]:
    signatories = []
    for entry in entries or ():
        if not isinstance(entry, Mapping):
            continue
        signature = str(entry.get("signature") or "")
        signatories.append({
            "name": str(entry.get("name") or ""),
            "title": str(entry.get("title") or ""),
            "signature_url": asset_url(signature) if signature and signature in asset_names else "",
            # the signature image's text alternative (its alt attribute; /Alt in the tagged PDF)
            "signature_alt": _("Signature of %(name)s") % {"name": str(entry.get("name") or "")},
        })
    return signatories
