"""The learner's read model: their certificates and progress across courses (the learner tab).

Owns ``learner_overview`` (one row per enrolled course with its status) and
``certificates_for``. Reads only; writes nothing.
"""

from __future__ import annotations

from typing import Any

from opaque_keys.edx.keys import CourseKey

from cert_plugin.data import (
    CourseStatus,
    Progress,
)
from cert_plugin.domain.issuing import get_progress
from cert_plugin.domain.shared import UnknownCourse, get_host, parse_course_key
from cert_plugin.host.base import Host
from cert_plugin.models import (
    Certificate,
    CourseCertificateConfig,
    ReissueRequest,
)
from cert_plugin.text import clean_name


def certificates_for(user: Any) -> list[Certificate]:
    """Every certificate the learner was issued, newest first (revoked and expired included)."""
    return list(Certificate.objects.filter(user=user).order_by("-issued_at", "-id"))


# A learner's standing in a course, in the order "My certificates" lists them. "not_approved": staff
# refused to approve the certificate (the learner may ask them to reconsider).
LEARNER_STATUSES = ("issued", "expired", "revoked", "not_approved", "pending_approval", "in_progress")


def learner_overview(user: Any) -> list[CourseStatus]:
    """Every course of the learner that offers (or gave) a certificate, earned ones first.

    Courses come from the host's enrollments when it can list them, plus any
    course the learner already holds a certificate of.
    """
    host = get_host()
    lister = getattr(host, "enrolled_courses", None)
    enrolled = {parse_course_key(k) for k in lister(user)} if callable(lister) else set()
    offered = set(CourseCertificateConfig.objects.filter(course_key__in=enrolled, enabled=True)
                  .values_list("course_key", flat=True)) if enrolled else set()
    latest: dict[CourseKey, Certificate] = {}
    for held in Certificate.objects.filter(user=user).order_by("issued_at", "id"):
        latest[held.course_key] = held  # the newest per course wins
    profile_name = clean_name(host.learner(user).full_name)  # as a reissue would print it
    pending = {r.certificate_id: r for r in ReissueRequest.objects.filter(certificate__user=user, open=True)}
    url_of = getattr(host, "course_url", None)
    overview = []
    for key in sorted(offered | set(latest), key=str):
        certificate = latest.get(key)
        status, progress = _learner_status(user, key, certificate)
        if status == "not_offered":
            continue
        title = certificate.course_title if certificate else _course_title(host, key)
        differs = bool(certificate and certificate.state == Certificate.ISSUED
                       and profile_name and profile_name != certificate.learner_name)
        overview.append(CourseStatus(
            course_key=str(key), course_title=title, status=status, progress=progress,
            certificate=certificate, profile_name=profile_name if differs else "",
            reissue_request=pending.get(certificate.pk) if certificate else None,
            course_url=str(url_of(key)) if callable(url_of) else ""))
    order = {status: n for n, status in enumerate(LEARNER_STATUSES)}
    return sorted(overview, key=lambda row: (order[row.status], row.course_title.lower()))


def _course_title(host: Host, key: CourseKey) -> str:
    course = host.course(key)
    return course.title if course is not None else str(key)


def _learner_status(user: Any, key: CourseKey, certificate: Certificate | None) -> tuple[str, Progress]:
    if certificate is not None and certificate.active and certificate.status == Certificate.ISSUED:
        return "issued", Progress(status="issued", eligible=True, certificate=certificate)
    try:
        progress = get_progress(user, key)
    except UnknownCourse:
        progress = Progress(status="not_offered", eligible=False)
    revoked = certificate is not None and certificate.status == Certificate.REVOKED
    if revoked and progress.status == "in_progress":
        return "revoked", progress
    if progress.expired is not None:  # recertifying: what remains is on the expired certificate's card
        return "expired", progress
    if progress.refusal is not None:
        return "not_approved", progress
    return progress.status, progress
