"""Issue 14, points 3, 6 and 7 in a real browser, in English and in Brazilian Portuguese.

* A learner reading the "certificate issued" email in a browser where they are
  not signed in follows its links, is offered "Sign in", and lands on what the
  link promised (the certificate page, the PDF).
* From the certificate page, the verify page and the public profile a learner
  gets to "My certificates" and back to the LMS; the help answers "Validation
  code is not working" and links "Edit profile"; "My certificates" opens offline.
* The print PNG and the Open Badges credential download from the pages; lists
  show small images; a resolution that does not exist says which ones do.

Texts are looked up with the catalogue of the browser's language, so the tests
hold before and after the new strings are translated.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from PIL import Image

from cert_plugin import api
from tests.e2e.conftest import SCREENSHOTS
from tests.helpers import issued

LOCALES = {"en-US": "en", "pt-BR": "pt-br"}
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
ALL_IMAGES_LOADED = "() => [...document.images].every(img => img.complete && img.naturalWidth)"


def tr(locale: str, text: str) -> str:
    """``text`` as the page shows it to a browser asking for ``locale``."""
    with translation.override(LOCALES[locale]):
        return gettext(text)


def _page_url(certificate) -> str:
    return reverse("cert_plugin:certificate", args=[certificate.formatted_code])


def _sign_in(page, learner) -> None:
    """The demo LMS's login form, as the learner fills it in."""
    page.get_by_label("Username").fill(learner.username)
    page.get_by_label("Password").fill("x")
    page.get_by_role("button", name="Sign in").click()


# --------------------------------------------------------------------------- point 3


@pytest.mark.parametrize("locale", LOCALES)
def test_a_signed_out_owner_follows_view_your_certificate_signs_in_and_sees_it(lms, new_context, locale):
    _, learner, certificate = issued(lms)
    page = new_context(locale=locale).new_page()

    response = page.goto(_page_url(certificate))

    assert response.status == 404
    assert page.evaluate("document.documentElement.lang") == LOCALES[locale]
    heading = page.get_by_role("heading", level=1)
    assert heading.inner_text() == tr(locale, "No certificate with this code is available to you")
    page.get_by_role("link", name=tr(locale, "Sign in"), exact=True).click()
    _sign_in(page, learner)

    page.get_by_role("heading", level=1, name=certificate.course_title).wait_for()
    assert page.url.endswith(_page_url(certificate))
    assert page.get_by_text(certificate.learner_name).first.is_visible()


@pytest.mark.parametrize("locale", LOCALES)
def test_a_signed_out_owner_follows_download_pdf_signs_in_and_gets_the_pdf(lms, new_context, locale):
    _, learner, certificate = issued(lms)
    page = new_context(locale=locale).new_page()
    pdf_url = reverse("cert_plugin:download-pdf", args=[certificate.formatted_code])

    assert page.goto(pdf_url).status == 404
    page.get_by_role("link", name=tr(locale, "Sign in"), exact=True).click()
    with page.expect_download() as download_info:
        _sign_in(page, learner)

    download = download_info.value
    assert download.suggested_filename.endswith(f"{certificate.formatted_code}.pdf")
    assert Path(download.path()).read_bytes().startswith(b"%PDF")


def test_someone_else_signed_in_gets_no_sign_in_link_and_learns_nothing(lms, new_context):
    course, _, certificate = issued(lms)
    other = lms.learner(course, name="Kenji Watanabe")
    page = new_context(other).new_page()

    assert page.goto(_page_url(certificate)).status == 404
    assert page.get_by_role("link", name="Sign in").count() == 0
    assert certificate.learner_name not in page.content()
    page.get_by_role("main").get_by_role("link", name="My certificates").click()
    page.get_by_role("heading", level=1, name="My certificates").wait_for()


# --------------------------------------------------------------------------- point 6


@pytest.mark.parametrize("locale", LOCALES)
def test_from_the_certificate_verify_and_profile_pages_the_learner_gets_back(lms, new_context, locale):
    _, learner, certificate = issued(lms)
    api.set_public(certificate, True, by=learner)
    page = new_context(learner, locale=locale).new_page()
    nav = page.get_by_role("navigation", name=tr(locale, "Certificates"))
    pages = [_page_url(certificate), reverse("cert_plugin:verify", args=[certificate.formatted_code]),
             reverse("cert_plugin:public-profile", args=[learner.username])]

    for url in pages:
        page.goto(url)
        nav.get_by_role("link", name=tr(locale, "My certificates")).click()
        page.get_by_role("heading", level=1, name=tr(locale, "My certificates")).wait_for()
        assert page.url.endswith("/certs/")

    page.goto(pages[0])
    nav.get_by_role("link", name=tr(locale, "My courses")).click()
    page.get_by_role("heading", level=1, name="My courses").wait_for()  # the demo LMS's home (English)


