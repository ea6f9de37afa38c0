"""The demo shows what it sent and links to where it is browsed (issue 14, points 12 and 13).

Its email backend keeps every message for the Mailbox page instead of failing on a mail server
that does not exist; without ``DEVHOST_BASE_URL`` its links and QR codes use the address of the
request that issued the certificate, and ``http://127.0.0.1:8000`` outside a request.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys

import lxml.html
import pytest
import zxingcpp
from django.core import mail
from django.test import Client
from django.urls import reverse
from PIL import Image

import devhost.settings
from cert_plugin import api
from devhost.base_url import RequestBaseUrl
from devhost.lms.models import MailboxMessage

MAILBOX = "devhost.lms.mail.MailboxBackend"


@pytest.fixture
def request_address(settings):
    """The demo's CERT_PLUGIN as it is without DEVHOST_BASE_URL (the test run fixes the address)."""
    settings.CERT_PLUGIN = RequestBaseUrl(settings.CERT_PLUGIN)
    return settings


@pytest.fixture
def demo_mail(settings):
    """The demo's own email backend (the test run swaps in Django's in-memory one)."""
    settings.EMAIL_BACKEND = MAILBOX
    return settings


def _text(response) -> str:
    return " ".join(lxml.html.fromstring(response.content.decode()).text_content().split())


def _links(response) -> list[str]:
    return lxml.html.fromstring(response.content.decode()).xpath("//*[@data-mail]//a/@href")


def _earn(lms, client: Client | None = None, **headers):
    """A learner finishes the course; the last lesson is completed through a request when ``client``."""
    course = lms.course(title="Python for Data Analysis")
    api.configure_course(course.course_key)
    learner = lms.learner(course, name="Amelia Okafor", username="amelia")
    lms.pass_all_quizzes(learner, course)
    lms.complete_all(learner, course, but=1 if client else 0)
    if client is not None:
        client.force_login(learner)
        last = lms.lessons(course)[-1]
        client.post(reverse("lms:complete", args=[str(course.course_key), str(last.usage_key)]), **headers)
    [certificate] = api.certificates_for(learner)
    return course, learner, certificate


def test_the_demo_keeps_its_emails_for_the_mailbox_instead_of_a_mail_server():
    assert devhost.settings.EMAIL_BACKEND == MAILBOX  # `make demo` (the test run uses locmem)


def test_a_learner_finds_the_certificate_email_with_its_links_in_the_mailbox(lms, demo_mail):
    _, learner, certificate = _earn(lms)
    other_course = lms.course(title="Other")
    api.configure_course(other_course.course_key)
    other = lms.learner(other_course, name="Kenji Watanabe", username="kenji")
    lms.pass_all_quizzes(other, other_course)
    lms.complete_all(other, other_course)
    client = Client()
    client.force_login(learner)

    response = client.get(reverse("lms:mailbox"))

    assert response.status_code == 200
    text = _text(response)
    assert "Your certificate for Python for Data Analysis is ready" in text
    assert f"To {learner.email}" in text
    assert "Kenji" not in text  # another learner's mail is not shown to her
    code = certificate.formatted_code
    base = "http://127.0.0.1:8000/certs"
    assert _links(response) == [f"{base}/{code}.pdf", f"{base}/{code}/", f"{base}/verify/{code}/"]
    assert reverse("lms:mailbox") in lxml.html.fromstring(response.content.decode()).xpath("//nav//a/@href")
    [delivery] = certificate.deliveries.all()
    assert delivery.state == "sent"
    assert mail.outbox == []  # nothing went anywhere else


def test_staff_see_every_message_and_a_new_learner_sees_none(lms, demo_mail, django_user_model):
    _earn(lms)
    staff = django_user_model.objects.create_user("ops", email="ops@example.org", password="x", is_staff=True)
    newcomer = django_user_model.objects.create_user("new", email="new@example.org", password="x")
    staff_client, newcomer_client = Client(), Client()
    staff_client.force_login(staff)
    newcomer_client.force_login(newcomer)

    everything = _text(staff_client.get(reverse("lms:mailbox")))
    assert "Your certificate for Python for Data Analysis is ready" in everything
    assert "No messages yet" in _text(newcomer_client.get(reverse("lms:mailbox")))
    assert Client().get(reverse("lms:mailbox")).status_code == 302  # sign in first
    assert MailboxMessage.objects.count() == 1


def test_the_demo_takes_its_address_from_the_request_unless_devhost_base_url_is_set():
    settings_of = ("import os, devhost.settings as s; "
                   "print(type(s.CERT_PLUGIN).__name__, s.CERT_PLUGIN['BASE_URL'])")
    env = {**os.environ, "DEVHOST_VAR_DIR": devhost.settings.VAR_DIR.as_posix()}
    env.pop("DEVHOST_BASE_URL", None)
    def run(**extra):
        return subprocess.run([sys.executable, "-c", settings_of], env={**env, **extra}, capture_output=True,
                              text=True, check=True, cwd=devhost.settings.BASE_DIR).stdout.split()

    unset, fixed = run(), run(DEVHOST_BASE_URL="http://lms.test:9000/")
    assert unset == ["RequestBaseUrl", "http://127.0.0.1:8000"]
    assert fixed == ["dict", "http://lms.test:9000"]


def test_without_devhost_base_url_links_and_qr_codes_use_the_address_the_demo_is_browsed_at(
        lms, demo_mail, request_address):
    _, learner, certificate = _earn(lms, Client(), HTTP_HOST="localhost:8765")

    client = Client()
    client.force_login(learner)
    code = certificate.formatted_code
    assert f"http://localhost:8765/certs/verify/{code}/" in _links(client.get(reverse("lms:mailbox")))
    [barcode] = zxingcpp.read_barcodes(Image.open(io.BytesIO(api.render_png(certificate))),
                                       formats=zxingcpp.BarcodeFormat.QRCode)
    assert barcode.text == f"http://localhost:8765/certs/verify/{code}/"
    # Outside a request (the seed, cron commands) the demo's default address.
    assert api.verify_url(certificate.verification_code) == f"http://127.0.0.1:8000/certs/verify/{code}/"


def test_the_readme_says_how_to_serve_the_demo_at_another_address():
    from pathlib import Path

    readme = (Path(devhost.settings.BASE_DIR) / "README.md").read_text(encoding="utf-8")
    demo = readme[readme.index("## The two commands"):readme.index("### More test stages")]
    assert "DEVHOST_BASE_URL" in demo
    assert "/mailbox/" in demo


@pytest.mark.django_db(transaction=True)  # the plugin evaluates after commit, as in production
def test_after_make_demo_the_earned_certificates_email_is_in_the_mailbox(demo_mail):
    from django.core.management import call_command

    out = io.StringIO()
    call_command("seed_demo", stdout=out)

    assert "http://127.0.0.1:8000/mailbox/" in out.getvalue()
    [message] = MailboxMessage.objects.all()
    assert message.subject == "Your certificate for Python for Data Analysis is ready"
    assert "Dear Amelia Okafor," in message.body
