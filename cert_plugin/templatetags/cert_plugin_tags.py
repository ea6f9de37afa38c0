"""Template tags of cert_plugin's own pages (``{% load cert_plugin_tags %}``)."""

from __future__ import annotations

from django import template

from cert_plugin import conf

register = template.Library()


@register.simple_tag
def issuer_name() -> str:
    """``CERT_PLUGIN["ISSUER_NAME"]``: the institution named in every page header ("" if unset)."""
    return conf.get().ISSUER_NAME or ""
