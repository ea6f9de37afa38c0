"""Revocation unpublishes: no file of a revoked certificate is served as a clean one (issue 13, point 2)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from cert_plugin import api
from cert_plugin.models import Certificate


@pytest.fixture
def revoked(lms):
    course = lms.course()
    api.configure_course(course.course_key)
    learner = lms.learner(course)
    lms.pass_all_quizzes(learner, course, score=0.9)
    lms.complete_all(learner, course)
    [certificate] = api.certificates_for(learner)
    api.set_public(certificate, True, by=learner)
    url = reverse("cert_plugin:download-pdf", args=[certificate.verification_code])
    assert Client().get(url).status_code == 200  # public and clean before the revoke
    api.revoke(Certificate.objects.get(pk=certificate.pk), reason="Plagiarism")
    return learner, Certificate.objects.get(pk=certificate.pk)


def test_revocation_unpublishes(revoked):
    _learner, certificate = revoked
    assert certificate.is_public is False


@pytest.mark.parametrize("name", ["download-pdf", "download-png"])
def test_nobody_downloads_the_signed_file_of_a_revoked_certificate(revoked, name):
    learner, certificate = revoked
    url = reverse(f"cert_plugin:{name}", args=[certificate.verification_code])

    anonymous = Client().get(url)
    assert anonymous.status_code == 404

    owner = Client()
    owner.force_login(learner)
    answer = owner.get(url)
    assert answer.status_code == 410
    assert answer["Content-Type"].startswith("text/html")
    assert b"revoked" in answer.content.lower()
    assert "no-store" in answer["Cache-Control"]


def test_a_revoked_certificate_cannot_be_viewed_through_a_stale_public_flag(revoked):
    """Even a row still marked public (revoked before this fix) is not shown to strangers."""
    _learner, certificate = revoked
    Certificate.objects.filter(pk=certificate.pk).update(is_public=True)
    stale = Certificate.objects.get(pk=certificate.pk)
    from django.contrib.auth.models import AnonymousUser

    assert api.can_view(AnonymousUser(), stale) is False
    url = reverse("cert_plugin:download-pdf", args=[stale.verification_code])
    assert Client().get(url).status_code == 404
