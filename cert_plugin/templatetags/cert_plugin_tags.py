"""Template tags of cert_plugin's own pages (``{% load cert_plugin_tags %}``)."""

from __future__ import annotations

from django import template
from django.utils.html import format_html

from cert_plugin import conf
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
