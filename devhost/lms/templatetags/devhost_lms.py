"""Template helpers of the demo LMS."""

from typing import Any

from django import template
from django.urls import NoReverseMatch, reverse

register = template.Library()


@register.simple_tag
def url_if_mounted(name: str, *args: Any) -> str:
    """``reverse(name, args)``, or "" while that URL is not mounted (the link is then hidden)."""
    try:
        return reverse(name, args=[str(a) for a in args])
    except NoReverseMatch:
        return ""
