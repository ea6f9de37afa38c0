"""Browser tests: Playwright (sync API) driving Debian's Chromium against pytest-django's live server.

No browser is ever downloaded: the tests launch ``/usr/bin/chromium`` (installed by
``scripts/system-deps.sh``). When it is missing the tests fail, they never skip
(CI rule: a browser test that cannot run is a failing test).

One browser for the package; each test gets fresh contexts (cookies, storage, service
workers) so tests never see each other's state. Users log in by copying the session
cookie of ``Client.force_login`` into a context (:func:`login`).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.helpers import login, watch_csp

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Screenshots are taken on every run (the code path is tested); they replace the committed ones in
# docs/images only with UPDATE_SCREENSHOTS=1, so `make test` leaves the work tree clean.
SCREENSHOTS = (Path(__file__).resolve().parents[2] / "docs" / "images" if os.environ.get("UPDATE_SCREENSHOTS")
               else Path(tempfile.gettempdir()) / "cert-plugin-screenshots")
TIMEOUT_MS = 10_000


@pytest.fixture(scope="package")
def browser() -> Iterator[Any]:
    """One Chromium for all the browser tests (package scope: closed when they are done).

    Playwright's sync API keeps an asyncio loop running in this thread while it is
    started, and Django refuses ORM calls from a thread with a running loop. The
    tests' own ORM calls (building courses, issuing) are plain synchronous code, so
    they are allowed while the browser runs; the loop and the allowance end with
    this package, before the rest of the suite runs.
    """
    if not CHROMIUM.exists():
        pytest.fail(f"The browser tests need Chromium at {CHROMIUM}: run scripts/system-deps.sh "
                    "(Debian package 'chromium'). They never download a browser.", pytrace=False)
    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                                  args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def site(live_server) -> str:
    """The live server's root, on ``localhost`` (a secure context, so service workers run)."""
    url = live_server.url.replace("127.0.0.1", "localhost")
    assert url.startswith("http://localhost:"), url
    return url


@pytest.fixture
def new_context(browser, site) -> Iterator[Any]:
    """``new_context(user=None, **options)``: a fresh browser context, logged in as ``user`` if given.

    Every page of every context is watched for Content-Security-Policy violations (Chromium's
    console message and the ``securitypolicyviolation`` event): the test fails on the first one,
    so the pages work under the policy they are served with.
    """
    contexts = []
    violations: list[str] = []

    def make(user: Any = None, **options: Any) -> Any:
        context = browser.new_context(base_url=site, **options)
        context.set_default_timeout(TIMEOUT_MS)
        watch_csp(context, violations)
        if user is not None:
            login(context, site, user)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()
    assert violations == [], "Content-Security-Policy violations in the browser"
