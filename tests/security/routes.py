"""Every route of the plugin, read from the URLconf, so that the security tests cover a new route
without being edited."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from django.urls import URLPattern, URLResolver, get_resolver

_PARAMETER = re.compile(r"<(?:(\w+):)?(\w+)>")
# What a test puts in a segment it does not probe.
PLACEHOLDERS = {"int": "1", "code": "ZZZZ-ZZZZ-ZZZZ-ZZZZ", "str": "x"}


def _patterns(resolver: Any, prefix: str) -> list[tuple[str, str]]:
    found = []
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            found += _patterns(pattern, route)
        elif isinstance(pattern, URLPattern) and pattern.name:
            found.append((pattern.name, route))
    return found


def plugin_routes() -> list[tuple[str, str]]:
    """(name, route) of every named route of the plugin, e.g. ``("verify", "certs/verify/<str:code>/")``."""
    plugin = next(p for p in get_resolver().url_patterns
                  if isinstance(p, URLResolver) and getattr(p, "namespace", None) == "cert_plugin")
    return _patterns(plugin, str(plugin.pattern))


def parameters(route: str) -> list[tuple[str, str]]:
    """(converter, name) of each segment of ``route``."""
    return [(converter or "str", name) for converter, name in _PARAMETER.findall(route)]


def path(route: str, **values: str) -> str:
    """The URL of ``route``: ``values`` (percent-encoded) in the segments they name, placeholders
    in the others."""
    def fill(match: re.Match[str]) -> str:
        converter, name = match.group(1) or "str", match.group(2)
        return quote(values[name], safe="") if name in values else PLACEHOLDERS[converter]

    return "/" + _PARAMETER.sub(fill, route).lstrip("^")
