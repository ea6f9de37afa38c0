"""The Content-Security-Policy is enforced by the browser, and the violation watcher sees it.

Every other browser test fails on any violation (``new_context`` watches every page), so this
test proves the watcher works: markup injected into a page of ours is refused and reported.
"""

from __future__ import annotations

from django.urls import reverse

from tests.e2e.helpers import watch_csp
from tests.helpers import issued


def test_the_browser_refuses_injected_inline_script_and_style_on_our_pages(lms, browser, site):
    _, _, certificate = issued(lms)
    context = browser.new_context(base_url=site)
    violations: list[str] = []
    watch_csp(context, violations)
    page = context.new_page()
    try:
        response = page.goto(reverse("cert_plugin:verify", args=[certificate.formatted_code]))
        assert response.status == 200
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
        page.evaluate("""() => {
            const script = document.createElement("script");
            script.textContent = "window.injected = true;";
            document.body.appendChild(script);
            document.querySelector("h1").setAttribute("style", "color: red");
        }""")
        page.wait_for_timeout(200)  # the violation events are dispatched asynchronously
        assert page.evaluate("() => window.injected === undefined")
        assert page.evaluate("() => getComputedStyle(document.querySelector('h1')).color") != "rgb(255, 0, 0)"
        assert any("script-src" in text for text in violations), violations
        assert any("style-src" in text for text in violations), violations
    finally:
        context.close()
