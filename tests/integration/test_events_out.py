"""openedx-events out: with EVENTS_OUT on, other Open edX apps hear of our certificates through the
standard CERTIFICATE_CREATED / CHANGED / REVOKED signals, after the certificate is committed."""

from __future__ import annotations

import logging

import pytest
from django.db import transaction
from openedx_events.learning.data import CertificateData
from openedx_events.learning.signals import CERTIFICATE_CHANGED, CERTIFICATE_CREATED, CERTIFICATE_REVOKED

from cert_plugin import api
from cert_plugin.models import Certificate

BASE = "https://lms.example.org"


class Heard:
    """A receiver on the real signals, noting each event with what it could see at that moment."""

    def __init__(self):
        self.events: list[tuple[str, CertificateData, bool, bool]] = []
        self.fail = False

    def __call__(self, signal, sender, certificate, metadata, **kwargs):
        in_transaction = transaction.get_connection().in_atomic_block
        committed = Certificate.objects.filter(user_id=certificate.user.id,
                                               course_key=certificate.course.course_key).exists()
        self.events.append((metadata.event_type, certificate, in_transaction, committed))
        if self.fail:
            raise RuntimeError("a downstream receiver broke")


@pytest.fixture
def heard():
    receiver = Heard()

    def on_certificate_event(**kwargs):  # a plain function, as real receivers are
        return receiver(**kwargs)

    for signal in (CERTIFICATE_CREATED, CERTIFICATE_CHANGED, CERTIFICATE_REVOKED):
        signal.connect(on_certificate_event, weak=False, dispatch_uid=f"test-events-out-{signal.event_type}")
    yield receiver
    for signal in (CERTIFICATE_CREATED, CERTIFICATE_CHANGED, CERTIFICATE_REVOKED):
        signal.disconnect(dispatch_uid=f"test-events-out-{signal.event_type}")


@pytest.fixture
def events_out(settings):
    settings.CERT_PLUGIN = {**settings.CERT_PLUGIN, "BASE_URL": BASE, "EVENTS_OUT": True}
    return settings


def _earn(lms, name="Amelia Okafor"):
    course = lms.course()
    api.configure_course(course.course_key)
    learner = lms.learner(course, name=name)
    lms.pass_all_quizzes(learner, course, score=0.9)
    lms.complete_all(learner, course)
    [certificate] = api.certificates_for(learner)
    return learner, certificate


def test_issue_reissue_and_revoke_emit_the_standard_events(lms, events_out, heard):
    from devhost.lms.models import Profile

    learner, certificate = _earn(lms)
    pdf = f"{BASE}/certs/{certificate.formatted_code}.pdf"

    [(event_type, data, in_transaction, committed)] = heard.events
    assert event_type == "org.openedx.learning.certificate.created.v1"
    assert not in_transaction  # sent after commit...
    assert committed  # ...of the certificate
    assert data.user.id == learner.pk
    assert data.user.pii.username == learner.username
    assert data.user.pii.email == learner.email
    assert data.course.course_key == certificate.course_key
    assert data.current_status == "downloadable"
    assert data.mode == "honor"  # the learner's enrollment mode, as the host reports it (never "")
    assert data.download_url == pdf
    assert data.name == "Amelia Okafor"
    assert data.grade == "0.9"

    Profile.objects.filter(user=learner).update(full_name="Amelia N. Okafor")
    api.reissue(certificate)
    event_type, data, _, _ = heard.events[-1]
    assert event_type == "org.openedx.learning.certificate.changed.v1"
    assert (data.name, data.current_status, data.download_url) == ("Amelia N. Okafor", "downloadable", pdf)

    api.revoke(certificate, reason="Issued by mistake")
    event_type, data, _, _ = heard.events[-1]
    assert event_type == "org.openedx.learning.certificate.revoked.v1"
    # edx-platform's own statuses (CertificateStatuses): GeneratedCertificate.invalidate() sends
    # "unavailable" with CERTIFICATE_REVOKED and clears the download URL; "revoked" is no status there.
    assert (data.current_status, data.previous_status) == ("unavailable", "downloadable")
    assert (data.mode, data.download_url) == ("honor", "")
    assert data.user.id == learner.pk
    assert len(heard.events) == 3


def test_the_mode_is_the_learners_enrollment_mode(lms, events_out, heard, monkeypatch):
    from devhost.lms.host import DevHost

    modes = []

    def verified(self, user, course_key):
        modes.append((user.pk, str(course_key)))
        return "verified"

    monkeypatch.setattr(DevHost, "enrollment_mode", verified)
    learner, certificate = _earn(lms)
    api.revoke(certificate, reason="Issued by mistake")

    assert [data.mode for _, data, _, _ in heard.events] == ["verified", "verified"]
    assert modes[0] == (learner.pk, str(certificate.course_key))


def test_a_host_without_enrollment_modes_sends_the_default_mode(lms, events_out, heard, monkeypatch):
    from devhost.lms.host import DevHost

    monkeypatch.delattr(DevHost, "enrollment_mode")
    _earn(lms)
    [(_, data, _, _)] = heard.events
    assert data.mode == "honor"  # GeneratedCertificate's default mode, never ""


def test_without_events_out_nothing_is_emitted(lms, settings, heard):
    settings.CERT_PLUGIN = {**settings.CERT_PLUGIN, "BASE_URL": BASE}  # EVENTS_OUT defaults to False
    _, certificate = _earn(lms)
    api.revoke(certificate, reason="Issued by mistake")
    assert heard.events == []


def test_a_failing_receiver_never_affects_the_certificate(lms, events_out, heard, caplog, mailoutbox):
    heard.fail = True
    with caplog.at_level(logging.ERROR, logger="cert_plugin"):
        learner, certificate = _earn(lms)

    assert len(heard.events) == 1
    assert api.verify(certificate.verification_code).status == "valid"
    assert api.get_progress(learner, certificate.course_key).status == "issued"
    assert len(mailoutbox) == 1  # the learner's email went out all the same
    assert any("a downstream receiver broke" in record.getMessage() for record in caplog.records)
