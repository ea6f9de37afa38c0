"""Helpers of the browser tests: log a user in in a browser context, watch for CSP violations, read a
page's words in a language, build Northwind's branded course."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.test import Client
from django.utils import translation

from cert_plugin import api


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


DEMO_ASSETS = Path(__file__).resolve().parents[2] / "devhost" / "lms" / "demo_assets"


def northwind(lms: Any) -> tuple[Any, Any, Any]:
    """A Northwind course with certificates, its staff, and Northwind's branded template."""
    course = lms.course(org="Northwind")
    api.configure_course(course.course_key)
    api.set_branding("Northwind", display_name="Northwind Institute of Technology",
                     primary_color="#1f4e79", accent_color="#b08d3c",
                     signatories=[{"name": "Dr. Ada Obi", "title": "Dean of Continuing Education",
                                   "signature": "dean_signature"},
                                  {"name": "Marcus Lindqvist", "title": "Programme Director",
                                   "signature": "director_signature"}],
                     assets={"logo": (DEMO_ASSETS / "northwind-logo.svg").read_bytes(),
                             "dean_signature": (DEMO_ASSETS / "signature-dean.svg").read_bytes(),
                             "director_signature": (DEMO_ASSETS / "signature-director.svg").read_bytes()})
    base = api.builtin_templates()[0].current_version
    template = api.create_template("Northwind landscape", org="Northwind", html=base.html, css=base.css,
                                   orientation=base.orientation)
    api.set_course_template(course.course_key, template)
    return course, lms.staff(course), template
