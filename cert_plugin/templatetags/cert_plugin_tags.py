"""Template tags of cert_plugin's own pages (``{% load cert_plugin_tags %}``)."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import timezone
from django.utils.html import format_html

from cert_plugin import api, conf
from cert_plugin.dates import local_date
from cert_plugin.text import clean_name

register = template.Library()


@register.simple_tag
def issuer_name() -> str:
    """``CERT_PLUGIN["ISSUER_NAME"]``: the institution named in every page header ("" if unset)."""
    return conf.get().ISSUER_NAME or ""


@register.filter
def isolate(value: object) -> str:
    """``value`` escaped inside ``<bdi>``: a name in another script keeps its own direction.

    For names placed inside a translated sentence: an Arabic learner name in an
    English sentence (or a Latin one in an Arabic sentence) otherwise reorders
    the words around it. The sentence's msgid does not change.
    """
    return format_html("<bdi>{}</bdi>", value)


@register.filter
def plain(value: object) -> str:
    """``value`` without control and bidirectional formatting characters (issue 13).

    For names outside the HTML body (``<title>``, Open Graph and Twitter tags, share texts), where
    ``<bdi>`` cannot isolate them: a U+202E there would reorder the rest of the line.
    """
    return clean_name(str(value), 255)


@register.simple_tag
def lms_url(page: str) -> str:
    """A page of the host LMS the plugin's pages link to (``{% lms_url "home" as url %}``).

    ``"home"``: the learner's courses (the site's root when the host cannot tell); ``"account"``:
    where the learner edits the name certificates print ("" when the host cannot tell). See
    :class:`cert_plugin.host.base.SiteLinks`.
    """
    if page not in ("home", "account"):
        raise template.TemplateSyntaxError(f'lms_url takes "home" or "account", not {page!r}')
    method = getattr(api.get_host(), f"{page}_url", None)
    url = str(method() or "") if callable(method) else ""
    return url or ("/" if page == "home" else "")


@register.filter
def cert_date(value: dt.date | dt.datetime | None) -> str:
    """A date as every page writes it: the language's date format, month names as the language writes them.

    ``{{ certificate.issued_at|cert_date }}``: "Dec. 4, 2026", "4 de dezembro de 2026" (cert_plugin.dates).
    """
    return local_date(value)


@register.filter
def cert_datetime(value: dt.date | dt.datetime | None) -> str:
    """:func:`cert_date` followed by the time, where the time matters (audit log, template versions)."""
    return local_date(value, with_time=True)


@register.simple_tag
def cert_now() -> str:
    """The date and time now, written as :func:`cert_datetime` writes one (``{% cert_now as checked %}``)."""
    return local_date(timezone.now(), with_time=True)


@register.simple_tag(takes_context=True)
def taught_courses_count(context: template.Context) -> int:
    """How many courses the signed-in user is course staff of (``{% taught_courses_count as taught %}``):
    0 for a learner or a visitor. The pages of learners link the staff index (``/certs/staff/``) with it."""
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    return api.teaches_courses(user) if user is not None else 0
