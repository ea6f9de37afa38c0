"""No dead ends (issue 14, point 6): every learner page leads back to "My certificates" and to
the LMS, the help answers what the help centre answers (with a link to "Edit profile"), "Continue
the course" appears only where there is something left to do, and the Open Badges credential has
its button.
"""

from __future__ import annotations

import datetime as dt

import jwt
import lxml.html
import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from cert_plugin import api
from devhost.lms.host import DevHost
from devhost.lms.models import Enrollment, Profile
from tests.helpers import html_of, issued, squash

UNKNOWN = "ZZZZ-ZZZZ-ZZZZ-ZZZ0"
HOME = "/"  # the demo LMS's "My courses"
DASHBOARD = "/certs/"


class HostWithoutLinks(DevHost):
    """A host adapter that cannot tell where its pages are (SiteLinks is optional)."""

    home_url = None
    account_url = None


def _client(user=None, **extra) -> Client:
    client = Client(**extra)
    if user is not None:
        client.force_login(user)
    return client


def _nav(response) -> dict[str, str]:
    """The links of the page header's navigation, by their text."""
    return {squash(a.text_content()): a.get("href") for a in html_of(response).xpath("//header//nav//a")}


def _cards(response) -> dict[str, lxml.html.HtmlElement]:
    return {squash(card.xpath(".//h3")[0].text_content()): card
            for card in html_of(response).xpath("//article[@data-course]")}


def _links(element) -> dict[str, str]:
    return {squash(a.text_content()): a.get("href") for a in element.xpath(".//a")}


@pytest.fixture
def earned(lms):
    return issued(lms)


# --------------------------------------------------------------------------- navigation


def test_every_learner_facing_page_leads_to_my_certificates_and_the_lms(earned):
    _, learner, certificate = earned
    api.set_public(certificate, True, by=learner)
    code = certificate.formatted_code
    pages = {
        "certificate page": (learner, reverse("cert_plugin:certificate", args=[code])),
        "certificate page, public": (None, reverse("cert_plugin:certificate", args=[code])),
        "verify page": (None, reverse("cert_plugin:verify", args=[code])),
        "verify form": (None, reverse("cert_plugin:verify-form")),
        "verify, unknown code": (None, reverse("cert_plugin:verify", args=[UNKNOWN])),
        "public profile": (None, reverse("cert_plugin:public-profile", args=[learner.username])),
        "certificate, unknown code": (None, reverse("cert_plugin:certificate", args=[UNKNOWN])),
        "my certificates": (learner, DASHBOARD),
    }
    found = {}
    for name, (user, url) in pages.items():
        nav = _nav(_client(user).get(url))
        found[name] = (nav.get("My certificates"), nav.get("My courses"))
    assert found == dict.fromkeys(pages, (DASHBOARD, HOME))


def test_a_host_that_cannot_tell_its_pages_gets_the_site_root_and_no_profile_link(earned, settings):
    _, learner, _ = earned
    settings.CERT_PLUGIN = {**settings.CERT_PLUGIN, "HOST": f"{__name__}.HostWithoutLinks"}

    response = _client(learner).get(DASHBOARD)

    assert _nav(response)["My courses"] == "/"
    help_box = html_of(response).xpath("//section[contains(@class, 'cp-learner__help')]")[0]
    words_only = "Update your full name in “Edit profile” (your account settings)."
    assert words_only in squash(help_box.text_content())
    assert help_box.xpath(".//a[@data-edit-profile]") == []


# --------------------------------------------------------------------------- help


def _faq(response) -> dict[str, lxml.html.HtmlElement]:
    return {squash(d.xpath("./summary")[0].text_content()): d
            for d in html_of(response).xpath("//details[contains(@class, 'cp-learner__faq')]")}


def test_the_help_answers_a_validation_code_that_is_not_working(earned):
    _, learner, _ = earned

    faq = _faq(_client(learner).get(DASHBOARD))

    answer = faq["Validation code is not working"]
    text = squash(answer.text_content())
    assert "Copy and paste the code" in text
    assert "extra spaces" in text
    assert "revoked or expired" in text
    assert "Contact the institution that issued the certificate" in text
    assert _links(answer)["verification page"] == reverse("cert_plugin:verify-form")


def test_edit_profile_in_the_help_opens_the_lms_profile_where_the_name_is_changed(earned):
    _, learner, _ = earned
    client = _client(learner)

    answer = _faq(client.get(DASHBOARD))["The name on my certificate is wrong"]

    [link] = answer.xpath(".//a[@data-edit-profile]")
    assert squash(link.text_content()) == "“Edit profile”"
    assert link.get("href") == reverse("lms:profile")
    form = client.get(link.get("href"))
    assert form.status_code == 200
    assert html_of(form).xpath("//input[@name='full_name']/@value") == ["Amelia Okafor"]
    saved = client.post(link.get("href"), {"full_name": "  Amelia  N. Okafor "})
    assert saved.status_code == 302
    assert Profile.objects.get(user=learner).full_name == "Amelia N. Okafor"
    # The tab then offers the reissue with the new name, as the help says.
    assert "Amelia N. Okafor" in squash(html_of(client.get(DASHBOARD)).text_content())