@pytest.mark.parametrize("locale", LOCALES)
def test_the_help_answers_a_code_that_does_not_work_and_links_edit_profile(lms, new_context, locale):
    from devhost.lms.models import Enrollment

    _, learner, _ = issued(lms)
    awaiting = lms.course(title="Safety Officer Certification")
    api.configure_course(awaiting.course_key, requires_approval=True)
    Enrollment.objects.create(user=learner, course=awaiting)
    lms.pass_all_quizzes(learner, awaiting)
    lms.complete_all(learner, awaiting)
    page = new_context(learner, locale=locale).new_page()
    page.goto("/certs/")

    # A card awaiting approval has nothing left to do in the course.
    card = page.get_by_role("article", name="Safety Officer Certification")
    assert card.get_by_text(tr(locale, "Awaiting approval"), exact=True).is_visible()
    assert card.get_by_role("link", name=tr(locale, "Continue the course")).count() == 0

    help_box = page.locator("section", has=page.get_by_role("heading", name=tr(locale, "Need help?")))
    help_box.get_by_text(tr(locale, "Validation code is not working"), exact=True).click()
    answer = tr(locale, "Copy and paste the code, or the whole verification link, instead of typing it.")
    assert help_box.get_by_text(answer).is_visible()

    help_box.get_by_text(tr(locale, "The name on my certificate is wrong"), exact=True).click()
    help_box.locator("a[data-edit-profile]").click()  # the link inside the translated sentence
    page.get_by_role("heading", level=1, name="Edit profile").wait_for()
    page.get_by_label("Full name").fill("Amelia N. Okafor")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Profile saved").wait_for()
    page.goto("/certs/")
    assert page.get_by_text("Amelia N. Okafor").first.is_visible()  # offered as the reissue name


def test_my_certificates_opened_once_online_opens_offline_with_its_images_and_pdfs(lms, new_context):
    _, learner, certificate = issued(lms)
    context = new_context(learner)
    page = context.new_page()
    page.goto("/certs/")
    # Set once the worker has kept the page and its files (waits at most the test's timeout).
    page.locator(".cp-learner[data-offline-ready]").wait_for(state="attached")
    page.reload()
    assert page.evaluate("navigator.serviceWorker.controller !== null")
    pdf_url = reverse("cert_plugin:download-pdf", args=[certificate.formatted_code])

    context.set_offline(True)
    page.reload()

    page.get_by_role("heading", level=1, name="My certificates").wait_for()
    card = page.get_by_role("article", name=certificate.course_title)
    image = card.get_by_role("img")
    image.scroll_into_view_if_needed()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=image.element_handle())
    assert image.evaluate("img => img.naturalWidth") == 600
    pdf_type = page.evaluate("url => fetch(url).then(r => r.blob()).then(b => b.type)", pdf_url)
    assert pdf_type == "application/pdf"
    assert page.evaluate("fetch('/certs/verify/').then(() => 'online', () => 'offline')") == "offline"


# --------------------------------------------------------------------------- point 7 and the badge


@pytest.mark.parametrize("locale", LOCALES)
def test_the_print_png_and_the_badge_download_from_the_certificate_page(lms, new_context, locale):
    _, learner, certificate = issued(lms)
    page = new_context(learner, locale=locale).new_page()
    page.goto(_page_url(certificate))

    with page.expect_download() as printed:
        page.get_by_role("link", name=tr(locale, "PNG for print (300 dpi)")).click()
    image = Image.open(io.BytesIO(Path(printed.value.path()).read_bytes()))
    assert image.size[0] == pytest.approx(3508, abs=4)
    assert round(image.info["dpi"][0]) == 300

    badge = page.get_by_role("link", name=tr(locale, "Download badge"))
    assert page.locator(f"#{badge.get_attribute('aria-describedby')}").is_visible()  # what a badge is for
    with page.expect_download() as downloaded:
        badge.click()
    assert downloaded.value.suggested_filename == f"badge-{certificate.formatted_code}.jwt"
    token = Path(downloaded.value.path()).read_text()
    assert token.count(".") == 2  # a signed VC-JWT: header.payload.signature


def test_my_certificates_loads_small_images_not_the_full_png(lms, new_context):
    _, learner, certificate = issued(lms)
    page = new_context(learner).new_page()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))

    page.goto("/certs/")
    page.wait_for_function(ALL_IMAGES_LOADED)

    pngs = [url.split("/certs/", 1)[1] for url in requested if ".png" in url]
    assert pngs == [f"{certificate.formatted_code}.png?width=600"]


@pytest.mark.parametrize("locale", LOCALES)
def test_a_resolution_that_does_not_exist_says_which_do(lms, new_context, locale):
    _, learner, certificate = issued(lms)
    page = new_context(learner, locale=locale).new_page()

    response = page.goto(reverse("cert_plugin:download-png", args=[certificate.formatted_code]) + "?dpi=600")

    assert response.status == 400
    text = page.locator("body").inner_text()
    assert "150 or 300" in text
    assert "600" in text


# --------------------------------------------------------------------------- what it looks like


def test_screenshots_of_the_pages_that_changed(lms, new_context):
    _, learner, certificate = issued(lms)
    api.set_public(certificate, True, by=learner)
    _, _, private = issued(lms, name="Kenji Watanabe", title="Safety Officer Certification")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    code = certificate.formatted_code
    shots = {
        "not-found-signed-out": (None, _page_url(private)),
        "certificate-page": (learner, _page_url(certificate)),
        "verify-page": (learner, reverse("cert_plugin:verify", args=[code])),
        "public-profile": (None, reverse("cert_plugin:public-profile", args=[learner.username])),
        "my-certificates": (learner, "/certs/"),
        "edit-profile": (learner, reverse("lms:profile")),
    }
    for locale in LOCALES:
        for size, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
            for name, (user, url) in shots.items():
                page = new_context(user, viewport=viewport, locale=locale).new_page()
                page.goto(url)
                if name == "my-certificates":
                    page.get_by_text(tr(locale, "Validation code is not working"), exact=True).click()
                page.wait_for_function(ALL_IMAGES_LOADED)
                page.screenshot(path=str(SCREENSHOTS / f"issue14-{name}-{LOCALES[locale]}-{size}.png"),
                                full_page=True)
