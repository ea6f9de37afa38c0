"""A certificate's life after issue: revoke, reissue, public flag, learners' reissue requests.

Owns ``revoke``, ``reissue`` (new template, corrected name: the next revision
of the same certificate), ``set_public`` and the requests learners make for a
reissue (after a name change) with staff's decision on them. Expiry is read
where it matters (issuing retires an expired certificate; notifications send
the reminders). Writes: Certificate, ReissueRequest (and AuditEvent).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from opaque_keys.edx.keys import CourseKey

from cert_plugin import conf
from cert_plugin.domain.notifications import render_and_announce, schedule_announce
from cert_plugin.domain.shared import CertPluginError, get_config, get_host, parse_course_key, record_audit
from cert_plugin.domain.templates import issuing_version
from cert_plugin.domain.verification import sign_certificate
from cert_plugin.models import (
    AuditEvent,
    Certificate,
    ReissueRequest,
)
from cert_plugin.text import clean_name


def revoke(certificate: Certificate, *, reason: str, by: Any = None,
           publish_reason: bool = False) -> Certificate:
    """Revoke a certificate; it then verifies as revoked (with the date)."""
    if not (reason or "").strip():
        raise CertPluginError("Say why the certificate is revoked; the reason is kept in the audit trail.")
    with transaction.atomic():
        locked = Certificate.objects.select_for_update().get(pk=certificate.pk)
        if locked.state == Certificate.REVOKED:
            return locked
        locked.state = Certificate.REVOKED
        locked.active = None
        locked.revoked_at = timezone.now()
        locked.revoke_reason = reason.strip()
        locked.revoke_reason_public = publish_reason
        locked.is_public = False  # revocation unpublishes: no stranger sees it but as revoked
        locked.save()
        record_audit(AuditEvent.REVOKED, locked.course_key, user=locked.user, certificate=locked, actor=by,
                     reason=locked.revoke_reason)
        schedule_announce(locked, "revoked")
    return locked


def reissue(certificate: Certificate, *, by: Any = None, reason: str = "") -> Certificate:
    """Refresh a certificate's snapshot (name, course title, hours, template)
    while keeping its verification code and dates; bumps its revision."""
    if certificate.state == Certificate.REVOKED:
        raise CertPluginError("A revoked certificate cannot be reissued; issue a new one instead.")
    host = get_host()
    course = host.course(certificate.course_key)
    learner = host.learner(certificate.user)
    version = issuing_version(get_config(certificate.course_key))
    with transaction.atomic():
        locked = Certificate.objects.select_for_update().get(pk=certificate.pk)
        if locked.state == Certificate.REVOKED:  # revoked since the caller loaded it: the row decides
            raise CertPluginError("A revoked certificate cannot be reissued; issue a new one instead.")
        before = {"learner_name": locked.learner_name, "course_title": locked.course_title,
                  "template_version": locked.template_version_id, "revision": locked.revision}
        locked.learner_name = clean_name(learner.full_name)  # as issuing captures it
        if course is not None:
            locked.course_title = course.title
        locked.template_version = version
        locked.revision += 1
        sign_certificate(locked)
        locked.save()
        record_audit(AuditEvent.REISSUED, locked.course_key, user=locked.user, certificate=locked, actor=by,
                     reason=reason, before=before,
                     after={"learner_name": locked.learner_name, "course_title": locked.course_title,
                      "template_version": version.pk, "revision": locked.revision})
        render_and_announce(locked, "reissued")
    return locked


def set_public(certificate: Certificate, public: bool, *, by: Any = None) -> Certificate:
    """Publish the certificate on the learner's public profile (or hide it again).

    Only an issued (not revoked) certificate can be published; unpublishing is
    always allowed. Anyone can then open its page and PNG.
    """
    with transaction.atomic():
        locked = Certificate.objects.select_for_update().get(pk=certificate.pk)
        if public and locked.state == Certificate.REVOKED:
            raise CertPluginError("A revoked certificate cannot be published.")
        if locked.is_public == public:
            return locked
        locked.is_public = public
        locked.save(update_fields=["is_public", "modified_at"])
        record_audit(AuditEvent.PUBLISHED if public else AuditEvent.UNPUBLISHED, locked.course_key,
                     user=locked.user, certificate=locked, actor=by)
    return locked


def request_reissue(certificate: Certificate, *, by: Any) -> ReissueRequest | Certificate:
    """The learner asks for their certificate with their corrected profile name.

    With ``AUTO_REISSUE_ON_NAME_CHANGE`` the certificate is reissued at once (same
    code; the audit trail keeps the old name); otherwise the request waits for
    staff. Asking twice returns the open request.
    """
    if certificate.state != Certificate.ISSUED or not certificate.active:
        raise CertPluginError("Only a current certificate can be reissued.")
    name = clean_name(get_host().learner(certificate.user).full_name)
    if not name or name == certificate.learner_name:
        raise CertPluginError("The name on your certificate already matches your profile. "
                              "Update your name in your profile first.")
    if conf.get().AUTO_REISSUE_ON_NAME_CHANGE:
        return reissue(certificate, by=by, reason="The learner corrected their name")
    with transaction.atomic():
        # A double submit queues behind the certificate's row lock and then finds the first one's request.
        Certificate.objects.select_for_update().filter(pk=certificate.pk).first()
        existing = (ReissueRequest.objects.select_for_update()
                    .filter(certificate=certificate, open=True).first())
        if existing is not None:
            return existing
        request = ReissueRequest.objects.create(
            certificate=certificate, current_name=certificate.learner_name, requested_name=name)
        record_audit(AuditEvent.REISSUE_REQUESTED, certificate.course_key, user=certificate.user,
                     certificate=certificate, actor=by, before=certificate.learner_name, after=name)
    return request


def reissue_requests(course_key: CourseKey | str) -> list[ReissueRequest]:
    """Open name-change requests of a course, oldest first (for the staff dashboard)."""
    key = parse_course_key(course_key)
    return list(ReissueRequest.objects.filter(certificate__course_key=key, open=True)
                .select_related("certificate", "certificate__user").order_by("created_at", "id"))


def decide_reissue_request(request: ReissueRequest, *, grant: bool, by: Any,
                           note: str = "") -> ReissueRequest:
    """Staff grant (reissue with the profile name) or decline (with a reason) a request."""
    if not grant and not note.strip():
        raise CertPluginError("Say why the request is declined; the learner sees the reason.")
    with transaction.atomic():
        locked = ReissueRequest.objects.select_for_update().select_related("certificate").get(pk=request.pk)
        if not locked.open:
            return locked
        if grant:
            reissue(locked.certificate, by=by, reason="Name change requested by the learner")
        else:
            record_audit(AuditEvent.REISSUE_DECLINED, locked.certificate.course_key,
                         user=locked.certificate.user, certificate=locked.certificate, actor=by,
                         reason=note.strip())
        locked.status = ReissueRequest.GRANTED if grant else ReissueRequest.DECLINED
        locked.open = None
        locked.decided_by = by
        locked.decided_at = timezone.now()
        locked.note = note.strip()
        locked.save()
    return locked
