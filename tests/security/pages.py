"""What every page of the plugin must hold to: its Content-Security-Policy, and markup that obeys it.

Shared by the security tests: :func:`check_page` is called on every response they get.
"""

from __future__ import annotations

from typing import Any

import lxml.html

POLICY_HEADER = "Content-Security-Policy"

# Directives every page's policy must state exactly so.
REQUIRED = {
    "default-src": {"'self'"},
    "object-src": {"'none'"},
    "base-uri": {"'none'"},
    "form-action": {"'self'"},
    "frame-ancestors": {"'none'"},
}
# Sources no page's policy may allow, per directive (default-src covers the ones not named).
FORBIDDEN_SOURCES = {"'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'", "*", "http:", "https:", "data:"}
MAY_ALLOW_DATA = {"img-src"}  # QR codes and previews are data: and blob: images


def directives(header: str) -> dict[str, set[str]]:
    """``"a x y; b z"`` -> ``{"a": {"x", "y"}, "b": {"z"}}``."""
    found: dict[str, set[str]] = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            found[words[0].lower()] = set(words[1:])
    return found


def rendered_by_plugin(response: Any) -> bool:
    """The response is a page of the plugin's own templates (not the host's 404 page, not JSON)."""
    return any(str(getattr(template, "name", "") or "").startswith("cert_plugin/")
               for template in getattr(response, "templates", None) or ())


def policy_problems(response: Any) -> list[str]:
    """What is wrong with the page's policy, and what in the page the policy would block."""
    header = response.get(POLICY_HEADER)
    if not header:
        return ["no Content-Security-Policy header"]
    policy = directives(header)
    problems = [f"{name} is {sorted(policy.get(name, set()))}, expected {sorted(value)}"
                for name, value in REQUIRED.items() if policy.get(name) != value]
    for name, sources in policy.items():
        allowed_data = {"data:", "blob:"} if name in MAY_ALLOW_DATA else set()
        bad = (sources & FORBIDDEN_SOURCES) - allowed_data
        if bad:
            problems.append(f"{name} allows {sorted(bad)}")
    nonces = {source[len("'nonce-"):-1] for source in policy.get("style-src", set())
              if source.startswith("'nonce-")}
    body = response.content.decode("utf-8")
    if not body.strip():
        return problems
    document = lxml.html.fromstring(body)
    for element in document.iter():
        if not isinstance(element.tag, str):
            continue  # comments
        tag = element.tag.rsplit("}", 1)[-1].lower()
        if tag == "script" and not element.get("src"):
            problems.append("an inline <script> (the policy blocks it)")
        if tag == "style" and element.get("nonce") not in nonces:
            problems.append("a <style> without the response's nonce (the policy blocks it)")
        if element.get("style") is not None:
            problems.append(f"a style= attribute on <{tag}> (the policy blocks it)")
        problems += [f"an event handler attribute {name}= on <{tag}>" for name in element.attrib
                     if name.lower().startswith("on")]
        for name in ("href", "src", "action", "formaction"):
            if str(element.get(name, "")).strip().lower().startswith("javascript:"):
                problems.append(f"a javascript: URL in {name}= of <{tag}>")
    return problems


def check_page(label: Any, response: Any) -> bool:
    """Assert that a page rendered by the plugin carries the policy and obeys it; True if it was one."""
    if not rendered_by_plugin(response):
        return False
    assert response.get("Content-Type", "").startswith("text/html"), label
    assert policy_problems(response) == [], label
    return True