def test_the_profile_page_refuses_an_empty_name_saying_why(earned):
    _, learner, _ = earned

    response = _client(learner).post(reverse("lms:profile"), {"full_name": "   "})

    assert response.status_code == 400
    assert "Enter your full name" in squash(html_of(response).text_content())
    assert Profile.objects.get(user=learner).full_name == "Amelia Okafor"


# --------------------------------------------------------------------------- "Continue the course"


def _continue_links(card) -> list[str]:
    return [a.get("href") for a in card.xpath(".//a")
            if squash(a.text_content()).startswith("Continue the course")]


def test_continue_the_course_only_where_something_is_left_to_do(lms):
    learner_course = lms.course(title="A · In progress")
    learner = lms.learner(learner_course, name="Amelia Okafor")
    api.configure_course(learner_course.course_key)
    lms.complete_all(learner, learner_course, but=1)

    awaiting = lms.course(title="B · Awaiting approval")
    api.configure_course(awaiting.course_key, requires_approval=True)
    Enrollment.objects.create(user=learner, course=awaiting)
    lms.pass_all_quizzes(learner, awaiting)
    lms.complete_all(learner, awaiting)

    completed = lms.course(title="C · Completed, certificate not issued yet")
    Enrollment.objects.create(user=learner, course=completed)
    lms.pass_all_quizzes(learner, completed)
    lms.complete_all(learner, completed)
    api.configure_course(completed.course_key, backfill=False)  # nothing has evaluated her yet

    revoked = lms.course(title="D · Revoked")
    api.configure_course(revoked.course_key)
    Enrollment.objects.create(user=learner, course=revoked)
    certificate = api.issue(learner, revoked.course_key, by=lms.staff(revoked))
    api.revoke(certificate, reason="Issued in error")

    # expired, all done again: only the staff's approval of the recertification remains
    expired = lms.course(title="E · Expired, recertification awaiting approval")
    api.configure_course(expired.course_key, requires_approval=True, validity_days=30)
    Enrollment.objects.create(user=learner, course=expired)
    with time_machine.travel(dt.datetime(2026, 1, 1, tzinfo=dt.UTC), tick=False):
        lms.pass_all_quizzes(learner, expired)
        lms.complete_all(learner, expired)
        api.approve(learner, expired.course_key, by=lms.staff(expired))
    lms.pass_all_quizzes(learner, expired)  # after the expiry

    cards = _cards(_client(learner).get(DASHBOARD))

    found = {title: bool(_continue_links(card)) for title, card in cards.items()}
    assert found == {"A · In progress": True, "B · Awaiting approval": False,
                     "C · Completed, certificate not issued yet": False, "D · Revoked": False,
                     "E · Expired, recertification awaiting approval": False}
    assert _continue_links(cards["A · In progress"]) == [
        reverse("lms:course", args=[str(learner_course.course_key)])]


# --------------------------------------------------------------------------- the Open Badges credential


def test_the_badge_has_a_download_button_on_the_certificate_page_and_the_card(earned):
    _, learner, certificate = earned
    client = _client(learner)
    code = certificate.formatted_code
    badge_url = reverse("cert_plugin:credential", args=[code]) + "?format=jwt"

    page = html_of(client.get(reverse("cert_plugin:certificate", args=[code])))
    card = _cards(client.get(DASHBOARD))["Python for Data Analysis"]

    for html in (page, card):
        [badge] = html.xpath(".//a[@data-badge]")
        assert squash(badge.text_content()).startswith("Download badge")
        assert badge.get("href") == badge_url
        assert badge.get("download") == f"badge-{code}.jwt"
    hint = page.xpath("//*[@id='cp-badge-hint']")[0].text_content()
    assert "Open Badges" in hint
    assert "wallet" in hint
    # What it downloads is the credential signed with the key the issuer publishes.
    token = client.get(badge_url).content.decode()
    header = jwt.get_unverified_header(token)
    [jwk] = [key for key in client.get(reverse("cert_plugin:issuer-keys")).json()["keys"]
             if key["kid"] == header["kid"]]
    claims = jwt.decode(token, key=jwt.PyJWK(jwk), algorithms=[header["alg"]], options={"verify_aud": False})
    assert "OpenBadgeCredential" in claims["type"]  # VC Data Model 2.0: the payload is the credential
    assert claims["credentialSubject"]["achievement"]["name"] == "Python for Data Analysis"


def test_a_revoked_certificate_offers_no_badge(earned):
    _, learner, certificate = earned
    api.revoke(certificate, reason="Issued in error")

    url = reverse("cert_plugin:certificate", args=[certificate.formatted_code])
    page = html_of(_client(learner).get(url))

    assert page.xpath("//a[@data-badge]") == []
