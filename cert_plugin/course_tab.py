"""The "Certificate" course tab of Open edX (entry point ``openedx.course_tab``).

Inside the LMS, edx-platform loads ``cert_plugin.course_tab:CertificatesCourseTab``
through its ``CourseTabPluginManager`` (stevedore) and, because the tab is
*dynamic*, asks it on every course page: ``tab_type({}).is_enabled(course,
user=user)`` and then ``tab.link_func(course, reverse)``. The tab shows to
enrolled learners and course staff of a course that offers a certificate, and
links to the learner's "My certificates" tab at that course's card, where its
checklist, next step or downloads are. Its ``type`` is the entry point's name,
which is how the platform finds the class again.

Why the class is built on first use: edx-platform only accepts tab classes
that subclass its own ``EnrolledTab``, and STYLE.md rule 3 keeps every
edx-platform import in :mod:`cert_plugin.host.openedx`. So the behaviour lives
here in a plain mixin, and ``CertificatesCourseTab`` is created the first time
it is looked up (a module ``__getattr__``, PEP 562; entry points are loaded
with ``getattr``) from the base class ``host.openedx.course_tab_base()``
imports. Importing this module therefore needs neither edx-platform nor the
database; looking the class up outside Open edX raises
``EdxPlatformUnavailable`` saying why.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import nullcontext
from functools import lru_cache
from typing import Any

from django.db import connection, transaction
from django.urls import reverse

log = logging.getLogger(__name__)

__all__ = ["TAB_TYPE", "CertificatesTabMixin", "offers_certificate", "tab_url"]

TAB_TYPE = "cert_plugin_certificates"  # the entry point's name: edx-platform finds the class by it


def gettext_noop(message: str) -> str:
    """Marks a string for translation (``makemessages`` knows the name) without needing Django's
    settings at import time; the platform translates the tab's title when it renders it."""
    return message


def offers_certificate(course_key: Any) -> bool:
    """The course has a certificate offer that is switched on."""
    from cert_plugin import api  # the models need the apps loaded; the tab is looked up before that

    config = api.get_config(course_key)
    return bool(config is not None and config.enabled)


_failure_logged = False  # one log line per process, not one per course page


def _shows_tab(course_key: Any) -> bool:
    """:func:`offers_certificate`, where any failure means "no tab" rather than an error.

    The platform asks every dynamic tab inside ``/api/course_home/v1/course_metadata/``,
    which the learning MFE needs for every course: an exception here would take
    down every course, not just hide our tab. Before ``migrate`` (no table) or with
    the database in trouble, the learner simply sees no "Certificate" tab, and the
    operator finds the reason, once, in the log. The query runs in a savepoint when
    the request is in a transaction (the LMS's ``ATOMIC_REQUESTS``), so a failed
    query does not leave the rest of the platform's request in a broken transaction.
    """
    global _failure_logged
    try:
        with transaction.atomic() if connection.in_atomic_block else nullcontext():
            return offers_certificate(course_key)
    except Exception:  # see the docstring: never raise into the platform's course metadata
        if not _failure_logged:
            _failure_logged = True
            log.exception("cert_plugin: the course tab cannot read its course settings, so it is hidden "
                          "in every course until this is fixed (has `migrate cert_plugin` run?). "
                          "Logged once per process.")
        return False


def tab_url(course: Any, reverse_func: Callable[..., str] = reverse) -> str:
    """The learner's "My certificates" tab, scrolled to this course's card (its id is the course key)."""
    return f"{reverse_func('cert_plugin:learner-dashboard')}#{course.id}"


class CertificatesTabMixin:
    """What the "Certificate" tab is and when it shows; mixed into edx-platform's ``EnrolledTab``."""

    type = TAB_TYPE
    title = gettext_noop("Certificate")  # translated by the platform when it renders the tab
    priority = 65  # after Progress (40) and Dates (50) where the platform orders by priority
    view_name = "cert_plugin:learner-dashboard"
    is_dynamic = True  # added per learner on each request, never stored in the course's tab list
    is_default = False
    is_hideable = False
    is_movable = False
    allow_multiple = False

    @classmethod
    def is_enabled(cls, course: Any, user: Any = None) -> bool:
        """Shown when the platform would show an enrolled-learner tab and the course offers a certificate."""
        if not super().is_enabled(course, user=user):  # type: ignore[misc]  # EnrolledTab's rule
            return False
        return _shows_tab(course.id)

    @property
    def link_func(self) -> Callable[[Any, Callable[..., str]], str]:
        """``link_func(course, reverse_func)``, as edx-platform calls it to build the tab's URL."""
        return tab_url


@lru_cache(maxsize=4)
def _build(base: type) -> type:
    return type("CertificatesCourseTab", (CertificatesTabMixin, base), {
        "__module__": __name__,
        "__qualname__": "CertificatesCourseTab",
        "__doc__": "The learner's certificate for this course: a dynamic Open edX course tab.",
    })


def __getattr__(name: str) -> Any:
    if name == "CertificatesCourseTab":
        from cert_plugin.host import openedx

        return _build(openedx.course_tab_base())
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
