"""What learners and verifiers do in a real browser: scan, share, publish, open offline.

Each test issues a certificate through the real signals (the render task stores
its PDF and PNG), then drives Chromium against the live server.
"""

from __future__ import annotations

import io
import re

import zxingcpp
from django.conf import settings
from django.urls import reverse
from PIL import Image

from cert_plugin import api
from tests.e2e.conftest import SCREENSHOTS
from tests.helpers import issued


def _page_url(certificate) -> str:
    return reverse("cert_plugin:certificate", args=[certificate.formatted_code])


def test_scanning_the_qr_code_opens_the_verify_page_saying_valid(lms, site, new_context):
    _, _, certificate = issued(lms)
    png = api.render_png(certificate)
    [barcode] = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)), formats=zxingcpp.BarcodeFormat.QRCode)
    base = settings.CERT_PLUGIN["BASE_URL"].rstrip("/")
    assert barcode.text.startswith(base + "/certs/verify/")
    page = new_context().new_page()  # a verifier's phone: not logged in

    response = page.goto(site + barcode.text.removeprefix(base))

    assert response is not None
    assert response.status == 200
    heading = page.get_by_role("heading", level=1)
    assert re.search(r"\bvalid\b", heading.inner_text(), re.IGNORECASE), heading.inner_text()
    assert certificate.learner_name in page.content()


def test_share_copies_the_verify_link_when_web_share_is_unavailable(lms, new_context):
    _, learner, certificate = issued(lms)
    context = new_context(learner, permissions=["clipboard-read", "clipboard-write"])
    context.add_init_script("delete Navigator.prototype.share; delete Navigator.prototype.canShare;")
    page = context.new_page()
    page.goto(_page_url(certificate))
    assert page.evaluate("typeof navigator.share") == "undefined"

    page.get_by_role("button", name="Share").click()

    status = page.get_by_role("status").filter(has_text="Link copied")
    status.wait_for()
    assert status.get_attribute("aria-live") == "polite"
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == api.verify_url(certificate.verification_code)


def test_share_opens_the_system_share_menu_with_the_verify_link(lms, new_context):
    _, learner, certificate = issued(lms)
    context = new_context(learner)
    context.add_init_script("""
        Object.defineProperty(Navigator.prototype, "share", {configurable: true, value(data) {
            window.__shared = data; return Promise.resolve();
        }});
        Object.defineProperty(Navigator.prototype, "canShare", {configurable: true,
                                                                value() { return true; }});
    """)
    page = context.new_page()
    page.goto(_page_url(certificate))

    page.get_by_role("button", name="Share").click()

    page.wait_for_function("() => window.__shared !== undefined")
    shared = page.evaluate("window.__shared")
    assert shared["url"] == api.verify_url(certificate.verification_code)
    assert certificate.course_title in shared["title"]
    assert certificate.learner_name in shared["text"]
    assert page.get_by_text("Link copied").count() == 0  # shared, not copied


def test_publishing_lets_anyone_open_the_certificate_and_unpublishing_hides_it(lms, new_context):
    _, learner, certificate = issued(lms)
    owner = new_context(learner).new_page()
    visitor = new_context()
    urls = [_page_url(certificate),
            reverse("cert_plugin:download-png", args=[certificate.formatted_code]),
            reverse("cert_plugin:public-profile", args=[learner.username])]
    assert [visitor.request.get(url).status for url in urls] == [404, 404, 404]

    owner.goto(_page_url(certificate))
    owner.get_by_role("button", name="Show on my public profile").click()
    owner.get_by_role("button", name="Hide from my public profile").wait_for()
    assert owner.get_by_role("link", name="View my public profile").is_visible()

    visitor_page = visitor.new_page()
    assert visitor_page.goto(urls[0]).status == 200
    assert visitor_page.get_by_role("img", name=f"Certificate of completion for {certificate.learner_name}, "
                                              f"{certificate.course_title}").is_visible()
    assert visitor_page.get_by_role("button", name="Show on my public profile").count() == 0
    assert visitor.request.get(urls[1]).status == 200
    assert visitor_page.goto(urls[2]).status == 200
    heading = visitor_page.get_by_role("heading", level=1).inner_text()
    assert heading == f"Certificates of {certificate.learner_name}"
    visitor_page.get_by_role("link", name=certificate.course_title).click()
    visitor_page.wait_for_url(f"**{urls[0]}")

    owner.get_by_role("button", name="Hide from my public profile").click()
    owner.get_by_role("button", name="Show on my public profile").wait_for()

    assert [visitor.request.get(url).status for url in urls] == [404, 404, 404]
    assert visitor_page.goto(urls[0]).status == 404


def test_a_certificate_opened_once_online_opens_offline_with_its_image_and_pdf(lms, new_context):
    _, learner, certificate = issued(lms)
    context = new_context(learner)
    page = context.new_page()
    page.goto(_page_url(certificate))
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.locator("#certificate[data-offline-ready]").wait_for(state="attached")
    page.reload()
    assert page.evaluate("navigator.serviceWorker.controller !== null")
    pdf_url = reverse("cert_plugin:download-pdf", args=[certificate.formatted_code])

    context.set_offline(True)
    page.reload()

    assert page.get_by_role("heading", level=1).inner_text() == certificate.course_title
    assert page.get_by_text(certificate.learner_name).first.is_visible()
    image = page.locator("img.cp-cert__image")
    page.wait_for_function("img => img.complete", arg=image.element_handle())
    assert image.evaluate("img => img.naturalWidth") > 0
    assert page.evaluate("url => fetch(url).then(r => r.status)", pdf_url) == 200
    pdf_type = page.evaluate("url => fetch(url).then(r => r.blob()).then(b => b.type)", pdf_url)
    assert pdf_type == "application/pdf"
    # Really offline: what was never stored does not load.
    assert page.evaluate("fetch('/certs/verify/').then(() => 'online', () => 'offline')") == "offline"


def test_screenshots_of_the_certificate_page(lms, new_context):
    _, learner, certificate = issued(lms)
    api.set_public(certificate, True, by=learner)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    viewports = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 800}}
    for name, viewport in viewports.items():
        page = new_context(learner, viewport=viewport).new_page()
        page.goto(_page_url(certificate))
        page.wait_for_function("() => document.querySelector('img.cp-cert__image').naturalWidth > 0")
        page.screenshot(path=str(SCREENSHOTS / f"certificate-page-{name}.png"), full_page=True)
