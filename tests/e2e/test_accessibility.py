"""Every page the plugin serves passes axe-core's WCAG 2.2 A/AA rules, in English, Brazilian Portuguese
and Arabic (right to left), on a desktop and on a phone (issue 17).

One world per test (a Northwind course with its branding and template, learners at each stage, its
staff), then every page is loaded in Chromium and audited as the visitor who would see it. The
violations of every page are collected before the test fails, so one run names them all.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from cert_plugin import api
from tests.e2e import axe
from tests.e2e.helpers import in_language, northwind
from tests.helpers import issued

LANGUAGES = ["en-US", "pt-BR", "ar"]
WIDTHS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}


@dataclass
class World:
    course: Any
    staff: Any
    holder: Any  # holds a valid certificate, published on their profile
    halfway: Any  # in progress, nothing earned yet
    valid: Any
    revoked: Any
    expired: Any
    template: Any


def _world(lms) -> World:
    course, staff, template = northwind(lms)
    api.configure_course(course.course_key, validity_days=365)
    holder = lms.learner(course, name="Amelia Okafor", username="amelia")
    lms.pass_all_quizzes(holder, course)
    lms.complete_all(holder, course)
    [valid] = api.certificates_for(holder)
    api.set_public(valid, True, by=holder)
    halfway = lms.learner(course, name="Kenji Watanabe", username="kenji")
    lms.complete_all(halfway, course, but=2)
    revoked = api.issue(lms.learner(course, name="José Ñúñez"), course.course_key, by=staff, reason="On site")
    revoked = api.revoke(revoked, reason="Issued in error", by=staff, publish_reason=True)
    with time_machine.travel(timezone.now() - datetime.timedelta(days=400), tick=False):
        expired = api.issue(lms.learner(course, name="Mei Chen"), course.course_key, by=staff,
                            reason="On site")
    api.start_job("reissue_all", course.course_key, by=staff)  # its progress shows on the dashboard
    return World(course, staff, holder, halfway, valid, revoked, expired, template)


def _pages(world: World) -> list[tuple[str, Any, str]]:
    """(what, who visits (None: anyone), URL) for every page."""
    key = world.course.course_key

    def verify(certificate: Any) -> str:
        return reverse("cert_plugin:verify", args=[certificate.formatted_code])

    return [
        ("My certificates, a certificate earned", world.holder, reverse("cert_plugin:learner-dashboard")),
        ("My certificates, a course in progress", world.halfway, reverse("cert_plugin:learner-dashboard")),
        ("the certificate page", world.holder,
         reverse("cert_plugin:certificate", args=[world.valid.formatted_code])),
        ("the public profile", None, reverse("cert_plugin:public-profile", args=[world.holder.username])),
        ("the verify form", None, reverse("cert_plugin:verify-form")),
        ("the verify form with a mistake", None, reverse("cert_plugin:verify-form") + "?code=not+a+code"),
        ("a valid certificate verified", None, verify(world.valid)),
        ("the owner's verify page", world.holder, verify(world.valid)),
        ("a revoked certificate verified", None, verify(world.revoked)),
        ("an expired certificate verified", None, verify(world.expired)),
        ("an unknown code", None, reverse("cert_plugin:verify", args=["ZZZZ-9999-ZZZZ-9990"])),
        ("verify by file", None, reverse("cert_plugin:verify-file")),
        ("an unknown certificate page", None,
         reverse("cert_plugin:certificate", args=["ZZZZ-9999-ZZZZ-9990"])),
        ("a revoked certificate's download", None, reverse("cert_plugin:download-pdf",
                                                           args=[world.revoked.formatted_code])),
        ("the staff's courses", world.staff, reverse("cert_plugin:staff-index")),
        ("the staff dashboard, with a job's progress", world.staff,
         reverse("cert_plugin:staff-dashboard", args=[key])),
        ("confirming a job", world.staff,
         reverse("cert_plugin:staff-job-start", args=[key]) + "?kind=backfill"),
        ("the course's certificate settings", world.staff, reverse("cert_plugin:staff-settings", args=[key])),
        ("the audit trail", world.staff, reverse("cert_plugin:staff-audit", args=[key])),
        ("the templates", world.staff, reverse("cert_plugin:template-list")),
        ("the template editor", world.staff, reverse("cert_plugin:template-edit", args=[world.template.pk])),
        ("the branding page", world.staff, reverse("cert_plugin:branding", args=[world.course.org])),
    ]


@pytest.mark.parametrize("width", list(WIDTHS))
@pytest.mark.parametrize("locale", LANGUAGES)
def test_every_page_passes_axe(lms, new_context, locale, width):
    world = _world(lms)
    contexts: dict[Any, Any] = {}
    problems: list[str] = []
    audited = 0
    for what, visitor, url in _pages(world):
        if visitor not in contexts:
            contexts[visitor] = new_context(visitor, locale=locale, viewport=WIDTHS[width]).new_page()
        page = contexts[visitor]
        response = page.goto(url)
        assert response is not None, f"{what}: {url} did not load"
        assert response.status < 500, f"{what}: {url} answered {response.status}"
        found = axe.violations(page)
        audited += 1
        if found:
            problems.append(f"{what} ({url}):\n" + "\n".join(axe.describe(v) for v in found))
    assert audited == len(_pages(world))
    assert not problems, (f"axe-core {axe.version()}, {locale}, {width}: WCAG violations on {len(problems)} "
                          "page(s):\n" + "\n".join(problems))


# How far the page reaches beyond the window, sideways, and which elements stick out (WCAG 1.4.10),
# leaving out what scrolls inside a frame of its own (a data table may) and what is visually hidden
# for screen readers only (clipped to nothing).
_SIDEWAYS = """() => {
    const width = document.documentElement.clientWidth;
    const framed = element => {
        for (let node = element; node && node !== document.body; node = node.parentElement) {
            const style = getComputedStyle(node);
            if (node !== element && ['auto', 'scroll'].includes(style.overflowX)) return true;
            if (style.clipPath === 'inset(50%)' || style.clip === 'rect(0px, 0px, 0px, 0px)') return true;
        }
        return false;
    };
    const out = [];
    for (const element of document.querySelectorAll('main *, header *, footer *')) {
        const box = element.getBoundingClientRect();
        if (box.width && (box.right > width + 1 || box.left < -1) && !framed(element)) {
            out.push(element.tagName.toLowerCase() + (element.className ? '.' + element.className : '')
                     + ' ' + Math.round(box.left) + '..' + Math.round(box.right));
        }
    }
    return {overflow: document.scrollingElement.scrollWidth - width, out: out.slice(0, 5)};
}"""


@pytest.mark.parametrize("locale", ["en-US", "ar"])
@pytest.mark.parametrize("zoom", [200, 400])
def test_every_page_reflows_when_zoomed_without_scrolling_sideways(lms, new_context, locale, zoom):
    """Zoomed to 200 % and 400 % of a 1280-pixel window (640 and 320 CSS pixels wide), every page
    fits the width: nothing is cut off and nothing needs sideways scrolling, except a data table (the
    staff dashboard's learners, the editor's versions), which scrolls within its own frame."""
    world = _world(lms)
    viewport = {"width": 1280 * 100 // zoom, "height": 800 * 100 // zoom}
    pages: dict[Any, Any] = {}
    problems = []
    for what, visitor, url in _pages(world):
        if visitor not in pages:
            pages[visitor] = new_context(visitor, locale=locale, viewport=viewport,
                                         device_scale_factor=zoom / 100).new_page()
        page = pages[visitor]
        page.goto(url)
        found = page.evaluate(_SIDEWAYS)
        if found["overflow"] > 0 or found["out"]:
            problems.append(f"{what} ({url}): {found['overflow']} px too wide; {found['out']}")
    assert not problems, f"{locale} at {zoom} %:\n" + "\n".join(problems)


@pytest.mark.parametrize("width", list(WIDTHS))
@pytest.mark.parametrize("locale", LANGUAGES)
def test_the_rate_limited_page_passes_axe(lms, new_context, settings, one_window, locale, width):
    settings.CERT_PLUGIN = {**settings.CERT_PLUGIN, "VERIFY_RATE": "1/m"}
    page = new_context(locale=locale, viewport=WIDTHS[width]).new_page()
    url = reverse("cert_plugin:verify", args=["ZZZZ-9999-ZZZZ-9990"])
    page.goto(url)
    response = page.goto(url)
    assert response is not None
    assert response.status == 429
    axe.assert_accessible(page, "the rate-limited page")


def test_axe_finds_what_it_is_run_for(new_context, site):
    """The audit is real: a page with an unlabelled field and text too faint to read fails it."""
    page = new_context().new_page()
    page.goto(reverse("cert_plugin:verify-form"))
    page.evaluate("""() => {
        const main = document.querySelector('main');
        main.append(document.createElement('input'));
        const faint = document.createElement('p');
        faint.textContent = 'faint';
        faint.style.color = '#ccc';  // through the CSSOM: the page's policy allows no style attribute
        faint.style.background = '#fff';
        main.append(faint);
    }""")
    rules = {violation["id"] for violation in axe.violations(page)}
    assert {"label", "color-contrast"} <= rules


@pytest.mark.parametrize("width", list(WIDTHS))
@pytest.mark.parametrize("locale", LANGUAGES)
def test_the_pages_shown_when_something_fails_pass_axe(lms, new_context, settings, site, locale, width):
    """A render that failed (a download answers 503 and says the certificate is still valid; the staff
    dashboard shows the failure), and the database lost mid-request (our 503 page)."""
    signing = settings.CERT_PLUGIN["PDF_SIGNING"]
    # The operator changed the PKCS#12 passphrase in the secrets store but not in the settings.
    settings.CERT_PLUGIN = {**settings.CERT_PLUGIN, "PDF_SIGNING": {**signing, "PASSPHRASE": "not-it"}}
    course, learner, certificate = issued(lms)
    assert certificate.render_error
    learner_page = new_context(learner, locale=locale, viewport=WIDTHS[width]).new_page()
    response = learner_page.goto(reverse("cert_plugin:download-pdf", args=[certificate.formatted_code]))
    assert response is not None
    assert response.status == 503
    axe.assert_accessible(learner_page, "a download whose render failed")
    staff_page = new_context(lms.staff(course), locale=locale, viewport=WIDTHS[width]).new_page()
    staff_page.goto(reverse("cert_plugin:staff-dashboard", args=[course.course_key]))
    staff_page.get_by_text(in_language(locale, "PDF not ready")).first.wait_for()
    axe.assert_accessible(staff_page, "the staff dashboard with a failed render")

    # The database lost mid-request: the page our middleware answered, shown as served (its bytes,
    # headers and policy) at its address, with the site's stylesheet.
    lost = _database_lost_page(settings, lms.staff(course), course, locale)
    page = new_context(locale=locale, viewport=WIDTHS[width]).new_page()
    url = site + reverse("cert_plugin:staff-dashboard", args=[course.course_key])
    page.route(url, lambda route: route.fulfill(status=lost.status_code, body=lost.content,
                                                headers=dict(lost.items())))
    response = page.goto(url)
    assert response is not None
    assert response.status == 503
    axe.assert_accessible(page, "the database-unavailable page")


def _database_lost_page(settings: Any, staff: Any, course: Any, locale: str) -> Any:
    """The staff dashboard as served when the database stops answering at the plugin's next host call
    (the fault of tests/faults/test_database_lost.py)."""
    from django.test import Client

    from tests.faults.hosts import FaultyHost, Unreachable

    settings.CERT_PLUGIN = {**settings.CERT_PLUGIN, "HOST": "tests.faults.hosts.FaultyHost"}
    client = Client()
    client.force_login(staff)
    unreachable = FaultyHost.fault = Unreachable()
    try:
        response = client.get(reverse("cert_plugin:staff-dashboard", args=[course.course_key]),
                              HTTP_ACCEPT_LANGUAGE=locale)
    finally:
        FaultyHost.fault = None
        unreachable.restore()
    assert response.status_code == 503
    return response
