"""openedx-events out: tell the rest of Open edX when a certificate is issued, changed or revoked.

With ``CERT_PLUGIN["EVENTS_OUT"] = True`` the plugin emits the standard
``CERTIFICATE_CREATED`` (issue), ``CERTIFICATE_CHANGED`` (reissue) and
``CERTIFICATE_REVOKED`` (revocation) signals of
``openedx_events.learning.signals``, with ``CertificateData`` payloads, so
event-bus producers and other plugins react to our certificates as to
edx-platform's own. They are sent from the ``announce`` task, after the
certificate is committed; a receiver's failure is logged and never reaches
issuance.

This module takes plain values (no models); :mod:`cert_plugin.api` supplies them.
"""

from __future__ import annotations

import logging

from opaque_keys.edx.keys import CourseKey
from openedx_events.learning.data import CertificateData, CourseData, UserData, UserPersonalData
from openedx_events.learning.signals import CERTIFICATE_CHANGED, CERTIFICATE_CREATED, CERTIFICATE_REVOKED

log = logging.getLogger(__name__)

__all__ = ["DEFAULT_MODE", "DOWNLOADABLE", "REVOKED", "certificate_data", "emit"]

# Statuses are edx-platform's (lms/djangoapps/certificates/data.py, CertificateStatuses).
DOWNLOADABLE = "downloadable"  # CertificateStatuses.downloadable: granted and available
# CertificateStatuses.unavailable: what GeneratedCertificate.invalidate() sets (and sends with
# CERTIFICATE_REVOKED) when a certificate is revoked; the platform has no "revoked" status.
REVOKED = "unavailable"
# The enrollment mode when the host cannot tell one: GeneratedCertificate.mode's default.
DEFAULT_MODE = "honor"

_SIGNALS = {"issued": CERTIFICATE_CREATED, "reissued": CERTIFICATE_CHANGED, "revoked": CERTIFICATE_REVOKED}
_STATUS = {"issued": (DOWNLOADABLE, ""), "reissued": (DOWNLOADABLE, DOWNLOADABLE),
           "revoked": (REVOKED, DOWNLOADABLE)}


def certificate_data(event: str, *, mode: str, user_id: int, username: str, email: str, is_active: bool,
                     learner_name: str, course_key: CourseKey, course_title: str, grade: float | None,
                     download_url: str) -> CertificateData:
    """The ``CertificateData`` payload for ``event`` ("issued", "reissued" or "revoked").

    ``mode`` is the learner's enrollment mode in the course (the host's
    ``enrollment_mode``; :data:`DEFAULT_MODE` when empty). A revoked
    certificate carries no download URL, as ``GeneratedCertificate``'s
    revocation clears it.
    """
    current, previous = _STATUS[event]
    return CertificateData(
        user=UserData(id=user_id, is_active=is_active,
                      pii=UserPersonalData(username=username, email=email, name=learner_name)),
        course=CourseData(course_key=course_key, display_name=course_title),
        mode=mode or DEFAULT_MODE,
        grade="" if grade is None else f"{grade:.4f}".rstrip("0").rstrip(".") or "0",
        download_url="" if event == "revoked" else download_url,
        name=learner_name,
        current_status=current,
        previous_status=previous,
    )


def emit(event: str, certificate: CertificateData) -> bool:
    """Send the openedx-event for ``event``; False (and logged) when it could not be sent.

    Events other than issued/reissued/revoked have no openedx-event and are ignored.
    """
    signal = _SIGNALS.get(event)
    if signal is None:
        return False
    try:
        responses = signal.send_event(certificate=certificate)
    except Exception:  # a receiver (send_event raises under DEBUG) must never break the plugin
        log.exception("cert_plugin: sending %s for %s failed", signal.event_type,
                      certificate.course.course_key)
        return False
    for receiver, response in responses or []:
        if isinstance(response, Exception):
            log.error("cert_plugin: receiver %r of %s failed: %r", receiver, signal.event_type, response)
    return True
