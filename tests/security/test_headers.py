"""The Content-Security-Policy helper (:mod:`cert_plugin.views.csp`) and the error pages it covers.

The authorization matrix checks the policy on every route for six roles; this module covers what
the matrix does not reach: the 429 and 503 pages, static files on another host, a stricter policy
set before ours, responses that are not HTML, and the helper other parts of the plugin call on
pages they render outside these views.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.test import Client
from django.urls import reverse

from cert_plugin import api
from cert_plugin.rendering import pdf as pdf_module
from cert_plugin.views import csp
from tests.security import pages


def _issued(lms):
    course = lms.course()
    api.configure_course(course.course_key)
    learner = lms.learner(course)
    return learner, api.issue(learner, course.course_key, by=lms.staff(course))


def test_the_rate_limited_page_carries_the_policy(lms, settings, no_render_task, one_window):
    _, certificate = _issued(lms)
    settings.CERT_PLUGIN = {**settings.CERT_PLUGIN, "VERIFY_RATE": "1/m"}
    url = reverse("cert_plugin:verify", args=[certificate.formatted_code])
    client = Client()
    client.get(url)

    response = client.get(url)

    assert response.status_code == 429
    assert pages.check_page("429", response)


def test_the_file_not_ready_page_carries_the_policy(lms, monkeypatch):
    def broken(*args, **kwargs):
        raise pdf_module.RenderError("the renderer ran out of memory")

    monkeypatch.setattr(pdf_module, "render_pdf", broken)
    learner, certificate = _issued(lms)
    client = Client()
    client.force_login(learner)

    response = client.get(reverse("cert_plugin:download-pdf", args=[certificate.formatted_code]))

    assert response.status_code == 503
    assert pages.check_page("503", response)


def test_static_files_on_another_host_are_allowed_by_origin_only(settings):
    settings.STATIC_URL = "https://cdn.example.org/lms/static/"
    policy = pages.directives(csp.policy())
    for directive in ("script-src", "style-src", "img-src", "font-src"):
        assert "https://cdn.example.org" in policy[directive]
    assert policy["default-src"] == {"'self'"}

    settings.STATIC_URL = "/static/"
    assert "https://cdn.example.org" not in csp.policy()


def test_a_policy_already_on_the_response_is_kept():
    stricter = "default-src 'none'; sandbox"
    response = HttpResponse("<p>x</p>")
    response[csp.HEADER] = stricter

    assert csp.apply(response)[csp.HEADER] == stricter


def test_only_html_gets_the_page_policy():
    assert csp.HEADER not in csp.apply(JsonResponse({"ok": True}))
    assert csp.HEADER not in csp.apply(HttpResponse(b"%PDF", content_type="application/pdf"))
    assert csp.HEADER in csp.apply(HttpResponse("<p>x</p>", content_type="text/html; charset=utf-8"))


def test_a_page_that_used_a_nonce_gets_it_in_its_policy_and_no_other_does():
    request = HttpRequest()
    value = csp.nonce(request)
    assert value == csp.nonce(request)  # one per response

    with_nonce = pages.directives(csp.apply(HttpResponse("<p>x</p>"), request)[csp.HEADER])
    without = pages.directives(csp.apply(HttpResponse("<p>x</p>"), HttpRequest())[csp.HEADER])

    assert f"'nonce-{value}'" in with_nonce["style-src"]
    assert not any(source.startswith("'nonce-") for source in without["style-src"])
    assert csp.nonce(HttpRequest()) != value


def test_the_decorator_covers_every_answer_of_a_view_and_keeps_its_name():
    @csp.content_security_policy
    def page(request, status):
        return HttpResponse("<p>x</p>", status=status)

    assert page.__name__ == "page"
    for status in (200, 403, 404, 500):
        assert pages.directives(page(HttpRequest(), status)[csp.HEADER])["frame-ancestors"] == {"'none'"}
