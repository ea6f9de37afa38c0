"""The database connection is lost in the middle of one of our requests: the user gets a clean 503
(our page, or JSON from the API) with Retry-After, nothing half-written stays behind, and the next
request works again.

The fault is real and happens mid-view: the demo host runs it at the plugin's next host call
(``FaultyHost``), or a ``post_save`` receiver runs it between the certificate's INSERT and its audit
event's INSERT. On MariaDB and PostgreSQL a second connection ends the request's session
(``KILL CONNECTION`` / ``pg_terminate_backend``); the database being unreachable is shown on every
database by closing the connection and pointing it where nothing answers.
"""

from __future__ import annotations

import json

import pytest
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models.signals import post_save
from django.test import Client
from django.urls import reverse

from cert_plugin import api
from cert_plugin.models import AuditEvent, Certificate, OutboxTask
from tests.faults.hosts import Unreachable


def _course(lms):
    course = lms.course()
    api.configure_course(course.course_key)
    return course, lms.learner(course, name="Layla Haddad")


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _issue_now(client, course, learner):
    return client.post(reverse("cert_plugin:staff-issue", args=[course.course_key]),
                       {"user": learner.pk, "reason": "Recognition of prior learning"})


def _kill_this_session() -> None:
    """End this thread's database session from a second connection, as a DBA or a failover does."""
    postgres = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()" if postgres else "SELECT CONNECTION_ID()")
        session = int(cursor.fetchone()[0])
    other = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        with other.cursor() as cursor:
            if postgres:
                cursor.execute("SELECT pg_terminate_backend(%s, 5000)", [session])
            else:
                cursor.execute(f"KILL CONNECTION {session}")
    finally:
        other.close()


def _assert_503(response) -> None:
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response["Cache-Control"] == "no-store"


def test_a_database_gone_mid_request_gives_our_503_page_and_the_next_request_works(lms, faulty_host):
    course, learner = _course(lms)
    staff = _client(lms.staff(course))
    unreachable = faulty_host.fault = Unreachable()
    try:
        response = _issue_now(staff, course, learner)
    finally:
        unreachable.restore()

    _assert_503(response)
    page = response.content.decode()
    assert "Please try again in a moment" in page
    assert "lost its connection to its database" in page
    assert 'href="/certs/verify/"' in page  # our page, with our way out
    assert not Certificate.objects.filter(user=learner).exists()

    response = _issue_now(staff, course, learner)  # the database is back
    assert response.status_code == 303  # back to the dashboard
    assert Certificate.objects.filter(user=learner, course_key=course.course_key).count() == 1


def test_the_rest_api_answers_json_when_the_database_is_gone(lms, faulty_host):
    course, learner = _course(lms)
    client = _client(learner)
    url = reverse("cert_plugin:api-course-progress", args=[course.course_key])
    unreachable = faulty_host.fault = Unreachable()
    try:
        response = client.get(url, HTTP_ACCEPT="application/json")
    finally:
        unreachable.restore()

    _assert_503(response)
    assert response["Content-Type"] == "application/json"
    body = json.loads(response.content)
    assert body["status"] == "unavailable"
    assert body["retry_after"] == 30
    assert "database" in body["detail"]
    assert client.get(url).status_code == 200


def test_the_page_speaks_the_learners_language(lms, faulty_host):
    course, _learner = _course(lms)
    staff = _client(lms.staff(course))
    url = reverse("cert_plugin:staff-dashboard", args=[course.course_key])
    unreachable = faulty_host.fault = Unreachable()
    try:
        response = staff.get(url, HTTP_ACCEPT_LANGUAGE="pt-br")
    finally:
        unreachable.restore()

    _assert_503(response)
    page = response.content.decode()
    assert 'lang="pt-br"' in page
    assert "Tentar novamente" in page  # "Try again", which repeats the page asked for
    assert f'href="{url}"' in page


def test_a_session_killed_inside_the_issue_transaction_leaves_no_partial_record(lms):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite has no server session another connection could end: the MariaDB and "
                    "PostgreSQL stages run this; the unreachable-database tests cover SQLite")
    course, learner = _course(lms)
    staff = _client(lms.staff(course))
    killed: list[str] = []

    def kill_after_the_certificate_insert(sender, instance, created, **kwargs):
        if created and instance.user_id == learner.pk and not killed:
            killed.append(instance.verification_code)
            _kill_this_session()  # before the audit event's INSERT, in the same transaction

    post_save.connect(kill_after_the_certificate_insert, sender=Certificate, weak=False,
                      dispatch_uid="faults-kill-session")
    try:
        response = _issue_now(staff, course, learner)
    finally:
        post_save.disconnect(sender=Certificate, dispatch_uid="faults-kill-session")

    assert killed, "the certificate's INSERT never ran"
    _assert_503(response)
    assert "Please try again in a moment" in response.content.decode()
    # The server rolled the transaction back: no certificate without its audit event, no task.
    assert not Certificate.objects.filter(user=learner).exists()
    assert not AuditEvent.objects.filter(user=learner, action=AuditEvent.ISSUED).exists()
    assert api.verify(killed[0]).status == "not_found"
    assert not OutboxTask.objects.exists()

    assert _issue_now(staff, course, learner).status_code == 303  # a new connection, all well
    certificate = Certificate.objects.get(user=learner)
    assert AuditEvent.objects.filter(certificate=certificate, action=AuditEvent.ISSUED).count() == 1


def test_the_hosts_own_pages_keep_the_hosts_error_handling(transactional_db):
    client = Client(raise_request_exception=False)
    unreachable = Unreachable()
    unreachable()
    try:
        response = client.post(reverse("login"), {"username": "someone", "password": "secret"})
    finally:
        unreachable.restore()

    assert response.status_code == 500  # the host's 500: our middleware answers only for our URLs
    assert "Please try again in a moment" not in response.content.decode()


def test_open_edx_gets_the_middleware_from_the_plugin_settings_once():
    import types

    from cert_plugin.middleware import MIDDLEWARE_PATH
    from cert_plugin.settings import production

    lms_settings = types.ModuleType("lms_settings")
    lms_settings.MIDDLEWARE = ["django.middleware.security.SecurityMiddleware",
                               "django.contrib.sessions.middleware.SessionMiddleware"]
    production.plugin_settings(lms_settings)
    production.plugin_settings(lms_settings)  # settings are merged per environment; never twice

    assert lms_settings.MIDDLEWARE[-1] == MIDDLEWARE_PATH
    assert lms_settings.MIDDLEWARE.count(MIDDLEWARE_PATH) == 1
