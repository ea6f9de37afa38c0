"""Site operators can look at every record in Django admin, but change nothing there."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cert_plugin import api


@pytest.fixture
def operator(django_user_model):
    return django_user_model.objects.create_superuser("operator", "op@example.org", "x")


def test_admin_lists_certificates_and_audit_read_only(lms, client, operator):
    course = lms.course()
    api.configure_course(course.course_key)
    learner = lms.learner(course, name="Amelia Okafor")
    lms.complete_all(learner, course)
    lms.pass_all_quizzes(learner, course)
    certificate = api.active_certificate(learner, course.course_key)
    client.force_login(operator)

    listing = client.get(reverse("admin:cert_plugin_certificate_changelist"))
    assert listing.status_code == 200
    assert certificate.formatted_code in listing.content.decode()
    failed = client.get(reverse("admin:cert_plugin_certificate_changelist") + "?render_problem=yes")
    assert certificate.formatted_code not in failed.content.decode()  # it rendered fine
    templates = client.get(reverse("admin:cert_plugin_certificatetemplate_changelist")).content.decode()
    editor = reverse("cert_plugin:template-edit", args=[certificate.template_version.template_id])
    assert f'href="{editor}"' in templates  # operators edit templates in the editor, from admin
    keys = client.get(reverse("admin:cert_plugin_signingkey_changelist")).content.decode()
    assert certificate.signing_key_id in keys
    audit = client.get(reverse("admin:cert_plugin_auditevent_changelist")).content.decode()
    assert learner.username in audit
    assert "issued" in audit

    change = reverse("admin:cert_plugin_certificate_change", args=[certificate.pk])
    client.post(change, {"learner_name": "Somebody Else"})
    certificate.refresh_from_db()
    assert certificate.learner_name == "Amelia Okafor"
    assert client.get(reverse("admin:cert_plugin_certificate_add")).status_code == 403
