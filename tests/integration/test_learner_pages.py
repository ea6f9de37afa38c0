"""The learner's certificate page, publishing it, the public profile and the offline worker.

Who may see what: the owner and the course staff always; anyone else only once
the learner published it, and until then the same 404 as for a code that does
not exist. Certificates are issued through the real signals.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from cert_plugin import api
from tests.helpers import html_of


def _issued(lms, *, name="Amelia Okafor", title="Python for Data Analysis", course=None, **config):
    if course is None:
        course = lms.course(title=title)
        api.configure_course(course.course_key, **config)
    learner = lms.learner(course, name=name)
    lms.pass_all_quizzes(learner, course)
    lms.complete_all(learner, course)
    [certificate] = api.certificates_for(learner)
    return course, learner, certificate


def _client(user=None, **kwargs) -> Client:
    client = Client(**kwargs)
    if user is not None:
        client.force_login(user)
    return client


def _page(certificate) -> str:
    return reverse("cert_plugin:certificate", args=[certificate.formatted_code])


def _publish_url(certificate) -> str:
    return reverse("cert_plugin:publish", args=[certificate.formatted_code])


def _profile(user) -> str:
    return reverse("cert_plugin:public-profile", args=[user.username])


def _text(response) -> str:
    return " ".join(html_of(response).text_content().split())


UNKNOWN = "AAAA-BBBB-CCCC-DDDD"


@pytest.fixture
def earned(lms):
    course, learner, certificate = _issued(lms)
    return course, learner, certificate


# --------------------------------------------------------------------------- the certificate page


def test_the_owner_sees_their_certificate_with_downloads_sharing_and_publishing(earned):
    _, learner, certificate = earned

    response = _client(learner).get(_page(certificate))

    assert response.status_code == 200
    page = html_of(response)
    text = _text(response)
    assert page.xpath("//h1")[0].text_content().strip() == "Python for Data Analysis"
    for fact in ("Amelia Okafor", "Northwind Institute of Technology", "Valid", "Does not expire",
                 certificate.formatted_code):
        assert fact in text
    [image] = page.xpath("//img[contains(@class, 'cp-cert__image')]")
    assert image.get("alt") == "Certificate of completion for Amelia Okafor, Python for Data Analysis"
    assert image.get("src") == reverse("cert_plugin:download-png", args=[certificate.formatted_code])
    links = {a.text_content().strip(): a.get("href") for a in page.xpath("//a")}
    assert links["Download PDF"] == reverse("cert_plugin:download-pdf", args=[certificate.formatted_code])
    assert links["Download PNG"] == reverse("cert_plugin:download-png", args=[certificate.formatted_code])
    assert links["Open the verification page"] == reverse("cert_plugin:verify",
                                                          args=[certificate.formatted_code])
    # Without JavaScript the verify link is there to copy; the Share button appears with it.
    assert page.xpath("//input[@id='cp-share-link']")[0].get("value") == api.verify_url(
        certificate.verification_code)
    assert page.xpath("//button[@data-share]")[0].get("hidden") is not None
    [form] = page.xpath("//form[@action=$url]", url=_publish_url(certificate))
    assert form.get("method") == "post"
    assert form.xpath(".//input[@name='csrfmiddlewaretoken']")
    assert "Show on my public profile" in form.text_content()
    assert page.xpath("//article[@id='certificate']")[0].get("data-offline-urls")


def test_course_staff_see_the_certificate_but_cannot_publish_it(lms, earned):
    course, _, certificate = earned

    response = _client(lms.staff(course)).get(_page(certificate))

    assert response.status_code == 200
    assert "Amelia Okafor" in _text(response)
    assert not html_of(response).xpath("//form[@action=$url]", url=_publish_url(certificate))
    # Nothing of someone else's is kept offline in the staff member's browser.
    assert html_of(response).xpath("//article[@id='certificate']")[0].get("data-offline-urls") is None


def test_others_get_the_same_404_as_for_a_code_that_does_not_exist(lms, earned):
    course, _, certificate = earned

    for viewer in (None, lms.learner(course, name="Other Learner")):
        unknown = _client(viewer).get(reverse("cert_plugin:certificate", args=[UNKNOWN]))
        response = _client(viewer).get(_page(certificate))
        assert response.status_code == unknown.status_code == 404
        # Byte for byte, but for the URL asked for (the "Sign in" link brings the visitor back to it).
        assert (response.content.replace(certificate.formatted_code.encode(), b"CODE")
                == unknown.content.replace(UNKNOWN.encode(), b"CODE"))
        # Not even a differently written code gets a redirect that would confirm it exists.
        assert _client(viewer).get(_page(certificate).lower()).status_code == 404


def test_a_published_certificate_opens_for_anyone_without_owner_controls(earned):
    _, learner, certificate = earned
    api.set_public(certificate, True, by=learner)

    response = _client().get(_page(certificate))

    assert response.status_code == 200
    assert "Amelia Okafor" in _text(response)
    assert not html_of(response).xpath("//form[@action=$url]", url=_publish_url(certificate))
    assert response.headers.get("X-Robots-Tag") is None


def test_the_page_is_private_to_shared_caches_and_has_one_address(earned):
    _, learner, certificate = earned
    client = _client(learner)

    response = client.get(_page(certificate))
    assert "private" in response["Cache-Control"]
    assert "Cookie" in response["Vary"]
    assert response["X-Robots-Tag"] == "noindex"

    typed = client.get(reverse("cert_plugin:certificate", args=[certificate.verification_code.lower()]))
    assert typed.status_code == 301
    assert typed["Location"] == _page(certificate)


def test_an_expired_and_a_revoked_certificate_say_so(lms, time_machine):
    course, learner, certificate = _issued(lms, validity_days=30)
    time_machine.move_to(certificate.issued_at + timedelta(days=31))
    expired = _text(_client(learner).get(_page(certificate)))
    assert "Expired" in expired
    assert "This certificate expired on" in expired

    api.revoke(certificate, reason="Plagiarism", by=lms.staff(course))
    response = _client(learner).get(_page(certificate))

    text = _text(response)
    assert "Revoked" in text
    assert "was revoked on" in text
    assert "A revoked certificate cannot be shown on your public profile." in text
    page = html_of(response)
    assert not page.xpath("//form[@action=$url]", url=_publish_url(certificate))
    assert not page.xpath("//a[normalize-space()='Download PDF']")


# --------------------------------------------------------------------------- LinkedIn


def _linkedin(response) -> dict[str, list[str]]:
    [link] = html_of(response).xpath("//a[@data-linkedin]")
    url = urlsplit(link.get("href"))
    assert (url.scheme, url.netloc, url.path) == ("https", "www.linkedin.com", "/profile/add")
    assert link.get("target") == "_blank"
    assert "noopener" in link.get("rel")
    return parse_qs(url.query)


def test_the_linkedin_link_prefills_the_certification(earned):
    _, learner, certificate = earned

    params = _linkedin(_client(learner).get(_page(certificate)))

    assert params == {
        "startTask": ["CERTIFICATION_NAME"],
        "name": ["Python for Data Analysis"],
        "organizationName": ["Northwind Institute of Technology"],
        "issueYear": [str(certificate.issued_at.year)],
        "issueMonth": [str(certificate.issued_at.month)],
        "certUrl": [api.verify_url(certificate.verification_code)],
        "certId": [certificate.formatted_code],
    }


def test_the_linkedin_link_carries_the_expiry_when_there_is_one(lms):
    _, learner, certificate = _issued(lms, validity_days=400)

    params = _linkedin(_client(learner).get(_page(certificate)))

    assert params["expirationYear"] == [str(certificate.expires_at.year)]
    assert params["expirationMonth"] == [str(certificate.expires_at.month)]


# --------------------------------------------------------------------------- publishing


def _csrf(client, certificate) -> str:
    page = html_of(client.get(_page(certificate)))
    return page.xpath("//input[@name='csrfmiddlewaretoken']")[0].get("value")


def test_the_owner_publishes_and_hides_their_certificate(earned):
    _, learner, certificate = earned
    client = _client(learner, enforce_csrf_checks=True)

    published = client.post(_publish_url(certificate), {"public": "1", "csrfmiddlewaretoken": _csrf(
        client, certificate)})

    assert published.status_code == 303
    assert published["Location"] == _page(certificate)
    certificate.refresh_from_db()
    assert certificate.is_public
    page = client.get(_page(certificate))
    assert "Your certificate is now on your public profile." in _text(page)
    assert "Hide from my public profile" in _text(page)
    assert html_of(page).xpath("//a[normalize-space()='View my public profile']/@href") == [_profile(learner)]

    hidden = client.post(_publish_url(certificate), {"public": "0", "csrfmiddlewaretoken": _csrf(
        client, certificate)})

    assert hidden.status_code == 303
    certificate.refresh_from_db()
    assert not certificate.is_public
    assert _client().get(_page(certificate)).status_code == 404


def test_publishing_needs_a_post_with_the_csrf_token(earned):
    _, learner, certificate = earned
    client = _client(learner, enforce_csrf_checks=True)

    assert client.get(_publish_url(certificate)).status_code == 405
    assert client.post(_publish_url(certificate), {"public": "1"}).status_code == 403

    certificate.refresh_from_db()
    assert not certificate.is_public


def test_only_the_owner_can_publish(lms, earned):
    course, learner, certificate = earned
    other = lms.learner(course, name="Other Learner")

    assert _client().post(_publish_url(certificate), {"public": "1"}).status_code == 404
    assert _client(other).post(_publish_url(certificate), {"public": "1"}).status_code == 404
    assert _client(lms.staff(course)).post(_publish_url(certificate), {"public": "1"}).status_code == 403
    certificate.refresh_from_db()
    assert not certificate.is_public

    api.set_public(certificate, True, by=learner)  # visible to all now, still theirs alone to hide
    assert _client(other).post(_publish_url(certificate), {"public": "0"}).status_code == 403
    certificate.refresh_from_db()
    assert certificate.is_public


def test_a_revoked_certificate_cannot_be_published_and_the_page_says_why(lms, earned):
    course, learner, certificate = earned
    api.revoke(certificate, reason="Issued by mistake", by=lms.staff(course))

    response = _client(learner).post(_publish_url(certificate), {"public": "1"})

    assert response.status_code == 409
    assert "This certificate was revoked, so it cannot be shown on your public profile." in _text(response)
    certificate.refresh_from_db()
    assert not certificate.is_public


# --------------------------------------------------------------------------- public profile


def test_the_public_profile_lists_published_certificates_under_the_printed_name(lms):
    _, learner, first = _issued(lms, title="Statistics 101")
    course_b = lms.course(title="Machine Learning")
    api.configure_course(course_b.course_key)
    from devhost.lms.models import Enrollment, Profile

    Enrollment.objects.create(user=learner, course=course_b)
    Profile.objects.filter(user=learner).update(full_name="Amelia N. Okafor")
    lms.pass_all_quizzes(learner, course_b)
    lms.complete_all(learner, course_b)
    second = api.active_certificate(learner, course_b.course_key)
    hidden = lms.course(title="Unpublished Course")
    api.configure_course(hidden.course_key)
    Enrollment.objects.create(user=learner, course=hidden)
    lms.pass_all_quizzes(learner, hidden)
    lms.complete_all(learner, hidden)
    api.set_public(first, True, by=learner)
    api.set_public(second, True, by=learner)

    response = _client().get(_profile(learner))

    assert response.status_code == 200
    page = html_of(response)
    assert page.xpath("//h1")[0].text_content().strip() == "Certificates of Amelia N. Okafor"
    text = _text(response)
    assert learner.username not in text
    assert learner.email not in text
    cards = page.xpath("//a[contains(@class, 'cp-profile__card')]")
    assert [card.get("href") for card in cards] == [_page(second), _page(first)]  # newest first
    assert [card.xpath(".//img/@src")[0] for card in cards] == [
        reverse("cert_plugin:download-png", args=[c.formatted_code]) + "?width=600" for c in (second, first)]
    assert "Unpublished Course" not in text


def test_the_public_profile_is_a_404_unless_something_is_published(lms, earned):
    course, learner, certificate = earned
    unknown = _client().get(reverse("cert_plugin:public-profile", args=["nobody-here"]))
    assert unknown.status_code == 404

    nothing = _client().get(_profile(learner))
    assert nothing.status_code == 404
    assert nothing.content == unknown.content

    api.set_public(certificate, True, by=learner)
    assert _client().get(_profile(learner)).status_code == 200

    api.revoke(certificate, reason="Issued by mistake", by=lms.staff(course))
    revoked = _client().get(_profile(learner))
    assert revoked.status_code == 404
    assert revoked.content == unknown.content


def test_the_owners_page_links_to_the_public_profile_only_when_something_is_published(earned):
    _, learner, certificate = earned
    client = _client(learner)

    assert "View my public profile" not in _text(client.get(_page(certificate)))

    api.set_public(certificate, True, by=learner)
    assert "View my public profile" in _text(client.get(_page(certificate)))


# --------------------------------------------------------------------------- offline worker


def test_the_service_worker_is_served_for_the_certs_scope(db):
    response = _client().get(reverse("cert_plugin:service-worker"))

    assert response.status_code == 200
    assert reverse("cert_plugin:service-worker") == "/certs/sw.js"
    assert response["Content-Type"].startswith("application/javascript")
    assert response["Service-Worker-Allowed"] == "/certs/"
    assert response["Cache-Control"] == "no-cache"
    source = response.content.decode()
    assert "__CERT_PLUGIN_CACHE_VERSION__" not in source
    assert 'var CACHE = PREFIX + "0.1.0-' in source
    assert _client().post(reverse("cert_plugin:service-worker")).status_code == 405


def test_the_certificate_page_registers_the_worker_from_its_url(earned):
    _, learner, certificate = earned

    article = html_of(_client(learner).get(_page(certificate))).xpath("//article[@id='certificate']")[0]

    assert article.get("data-sw-url") == reverse("cert_plugin:service-worker")
    assert article.get("data-sw-scope") == "/certs/"
    assert article.get("data-offline-urls").split() == [
        _page(certificate),
        reverse("cert_plugin:download-png", args=[certificate.formatted_code]),
        reverse("cert_plugin:download-pdf", args=[certificate.formatted_code]),
    ]
    assert article.get("data-msg-copied") == "Link copied"
