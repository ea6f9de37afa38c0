"""Email links for a learner who is signed out (issue 14, point 3).

The "Download PDF" and "View your certificate" links of the issued email open in
whatever browser the learner reads their mail in, often one where they are not
signed in. A private certificate still answers exactly as a code that does not
exist (nobody learns that it exists), but that answer offers "Sign in", and
signing in brings the learner back to what they asked for.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import lxml.html
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from cert_plugin import api
from tests.helpers import html_of

UNKNOWN = "ZZZZ-ZZZZ-ZZZZ-ZZZ0"
PT = {"HTTP_ACCEPT_LANGUAGE": "pt-BR,pt;q=0.9"}


@pytest.fixture
def emailed(lms, mailoutbox):
    """Amelia completed the course; the email with her links is in the outbox."""
    course = lms.course(title="Python for Data Analysis")
    api.configure_course(course.course_key)
    learner = lms.learner(course, name="Amelia Okafor", username="amelia")
    lms.pass_all_quizzes(learner, course)
    lms.complete_all(learner, course)
    [certificate] = api.certificates_for(learner)
    [email] = mailoutbox
    return course, learner, certificate, email


def _email_link(email, label: str) -> str:
    """The path of the email's button ``label`` (as the learner clicks it in the HTML email)."""
    html = lxml.html.fromstring(email.alternatives[0][0])
    [href] = [a.get("href") for a in html.xpath("//a") if " ".join(a.text_content().split()) == label]
    return urlsplit(href).path


def _sign_in_links(response) -> list[str]:
    return [a.get("href") for a in html_of(response).xpath("//a[@data-sign-in]")]


def _without(content: bytes, code: str) -> bytes:
    return content.replace(code.encode(), b"CODE")


@pytest.mark.parametrize("label", ["Download PDF", "View your certificate"])
def test_a_signed_out_owner_is_offered_sign_in_and_comes_back_to_the_email_link(emailed, label):
    _, _, certificate, email = emailed
    path = _email_link(email, label)
    browser = Client()

    refused = browser.get(path)

    assert refused.status_code == 404
    page = html_of(refused)
    assert "No certificate with this code is available to you" in page.xpath("//h1")[0].text_content()
    [sign_in] = _sign_in_links(refused)
    assert sign_in == f"/login/?next={path}"
    assert page.xpath("//a[@data-sign-in]")[0].text_content().strip() == "Sign in"

    login_page = browser.get(sign_in)
    assert login_page.status_code == 200
    signed_in = browser.post(sign_in, {"username": "amelia", "password": "x", "next": path})
    assert signed_in.status_code == 302
    assert signed_in["Location"] == path

    back = browser.get(path)
    assert back.status_code == 200
    if path.endswith(".pdf"):
        assert back["Content-Type"] == "application/pdf"
        assert back.content.startswith(b"%PDF")
    else:
        assert certificate.learner_name in back.content.decode()


def test_the_sign_in_link_keeps_the_query_of_the_url_asked_for(emailed):
    _, _, certificate, _ = emailed
    path = reverse("cert_plugin:download-png", args=[certificate.formatted_code])

    response = Client().get(path + "?dpi=300")

    assert _sign_in_links(response) == [f"/login/?next={path}%3Fdpi%3D300"]


@pytest.mark.parametrize("route", ["certificate", "download-pdf", "download-png"])
def test_a_private_certificate_answers_byte_for_byte_as_an_unknown_code(lms, emailed, route):
    course, _, certificate, _ = emailed
    code = certificate.formatted_code
    other = lms.learner(course, name="Kenji Watanabe")
    for viewer, extra in ((None, {}), (None, PT), (other, {})):
        client = Client(**extra)
        if viewer is not None:
            client.force_login(viewer)

        private = client.get(reverse(f"cert_plugin:{route}", args=[code]))
        unknown = client.get(reverse(f"cert_plugin:{route}", args=[UNKNOWN]))

        assert private.status_code == unknown.status_code == 404
        assert _without(private.content, code) == _without(unknown.content, UNKNOWN)
        headers = ("Content-Type", "Cache-Control", "Vary", "Content-Security-Policy", "Content-Language")
        assert [private.get(name) for name in headers] == [unknown.get(name) for name in headers]
        assert code.encode() not in private.content.replace(f"next=/certs/{code}".encode(), b"")


def test_signed_in_visitors_get_no_sign_in_link_but_their_certificates(lms, emailed):
    course, _, certificate, _ = emailed
    client = Client()
    client.force_login(lms.learner(course, name="Kenji Watanabe"))

    response = client.get(reverse("cert_plugin:download-pdf", args=[certificate.formatted_code]))

    assert response.status_code == 404
    assert _sign_in_links(response) == []
    links = {" ".join(a.text_content().split()): a.get("href") for a in html_of(response).xpath("//main//a")}
    assert links["My certificates"] == reverse("cert_plugin:learner-dashboard")


def test_the_answer_is_never_kept_by_a_cache(emailed):
    _, _, certificate, _ = emailed

    response = Client().get(reverse("cert_plugin:certificate", args=[certificate.formatted_code]))

    assert "no-store" in response["Cache-Control"]
    assert "Cookie" in response["Vary"]
    assert html_of(response).xpath("//meta[@name='robots']/@content") == ["noindex"]


def test_in_portuguese_the_page_and_its_sign_in_link_are_in_portuguese(emailed):
    _, _, certificate, _ = emailed
    path = reverse("cert_plugin:download-pdf", args=[certificate.formatted_code])

    response = Client(**PT).get(path)

    page = html_of(response)
    assert page.get("lang") == "pt-br"
    with translation.override("pt-br"):
        sign_in, title = gettext("Sign in"), gettext("No certificate with this code is available to you")
    assert page.xpath("//a[@data-sign-in]")[0].text_content().strip() == sign_in
    assert page.xpath("//h1")[0].text_content().strip() == title
    assert page.xpath("//a[@data-sign-in]/@href") == [f"/login/?next={path}"]
    # The navigation links out of the page are the translated ones the catalogue already has.
    assert "Meus certificados" in page.xpath("//header//nav")[0].text_content()


def test_the_owner_of_a_revoked_certificate_still_learns_it_was_revoked(emailed):
    _, learner, certificate, _ = emailed
    api.revoke(certificate, reason="Issued in error")
    client = Client()
    client.force_login(learner)

    response = client.get(reverse("cert_plugin:download-pdf", args=[certificate.formatted_code]))

    assert response.status_code == 410
    assert re.search(r"This certificate was revoked", response.content.decode())
    anonymous = Client().get(reverse("cert_plugin:download-pdf", args=[certificate.formatted_code]))
    assert anonymous.status_code == 404
