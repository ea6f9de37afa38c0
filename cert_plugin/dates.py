"""The one way the plugin writes a date for people: pages, emails, admin lists, the certificate.

The active language's ``DATE_FORMAT`` (Django's localized formats: "Dec. 4, 2026",
"4 de dezembro de 2026"); where the time matters too (the audit log, template versions),
its ``DATETIME_FORMAT``, which is the same date followed by the time. In languages that
write month names in lower case inside a date (Portuguese, Spanish, French...), they are
lower-cased: Django's catalogues capitalise some of them ("4 de Dezembro de 2026"), which
is not how Portuguese is written.

No models: used by templates (``cert_date``, ``cert_datetime`` in ``cert_plugin_tags``),
views, and the certificate renderer.
"""

from __future__ import annotations

import datetime as dt

from django.utils import dateformat, formats, timezone, translation

__all__ = ["local_date", "lower_month_names"]

# Languages whose dates write the month as a common noun, in lower case ("4 de dezembro de 2026").
_LOWER_CASE_MONTHS = {"pt", "es", "fr", "it", "ca", "gl", "ro", "nl", "sv", "da", "nb", "nn", "no", "fi",
                      "pl", "cs", "sk", "sl", "hr", "sr", "ru", "uk", "bg", "lt", "lv", "et", "hu"}


def local_date(value: dt.date | dt.datetime | None, *, with_time: bool = False) -> str:
    """``value`` in the active language's date format (and time, with ``with_time``); "" for None."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    text = formats.date_format(value, "DATETIME_FORMAT" if with_time else "DATE_FORMAT")
    return lower_month_names(text, value)


def lower_month_names(text: str, value: dt.date | dt.datetime, language: str | None = None) -> str:
    """``text`` (a formatted ``value``) with month names in lower case where the language writes them so."""
    base = (language or translation.get_language() or "en").replace("_", "-").split("-")[0].lower()
    if base not in _LOWER_CASE_MONTHS:
        return text
    # The month of ``value`` as each month format character prints it: full, alternative, abbreviated.
    names = {dateformat.format(value, char) for char in "FENbM"}
    for name in sorted(names, key=len, reverse=True):
        if name and name[0].isupper():
            text = text.replace(name, name[0].lower() + name[1:])
    return text
