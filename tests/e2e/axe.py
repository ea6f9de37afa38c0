"""axe-core in the browser tests: what an accessibility engine finds on a page, as a test failure.

axe-core (npm, pinned in tests/e2e/package-lock.json, installed by ``make test``) is evaluated in the
page through the DevTools protocol, which the page's Content-Security-Policy does not govern: the page
is audited exactly as it is served. A missing axe-core fails the test (it is never skipped).

Only the WCAG 2.0, 2.1 and 2.2 level A and AA rules run (:data:`RULESETS`); axe's "best practice"
rules, which are not WCAG requirements, do not. docs/accessibility.md says what runs where.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
RULESETS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa")


def version() -> str:
    """The axe-core version the tests run (from its package.json)."""
    return str(json.loads((AXE.parent / "package.json").read_text(encoding="utf-8"))["version"])


def violations(page: Any) -> list[dict[str, Any]]:
    """axe-core's WCAG A/AA violations on the page as it is now (after whatever the test did)."""
    if not AXE.exists():
        pytest.fail(f"axe-core is not installed at {AXE}: run `make test` (npm ci in tests/e2e).",
                    pytrace=False)
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate("rulesets => axe.run(document, "
                           "{runOnly: {type: 'tag', values: rulesets}, resultTypes: ['violations']})",
                           list(RULESETS))
    return list(result["violations"])


def assert_accessible(page: Any, where: str = "") -> None:
    """Fail, naming each rule, its WCAG criteria and the elements it found, when axe finds a violation."""
    found = violations(page)
    if found:
        pytest.fail(f"axe-core {version()} found {len(found)} WCAG violation(s) on {where or page.url}:\n"
                    + "\n".join(describe(violation) for violation in found), pytrace=False)


def describe(violation: dict[str, Any]) -> str:
    """One violation as lines of text: the rule, its impact and WCAG criteria, and where it was found."""
    criteria = ", ".join(tag for tag in violation.get("tags", [])
                         if tag.startswith("wcag") and tag[4:5].isdigit() and not tag.startswith(RULESETS))
    nodes = violation.get("nodes", [])
    lines = [f"- {violation['id']} ({violation.get('impact')}; {criteria or 'WCAG'}): {violation['help']}"]
    for node in nodes[:5]:
        lines.append(f"    {' '.join(map(str, node.get('target', [])))}: {node.get('failureSummary', '')}"
                     .replace("\n", " "))
    if len(nodes) > 5:
        lines.append(f"    ... and {len(nodes) - 5} more")
    return "\n".join(lines)
