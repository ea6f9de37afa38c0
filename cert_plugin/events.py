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

__all__ = ["DOWNLOADABLE", "REVOKED", "certificate_data", "emit"]

DOWNLOADABLE = "downloadable"  # edx-platform's CertificateStatuses.downloadable
REVOKED = "revoked"
# The plugin's certificates do not depend on an enrollment mode; the field is left empty
# rather than claiming one ("verified", "honor") that downstream services would act on.
MODE = ""

_SIGNALS = {"issued": CERTIFICATE_CREATED, "reissued": CERTIFICATE_CHANGED, "revoked": CERTIFICATE_REVOKED}
_STATUS = {"issued": (DOWNLOADABLE, ""), "reissued": (DOWNLOADABLE, DOWNLOADABLE),
           "revoked": (REVOKED, DOWNLOADABLE)}


def certificate_data(event: str, *, user_id: int, username: str, email: str, is_active: bool,
                     learner_name: str, course_key: CourseKey, course_title: str, grade: float | None,
                     download_url: str) -> CertificateData:
    """The ``CertificateData`` payload for ``event`` ("issued", "reissued" or "revoked")."""
    current, previous = _STATUS[event]
    return CertificateData(
        user=UserData(id=user_id, is_active=is_active,
                      pii=UserPersonalData(username=username, email=email, name=learner_name)),
        course=CourseData(course_key=course_key, display_name=course_title),
        mode=MODE,
        grade="" if grade is None else f"{grade:.4f}".rstrip("0").rstrip(".") or "0",
        download_url=download_url,
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
