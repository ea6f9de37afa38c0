"""What every room of the api needs: its errors, course keys, the host, the audit trail.

Owns the api's exception types, ``parse_course_key``, ``get_host``, the
course's configuration and a learner's active certificate (reads),
``record_audit`` (the append-only audit trail) and the lazy imports of the
renderers and the PAdES signer. (Every room logs as ``cert_plugin.api``, the
name operators configure.) Writes: AuditEvent.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any

from django.utils.module_loading import import_string
from opaque_keys import InvalidKeyError
from opaque_keys.edx.keys import CourseKey

from cert_plugin import conf
from cert_plugin.host.base import Host
from cert_plugin.models import (
    AuditEvent,
    Certificate,
    CourseCertificateConfig,
)

if TYPE_CHECKING:
    from types import ModuleType


class CertPluginError(Exception):
    """Base of the errors the API raises for bad input; the message is for people."""


class InvalidCourseKey(CertPluginError, ValueError):
    """The text is not a course key."""


class UnknownCourse(CertPluginError, LookupError):
    """The host LMS does not know the course."""


class RequirementsError(CertPluginError, ValueError):
    """A course's certificate requirements are not valid."""


class TemplateError(CertPluginError, ValueError):
    """A certificate template is not valid (the message names the line and reason)."""

    def __init__(self, message: str, *, line: int | None = None, css_line: int | None = None) -> None:
        super().__init__(message)
        self.line = line  # 1-based line of the HTML it concerns, when known
        self.css_line = css_line  # 1-based line of the CSS it concerns, when known


class RenderFailed(CertPluginError):
    """A certificate could not be rendered now; it stays issued and valid, and a retry may succeed."""


_MAX_COURSE_KEY = 255  # the course_key columns (and edx-platform's CourseOverview.id) hold no more


def parse_course_key(course_key: CourseKey | str) -> CourseKey:
    """The CourseKey for ``course_key``, or InvalidCourseKey with a readable message.

    A key longer than a course key column holds is refused too: no course can have it, and a
    lookup or a write with it would fail in the database (PostgreSQL, MySQL) instead.
    """
    text = str(course_key or "").strip()
    if isinstance(course_key, CourseKey) and len(text) <= _MAX_COURSE_KEY:
        return course_key
    try:
        if len(text) <= _MAX_COURSE_KEY:
            return CourseKey.from_string(text)
    except InvalidKeyError:
        pass
    shown = text if len(text) <= 80 else text[:79] + "…"
    raise InvalidCourseKey(
        f"{shown!r} is not a valid course key; expected something like "
        f"'course-v1:Org+Course+Run'."
    ) from None


@lru_cache(maxsize=4)
def _host_for(path: str) -> Host:
    return import_string(path)()


def get_host() -> Host:
    """The configured host adapter (``CERT_PLUGIN["HOST"]``), one instance per path."""
    return _host_for(conf.get().HOST)


def record_audit(action: str, course_key: CourseKey, *, user: Any = None,
                 certificate: Certificate | None = None, actor: Any = None, reason: str = "",
                 **data: Any) -> None:
    AuditEvent.objects.create(action=action, course_key=course_key, user=user, certificate=certificate,
                              actor=actor, reason=reason, data=data)


def user_id_of(user: Any) -> int | None:
    return getattr(user, "pk", None)


def get_config(course_key: CourseKey | str) -> CourseCertificateConfig | None:
    """The course's certificate configuration, or None if it never had one."""
    return CourseCertificateConfig.objects.filter(course_key=parse_course_key(course_key)).first()


def active_certificate(user: Any, course_key: CourseKey | str) -> Certificate | None:
    """The learner's active certificate in the course (possibly expired), if any."""
    return (
        Certificate.objects.select_related("template_version")
        .filter(user=user, course_key=parse_course_key(course_key), active=True)
        .first()
    )


def pdf_module() -> ModuleType:
    """The renderer, imported on first use (WeasyPrint costs ~0.5 s and tens of MB to load)."""
    from cert_plugin.rendering import pdf

    return pdf


def png_module() -> ModuleType:
    from cert_plugin.rendering import png

    return png


def pades_module() -> ModuleType:
    from cert_plugin.credentials import pades

    return pades


class BrandingError(CertPluginError, ValueError):
    """An organization's branding is not valid (the message says what to fix)."""


def is_site_staff(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "is_staff", False))
