"""Helpers of the browser tests: log a user in in a browser context, watch for CSP violations, read a
page's words in a language."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.test import Client
from django.utils import translation


def in_language(language: str, text: str, **values: Any) -> str:
    """``text`` (a msgid) as a page in ``language`` ("pt-br", or a browser locale such as "pt-BR") shows
    it, its ``{name}`` placeholders filled with ``values``."""
    with translation.override(language.lower()):
        translated = translation.gettext(text)
    return translated.format(**values) if values else translated


def login(context: Any, site: str, user: Any) -> None:
    """Log ``user`` in in the browser context: the session cookie of a test-client login."""
    client = Client()
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": site}])


# Reports each violation as a console error too (the page's policy does not apply to init scripts).
_REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error("securitypolicyviolation: " + event.effectiveDirective + " blocked "
                + (event.blockedURI || "inline") + " in " + event.sourceFile + ":" + event.lineNumber);
});
"""


def watch_csp(context: Any, violations: list[str]) -> None:
    """Collect into ``violations`` every Content-Security-Policy violation in the context's pages."""
    context.add_init_script(_REPORT_VIOLATIONS)

    def on_console(message: Any) -> None:
        text = message.text
        if "Content Security Policy" in text or text.startswith("securitypolicyviolation"):
            violations.append(f"{message.page.url if message.page else ''}: {text}")

    context.on("console", on_console)


