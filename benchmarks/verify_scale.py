"""Verify at scale: ``python -m benchmarks.verify_scale [--db sqlite|mysql|postgres|all]``.

What it measures (issue 6, benchmark 3): the public verify page and its JSON twin with 100,000
certificates in the table, on SQLite, MariaDB and PostgreSQL.

How:

* **Database.** A fresh one per engine: a SQLite file in a temporary directory, or a database of
  its own on the local MariaDB (127.0.0.1:3306, root) or PostgreSQL (127.0.0.1:5432, postgres),
  named ``cert_bench_<pid>``, created before and dropped after the run (never ``test``). With
  ``--db all`` each engine runs in a child process of its own (Django binds one database per
  process) and this process merges their figures.
* **Fill.** Courses, learners with profiles and enrollments (each learner holds certificates in
  five courses), and the certificates themselves. The first 50 are issued by the real
  ``api.issue`` (the PDF/PNG render it queues is skipped: verify never reads files) and 10 are
  revoked by ``api.revoke``; the bulk is written with ``bulk_create`` in batches, each certificate
  built and Ed25519-signed the way ``domain.issuing._issue`` does it (``api.signature_payload`` +
  ``credentials.signing.sign`` with the configured key), with an ``issued`` audit event. A mix of
  states: one course in ten has a 365-day validity, so about half of its certificates have
  expired; 0.5% are revoked. A random sample of the bulk is checked through ``api.verify``: it
  must come back with a valid signature. On PostgreSQL and MariaDB the fill ends with ANALYZE
  of the plugin's tables (see :func:`analyze`). The fill time is reported.
* **Requests.** Django's test ``Client``, anonymous, in process (no HTTP server, no connection set
  up per request: the test client keeps the connection, as a server with persistent connections
  does). Rate limiting stays **on**, with its counter in the cache like in production; each
  request comes from a different ``REMOTE_ADDR`` (a string in the WSGI environ, no traffic), so no
  client ever reaches ``VERIFY_RATE`` and nothing answers 429: the limiter's own cost stays in
  the figure. Codes are drawn at random from every certificate in the table (valid, expired and
  revoked alike); an unknown code (404) and a revoked code are timed on their own. Each of these
  first drops what is kept for its code (``api.forget_verify_answers``): what the first visitor
  of a code costs. "Asked again" requests one valid code whose answer is kept
  (``cert_plugin.views.verify_answers``): what every later anonymous visitor costs.
* **Figures.** p50 and p90 of each kind of request, all kinds interleaved in rounds as
  ``benchmarks/run.py`` does. The baseline is the same request measured when the table held only
  the first 1,000 certificates (same process, same database): what 100 times the rows costs.
  The query count of each kind of request is captured (``CaptureQueriesContext``; the budget is
  asserted in ``tests/performance/test_query_counts.py``, reported here), and each SQL statement
  the verify path runs is EXPLAINed on the engine, to show that it is an index lookup.

Writes ``benchmarks/results-verify_scale.md`` (or ``--output``) and prints it. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import math
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # `python benchmarks/verify_scale.py`: make the checkout importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.run import HERE, Timing, _load, _progress, interleave, machine, setup_django, write_report

RESULTS = HERE / "results-verify_scale.md"
ENGINES = ("sqlite", "mysql", "postgres")
ENGINE_NAMES = {"sqlite": "SQLite", "mysql": "MariaDB", "postgres": "PostgreSQL"}
TARGET_P50 = 0.005  # seconds
QUERY_BUDGET = 3
SMALL_TABLE = 1_000  # rows: a full scan of a table this small is not a missing index
BASELINE_CERTIFICATES = 1_000
COURSES_PER_LEARNER = 5
API_ISSUED = 50  # certificates issued through api.issue (the rest in bulk)
API_REVOKED = 10  # of those, revoked through api.revoke

# --------------------------------------------------------------------------------------- database


def _server_params(engine: str) -> dict[str, Any]:
    """Connection parameters of the local server, as devhost.settings configures them."""
    if engine == "mysql":
        return {"host": "127.0.0.1", "port": 3306, "user": "root", "password": ""}
    return {"host": "127.0.0.1", "port": 5432, "user": "postgres"}


def _create_server_database(engine: str, name: str) -> None:
    if engine == "mysql":
        import MySQLdb

        mysql = MySQLdb.connect(**{**_server_params(engine), "passwd": ""})
        try:
            mysql.cursor().execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 "
                                   "COLLATE utf8mb4_unicode_ci")
        finally:
            mysql.close()
        return
    import psycopg

    with psycopg.connect(dbname="postgres", autocommit=True, **_server_params(engine)) as pg:
        pg.execute(f'CREATE DATABASE "{name}"')


def _drop_server_database(engine: str, name: str) -> None:
    if engine == "mysql":
        import MySQLdb

        mysql = MySQLdb.connect(**{**_server_params(engine), "passwd": ""})
        try:
            mysql.cursor().execute(f"DROP DATABASE IF EXISTS `{name}`")
        finally:
            mysql.close()
        return
    import psycopg

    with psycopg.connect(dbname="postgres", autocommit=True, **_server_params(engine)) as pg:
        pg.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextlib.contextmanager
def bench_database(engine: str) -> Iterator[str]:
    """The demo LMS, migrated, on a fresh database of ``engine``; dropped afterwards.

    Yields a description of the database. Django can be set up once per process, so a process
    uses one engine.
    """
    if engine not in ENGINES:
        raise ValueError(f"unknown database {engine!r}")
    var_dir = tempfile.mkdtemp(prefix="cert-plugin-bench-")
    name: str | None = None
    created = False
    try:
        if engine == "sqlite":
            name = os.path.join(var_dir, "bench.sqlite3")
            description = f"SQLite file in {var_dir}"
        else:
            name = f"cert_bench_{os.getpid()}"
            _create_server_database(engine, name)
            created = True
            params = _server_params(engine)
            description = f"{ENGINE_NAMES[engine]} database `{name}` on {params['host']}:{params['port']}"
        setup_django(var_dir, database=engine, name=name)
        production_templates()
        yield description
    finally:
        if created and name is not None:
            from django.db import connections

            connections.close_all()
            _drop_server_database(engine, name)
        shutil.rmtree(var_dir, ignore_errors=True)


def production_templates() -> None:
    """Undo the test environment's template instrumentation (``setup_test_environment``).

    It makes every template render send ``template_rendered``, and the test client copies the
    context for each one: work a production server never does. The rest of the test
    environment (the ``testserver`` host, in-memory mail) stays.
    """
    from django.template import Template
    from django.test.utils import _TestState

    saved = getattr(_TestState, "saved_data", None)
    if saved is not None:
        Template._render = saved.template_render  # type: ignore[method-assign]


def analyze() -> None:
    """Refresh the planner's statistics after a bulk load, as the server would do by itself soon after.

    PostgreSQL's autovacuum analyzes a table once 10% of it changed, but only on its next round
    (every minute); a benchmark that measures right after the load would see plans made for an
    empty table. InnoDB recomputes its statistics by itself; ``ANALYZE TABLE`` makes it happen now.
    SQLite is left as Django leaves it: nothing runs ANALYZE there in production either.
    """
    from django.db import connection

    tables = ["cert_plugin_certificate", "cert_plugin_signingkey", "cert_plugin_auditevent"]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for table in tables:
                cursor.execute(f'ANALYZE "{table}"')
        elif connection.vendor == "mysql":
            cursor.execute("ANALYZE TABLE " + ", ".join(f"`{table}`" for table in tables))
            cursor.fetchall()


def server_version() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("select sqlite_version()")
            return f"SQLite {cursor.fetchone()[0]}"
        if connection.vendor == "postgresql":
            cursor.execute("show server_version")
            return f"PostgreSQL {cursor.fetchone()[0]}"
        cursor.execute("select version()")
        return f"MariaDB/MySQL {cursor.fetchone()[0]}"


# --------------------------------------------------------------------------------------- fill

_FIRST = ["Amelia", "Kenji", "Layla", "María José", "Oluwaseun", "Zoë", "Dmitri", "Aiko", "Søren", "Priya",
          "Mateus", "Fatima", "Liam", "Chloé", "Hiroshi", "Nadia", "Mohammed", "Ingrid", "Tomás", "Mei"]
_LAST = ["Okafor", "Watanabe", "Haddad", "García López", "Adeyemi", "Nowak", "Ivanov", "Tanaka",
         "Kierkegaard", "Sharma", "Silva", "Benali", "O'Brien", "Dubois", "Yamamoto", "Petrova", "Al-Farsi",
         "Larsen", "Fernández", "Chen"]
_TITLES = ["Python for Data Analysis", "Safety Officer Certification", "Introduction to Statistics",
           "Project Management Essentials", "Clinical Research Ethics", "Cloud Fundamentals",
           "Financial Accounting", "Academic Writing", "Machine Learning Basics", "First Aid at Work"]
_ORGS = ["Northwind", "Contoso", "Fabrikam", "Tailspin", "Adatum"]
_BATCH = 2_000


@dataclass
class Fill:
    """What is in the database, and how long putting it there took."""

    courses: int = 0
    learners: int = 0
    certificates: int = 0
    codes: list[str] = field(default_factory=list)  # every certificate's canonical code
    revoked: list[str] = field(default_factory=list)  # revoked through api.revoke
    states: dict[str, int] = field(default_factory=dict)  # "issued" / "revoked" / "expired" -> count
    phases: dict[str, float] = field(default_factory=dict)  # name -> seconds
    checked: int = 0  # bulk certificates verified with a valid signature after the fill

    @property
    def seconds(self) -> float:
        return sum(self.phases.values())


class Filler:
    """Fills the demo LMS with courses, learners and certificates, in two steps so that figures can
    be taken at a small size first (:meth:`prepare`, then :meth:`certificates_up_to` repeatedly)."""

    def __init__(self, total: int, *, seed: int = 6) -> None:
        self.total = total
        self.random = random.Random(seed)
        self.fill = Fill()
        self.courses: list[Any] = []  # devhost Course rows
        self.pairs: list[tuple[Any, int]] = []  # (user, course index), one per certificate to issue
        self.version: Any = None
        self.names: dict[int, str] = {}  # user id -> name on the certificate
        self._status_indexes: Iterator[int] = iter(())

    # ----------------------------------------------------------------- people and courses

    def prepare(self, *, host_data: bool = False) -> Fill:
        """Courses (configured for certificates), learners, profiles and enrollments for ``total``."""
        started = time.perf_counter()
        self._courses()
        self._learners(host_data=host_data)
        self.fill.phases["courses, learners, enrollments"] = time.perf_counter() - started
        return self.fill

    def _courses(self) -> None:
        from cert_plugin import api
        from devhost.lms.models import Block, Course

        count = max(COURSES_PER_LEARNER, round(self.total / 1000))
        courses = [
            Course(course_key=f"course-v1:{_ORGS[i % len(_ORGS)]}+B{i:04d}+2026",
                   title=_TITLES[i % len(_TITLES)], org=_ORGS[i % len(_ORGS)], passing_grade=0.6,
                   hours=Decimal(6 + i % 40))
            for i in range(count)
        ]
        Course.objects.bulk_create(courses, batch_size=_BATCH)
        self.courses = list(Course.objects.order_by("pk"))
        blocks = []
        for course in self.courses:
            key = str(course.course_key).removeprefix("course-v1:")
            blocks += [Block(course=course, kind="lesson", position=i, title=f"Lesson {i}",
                             usage_key=f"block-v1:{key}+type@html+block@lesson{i}") for i in range(1, 4)]
            blocks += [Block(course=course, kind="quiz", position=100 + i, title=f"Quiz {i}",
                             usage_key=f"block-v1:{key}+type@problem+block@quiz{i}",
                             questions=[{"q": f"Question {j}", "choices": ["right", "wrong"], "answer": 0}
                                        for j in range(20)]) for i in range(1, 3)]
        Block.objects.bulk_create(blocks, batch_size=_BATCH)
        for index, course in enumerate(self.courses):
            api.configure_course(course.course_key, backfill=False,
                                 validity_days=365 if index % 10 == 0 else None)
        self.fill.courses = len(self.courses)

    def _learners(self, *, host_data: bool) -> None:
        from django.contrib.auth import get_user_model
        from django.contrib.auth.hashers import make_password
        from django.db import transaction

        from devhost.lms.models import Enrollment, Profile

        user_model = get_user_model()
        count = math.ceil(self.total / COURSES_PER_LEARNER)
        password = make_password("bench-pass")  # hashed once: hashing 20,000 times would dominate
        first = user_model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        with transaction.atomic():
            user_model.objects.bulk_create(
                [user_model(username=f"bench{i:06d}", email=f"bench{i:06d}@example.org", password=password)
                 for i in range(count)], batch_size=_BATCH)
        users = list(user_model.objects.filter(pk__gt=first, username__startswith="bench").order_by("pk"))
        with transaction.atomic():
            Profile.objects.bulk_create(
                [Profile(user=user, full_name=f"{self.random.choice(_FIRST)} {self.random.choice(_LAST)}")
                 for user in users], batch_size=_BATCH)
        self.names = dict(Profile.objects.filter(user__pk__gt=first).values_list("user_id", "full_name"))
        step = len(self.courses) // COURSES_PER_LEARNER
        enrollments = []
        for i, user in enumerate(users):
            for k in range(COURSES_PER_LEARNER):
                index = (i + k * step) % len(self.courses)
                enrollments.append(Enrollment(user=user, course=self.courses[index]))
                self.pairs.append((user, index))
        with transaction.atomic():
            Enrollment.objects.bulk_create(enrollments, batch_size=_BATCH)
        if host_data:
            self._host_data(users)
        self.pairs = self.pairs[:self.total]
        self.random.shuffle(self.pairs)  # certificates arrive in no particular order of course or learner
        self.fill.learners = len(users)

    def _host_data(self, users: list[Any]) -> None:
        """Each certificate holder's completions, quiz scores and persistent grade, as if they earned it."""
        from completion.models import BlockCompletion
        from django.db import transaction

        from devhost.lms.models import PersistentCourseGrade, QuizSubmission

        blocks = {course.pk: list(course.blocks.order_by("position")) for course in self.courses}
        completions, submissions, grades = [], [], []
        for user, index in self.pairs[:self.total]:
            course = self.courses[index]
            for block in blocks[course.pk]:
                if block.kind == "lesson":
                    completions.append(BlockCompletion(user=user, context_key=course.course_key,
                                                       block_key=block.usage_key, block_type="html",
                                                       completion=1.0))
                else:
                    submissions.append(QuizSubmission(user=user, block=block, score=0.9, answers=[]))
            grades.append(PersistentCourseGrade(user=user, course=course, percent_grade=0.9,
                                                letter_grade="Pass"))
        for model, rows in ((BlockCompletion, completions), (QuizSubmission, submissions),
                            (PersistentCourseGrade, grades)):
            for start in range(0, len(rows), 10 * _BATCH):
                with transaction.atomic():
                    model.objects.bulk_create(rows[start:start + 10 * _BATCH], batch_size=_BATCH)

    # ----------------------------------------------------------------- certificates

    def certificates_up_to(self, count: int) -> Fill:
        """Issue certificates until the table holds ``count`` of them (the first ones through the api)."""
        count = min(count, len(self.pairs))
        started = time.perf_counter()
        done = self.fill.certificates
        if done == 0:
            done = self._through_api()
        batch_started = time.perf_counter()
        while done < count:
            size = min(_BATCH, count - done)
            self._bulk(self.pairs[done:done + size])
            done += size
            if done % (10 * _BATCH) == 0 or done == count:
                rate = (done - self.fill.certificates) / (time.perf_counter() - batch_started)
                _progress(f"    {done:,} certificates ({rate:,.0f}/s in bulk)")
        self.fill.certificates = done
        analyze()
        self.fill.phases[f"certificates up to {done:,}"] = time.perf_counter() - started
        self._check()
        return self.fill

    def _through_api(self) -> int:
        """The first certificates through the real api (issue, and revoke for a few)."""
        from cert_plugin import api, jobs
        from cert_plugin.models import Certificate

        real = jobs.enqueue

        def enqueue(task_name: str, *args: Any, **kwargs: Any) -> None:
            if task_name != "cert_plugin.tasks.render_certificate":  # verify never reads the files
                real(task_name, *args, **kwargs)

        jobs.enqueue = enqueue  # type: ignore[assignment]
        try:
            issued = [api.issue(user, self.courses[index].course_key, reason="Benchmark fill")
                      for user, index in self.pairs[:API_ISSUED]]
            for certificate in issued[:API_REVOKED]:
                api.revoke(certificate, reason="Benchmark: revoked on purpose", publish_reason=True)
        finally:
            jobs.enqueue = real  # type: ignore[assignment]
        self.fill.codes += [certificate.verification_code for certificate in issued]
        self.fill.revoked = [certificate.verification_code for certificate in issued[:API_REVOKED]]
        self.version = issued[0].template_version
        used = set(Certificate.objects.values_list("status_index", flat=True))
        indexes = self.random.sample(range(api.STATUS_LIST_SIZE), self.total + len(used))
        self._status_indexes = (index for index in indexes if index not in used)
        return len(issued)

    def _bulk(self, pairs: list[tuple[Any, int]]) -> None:
        from django.db import transaction
        from django.utils import timezone

        from cert_plugin import api, codes, conf
        from cert_plugin.credentials import signing
        from cert_plugin.models import AuditEvent, Certificate

        private_pem = conf.get().SIGNING_KEY
        issuer = conf.get().ISSUER_NAME
        now = timezone.now().replace(microsecond=0)
        certificates = []
        for user, index in pairs:
            course = self.courses[index]
            issued_at = now - timedelta(seconds=self.random.randrange(730 * 86400))
            revoked = self.random.random() < 0.005
            certificate = Certificate(
                verification_code=codes.generate(), user=user, course_key=course.course_key,
                learner_name=self.names[user.pk], course_title=course.title, org=course.org,
                issuer_name=issuer or course.org, hours=course.hours,
                grade=round(self.random.uniform(0.6, 1.0), 4), issued_at=issued_at,
                expires_at=issued_at + timedelta(days=365) if index % 10 == 0 else None,
                template_version=self.version, language="en",
                status_index=next(self._status_indexes),
                state=Certificate.REVOKED if revoked else Certificate.ISSUED,
                active=None if revoked else True,
                revoked_at=issued_at + timedelta(days=30) if revoked else None,
                revoke_reason="Benchmark: revoked in bulk" if revoked else "",
            )
            result = signing.sign(api.signature_payload(certificate), private_pem)  # as sign_certificate does
            certificate.signature, certificate.signing_key_id = result.value, result.key_id
            certificates.append(certificate)
        with transaction.atomic():
            Certificate.objects.bulk_create(certificates, batch_size=_BATCH)
            codes_written = [certificate.verification_code for certificate in certificates]
            written = Certificate.objects.filter(verification_code__in=codes_written)
            ids = dict(written.values_list("verification_code", "pk"))
            events = []
            for certificate in certificates:
                certificate.pk = ids[certificate.verification_code]
                events.append(AuditEvent(action=AuditEvent.ISSUED, course_key=certificate.course_key,
                                         user=certificate.user, certificate=certificate, reason="",
                                         data={"learner_name": certificate.learner_name,
                                               "template_version": self.version.pk}))
                if certificate.state == Certificate.REVOKED:
                    events.append(AuditEvent(action=AuditEvent.REVOKED, course_key=certificate.course_key,
                                             user=certificate.user, certificate=certificate,
                                             reason=certificate.revoke_reason))
            AuditEvent.objects.bulk_create(events, batch_size=_BATCH)
        self.fill.codes += [certificate.verification_code for certificate in certificates]

    def _check(self, sample: int = 20) -> None:
        """A random sample of the bulk must verify, with a valid signature, through the real api."""
        from django.db.models import Count
        from django.utils import timezone

        from cert_plugin import api
        from cert_plugin.models import Certificate

        bulk = self.fill.codes[API_ISSUED:]
        for code in self.random.sample(bulk, min(sample, len(bulk))):
            verification = api.verify(code)
            if verification.status == "not_found" or verification.signature_valid is not True:
                raise RuntimeError(f"bulk certificate {code} does not verify: {verification.status}, "
                                   f"signature {verification.signature_valid}")
            self.fill.checked += 1
        states = dict(Certificate.objects.values_list("state").annotate(n=Count("pk"))
                      .values_list("state", "n"))
        expired = Certificate.objects.filter(state=Certificate.ISSUED, expires_at__lte=timezone.now()).count()
        states["issued"] = states.get("issued", 0) - expired
        states["expired"] = expired
        self.fill.states = states


# --------------------------------------------------------------------------------------- requests


@dataclass
class Kind:
    """One kind of request: a label, and a function that makes one request of it."""

    label: str
    request: Callable[[], Any]
    batch: int


def _addresses() -> Iterator[str]:
    """A different client address for every request (a string in the WSGI environ; no traffic)."""
    for n in itertools.count(1):
        yield f"127.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}"


def _requests(fill: Fill, seed: int) -> list[Kind]:
    from django.test import Client
    from django.urls import reverse

    from cert_plugin import api, codes
    from cert_plugin.models import Certificate

    client = Client()
    addresses = _addresses()
    rng = random.Random(seed)
    unknown = codes.generate()
    while unknown in set(fill.codes):
        unknown = codes.generate()
    revoked = fill.revoked[0]
    again = Certificate.objects.filter(state="issued", expires_at__isnull=True).values_list(
        "verification_code", flat=True).first()  # valid, never expiring: its answer is kept

    def get(name: str, code: str, status: int, *, kept: bool = False) -> None:
        if not kept:  # the first visitor of the code: nothing kept for it (views.verify_answers)
            api.forget_verify_answers([code])
        response = client.get(reverse(name, args=[codes.format_code(code)]), REMOTE_ADDR=next(addresses))
        if response.status_code != status:
            raise RuntimeError(f"{name} {code}: expected {status}, got {response.status_code}")

    def random_code() -> str:
        return rng.choice(fill.codes)

    return [
        Kind("Verify page, random existing code",
             lambda: get("cert_plugin:verify", random_code(), 200), 10),
        Kind("Verify JSON, random existing code",
             lambda: get("cert_plugin:api-verify", random_code(), 200), 10),
        Kind("Verify page, revoked code", lambda: get("cert_plugin:verify", revoked, 200), 4),
        Kind("Verify JSON, revoked code", lambda: get("cert_plugin:api-verify", revoked, 200), 4),
        Kind("Verify page, asked again (the kept answer)",
             lambda: get("cert_plugin:verify", again, 200, kept=True), 4),
        Kind("Verify JSON, asked again (the kept answer)",
             lambda: get("cert_plugin:api-verify", again, 200, kept=True), 4),
        Kind("Verify page, unknown code (404)", lambda: get("cert_plugin:verify", unknown, 404), 4),
        Kind("Verify JSON, unknown code (404)", lambda: get("cert_plugin:api-verify", unknown, 404), 4),
        Kind("Test-client floor: malformed download code (404, no query)",
             lambda: _floor(client, next(addresses)), 4),
    ]


def _floor(client: Any, address: str) -> None:
    if client.get("/certs/not-a-code-not-a-code.pdf", REMOTE_ADDR=address).status_code != 404:
        raise RuntimeError("expected a 404")


def time_requests(fill: Fill, rounds: int, seed: int) -> dict[str, Timing]:
    kinds = _requests(fill, seed)
    timings = interleave([(kind.request, kind.batch) for kind in kinds], rounds=rounds, warmup=3)
    return {kind.label: timing for kind, timing in zip(kinds, timings, strict=True)}


def query_counts(fill: Fill) -> dict[str, dict[str, int]]:
    """SQL statements per request, by endpoint and by what the code names."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse
    from django.utils import timezone

    from cert_plugin import api, codes
    from cert_plugin.models import Certificate

    now = timezone.now()
    samples = {
        "valid": Certificate.objects.filter(state="issued", expires_at__isnull=True).first(),
        "expired": Certificate.objects.filter(state="issued", expires_at__lte=now).first(),
        "revoked": Certificate.objects.filter(verification_code=fill.revoked[0]).first(),
    }
    client = Client()
    addresses = _addresses()
    counts: dict[str, dict[str, int]] = {}
    for endpoint, name in (("page", "cert_plugin:verify"), ("JSON", "cert_plugin:api-verify")):
        counts[endpoint] = {}
        codes_by_state = {state: c.verification_code for state, c in samples.items() if c is not None}
        codes_by_state["unknown"] = codes.generate()
        for state, code in codes_by_state.items():
            api.forget_verify_answers([code])  # the first visitor's count
            with CaptureQueriesContext(connection) as captured:
                client.get(reverse(name, args=[codes.format_code(code)]), REMOTE_ADDR=next(addresses))
            counts[endpoint][state] = len(captured)
        with CaptureQueriesContext(connection) as captured:  # the valid code's answer, now kept
            client.get(reverse(name, args=[codes.format_code(codes_by_state["valid"])]),
                       REMOTE_ADDR=next(addresses))
        counts[endpoint]["valid, asked again"] = len(captured)
    return counts


# --------------------------------------------------------------------------------------- EXPLAIN


@dataclass
class Plan:
    sql: str
    plan: list[str]
    indexed: bool  # no table of more than SMALL_TABLE rows is read without an index
    scanned: list[str] = field(default_factory=list)  # tables read without an index
    note: str = ""


def explain_verify(fill: Fill) -> list[Plan]:
    """EXPLAIN every distinct statement ``api.verify`` runs, for a valid and an expired code."""
    from django.db import connection
    from django.utils import timezone

    from cert_plugin import api
    from cert_plugin.models import Certificate

    statements: dict[str, tuple[Any, ...]] = {}

    def record(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        statements.setdefault(sql, tuple(params or ()))
        return execute(sql, params, many, context)

    expired = Certificate.objects.filter(state="issued", expires_at__lte=timezone.now()).first()
    codes = [fill.codes[-1]] + ([expired.verification_code] if expired is not None else [])
    with connection.execute_wrapper(record):
        for code in codes:
            api.verify(code)
    plans = []
    for sql, params in statements.items():
        prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
        with connection.cursor() as cursor:
            cursor.execute(prefix + sql, params)
            rows = cursor.fetchall()
            columns = [column[0] for column in cursor.description or ()]
        shown = _short(sql % tuple(_literal(p) for p in params))
        plans.append(_judge(_plan(connection.vendor, shown, rows, columns)))
    return plans


def _short(sql: str) -> str:
    """The statement with its column list elided: ``SELECT <27 columns> FROM ...``."""
    match = re.match(r"SELECT (.*?) FROM ", sql, re.DOTALL)
    if match is None:
        return sql
    return f"SELECT <{match.group(1).count(',') + 1} columns> FROM {sql[match.end():]}"


def _literal(value: Any) -> str:
    return repr(str(value)) if not isinstance(value, int | float) else str(value)


def _plan(vendor: str, sql: str, rows: list[tuple[Any, ...]], columns: list[str]) -> Plan:
    """The plan's lines, and the tables it reads without an index (a full scan)."""
    scanned: list[str] = []
    if vendor == "sqlite":  # (id, parent, notused, detail): "SCAN t" is a full scan, "SEARCH t USING..." not
        lines = [str(row[-1]) for row in rows]
        scanned = [line.split()[1] for line in lines if line.startswith("SCAN ") and "USING" not in line]
    elif vendor == "postgresql":
        lines = [str(row[0]).strip() for row in rows]
        scanned = [match.group(1) for line in lines if (match := re.search(r"Seq Scan on (\w+)", line))]
    else:  # MySQL/MariaDB: one row per table with select_type, table, type, possible_keys, key, rows...
        lines = []
        for row in rows:
            values = dict(zip(columns, row, strict=False))
            lines.append(", ".join(f"{name}={values.get(name)}" for name in
                                   ("table", "type", "key", "ref", "rows", "Extra") if name in values))
            if values.get("type") in ("ALL", "index") or values.get("key") is None:
                scanned.append(str(values.get("table")))
    return Plan(sql=sql, plan=lines, indexed=not scanned, scanned=scanned)


def _judge(plan: Plan) -> Plan:
    """A full scan of a table of a few rows (the signing keys) is the planner's right choice: say so."""
    from django.db import connection

    notes, large = [], False
    for table in plan.scanned:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
            count = cursor.fetchone()[0]
        if count > SMALL_TABLE:
            large = True
        notes.append(f"full scan of {table} ({count:,} row{'' if count == 1 else 's'})")
    plan.indexed = not large
    if notes:
        plan.note = "; ".join(notes) + ("" if large else f": the planner's choice for a table of at most "
                                        f"{SMALL_TABLE:,} rows, where an index would not be faster")
    return plan


# --------------------------------------------------------------------------------------- one engine


def run_engine(engine: str, certificates: int, rounds: int, baseline_rounds: int) -> dict[str, Any]:
    """Fill and measure one database; a JSON-able dict of figures."""
    with bench_database(engine) as description:
        _progress(f"{ENGINE_NAMES[engine]}: {description}")
        version = server_version()
        filler = Filler(certificates)
        filler.prepare()
        _progress(f"  prepared {filler.fill.courses} courses and {filler.fill.learners:,} learners "
                  f"in {filler.fill.seconds:.1f} s")
        small = min(BASELINE_CERTIFICATES, certificates)
        filler.certificates_up_to(small)
        _progress(f"  baseline: timing requests with {small:,} certificates ({baseline_rounds} rounds)")
        baseline = time_requests(filler.fill, baseline_rounds, seed=1)
        _progress(f"  filling up to {certificates:,} certificates")
        fill = filler.certificates_up_to(certificates)
        _progress(f"  filled in {fill.seconds:.1f} s; timing requests ({rounds} rounds)")
        timings = time_requests(fill, rounds, seed=2)
        counts = query_counts(fill)
        plans = explain_verify(fill)
        for label, timing in timings.items():
            _progress(f"    {label}: p50 {timing.median * 1000:.2f} ms, p90 {timing.p90 * 1000:.2f} ms")
    return {
        "engine": engine,
        "database": description,
        "version": version,
        "load_end": _load(),
        "fill": {"courses": fill.courses, "learners": fill.learners, "certificates": fill.certificates,
                 "states": fill.states, "phases": fill.phases, "seconds": fill.seconds,
                 "checked": fill.checked},
        "baseline_certificates": small,
        "timings": {label: timing.samples for label, timing in timings.items()},
        "baseline": {label: timing.samples for label, timing in baseline.items()},
        "queries": counts,
        "plans": [{"sql": p.sql, "plan": p.plan, "indexed": p.indexed, "note": p.note} for p in plans],
    }


# --------------------------------------------------------------------------------------- report


def _ms(seconds: float) -> str:
    value = seconds * 1000
    return f"{value:.{3 if value < 1 else 2 if value < 10 else 1}f}"


def _p50_p90(samples: list[float]) -> str:
    timing = Timing(samples)
    return f"p50 {_ms(timing.median)} ms, p90 {_ms(timing.p90)} ms"


def markdown(results: list[dict[str, Any]], info: list[tuple[str, str]], elapsed: float, rounds: int,
             certificates: int) -> str:
    intro = (f"The public verify page and its JSON with {certificates:,} certificates in the table, "
             "in process (Django test client, anonymous, rate limiting on with a different client address "
             "per request, so nothing answers 429). Baseline: the same request when the table held the first "
             f"{BASELINE_CERTIFICATES:,} certificates. Targets are reported, never asserted; see "
             "`benchmarks/README.md`.")
    lines = ["# Verify at scale (`python -m benchmarks.verify_scale`)", "", intro, ""]
    lines += [f"- **{key}**: {value}" for key, value in info]
    lines += [f"- **Run**: {elapsed:.0f} s, {rounds} rounds (random codes: 10 requests per round, others 4)",
              ""]
    lines += ["| Database | Measurement | Figure | Baseline | Target | Met |", "|---|---|---|---|---|---|"]
    missed = []
    for result in results:
        engine = ENGINE_NAMES[result["engine"]]
        if "error" in result:
            lines.append(f"| {engine} | not measured | {result['error']} | — | — | — |")
            missed.append(f"{engine}: not measured")
            continue
        fill = result["fill"]
        lines.append(f"| {engine} | Fill: {fill['certificates']:,} certificates, {fill['courses']} courses, "
                     f"{fill['learners']:,} learners | {fill['seconds']:.1f} s "
                     f"({fill['certificates'] / fill['seconds']:,.0f} certificates/s) | — | — | — |")
        for label, samples in result["timings"].items():
            floor = label.startswith("Test-client floor")
            p50 = Timing(samples).median
            met = "—" if floor else ("yes" if p50 <= TARGET_P50 else "**NO**")
            if met == "**NO**":
                missed.append(f"{engine}: {label}")
            baseline = (_p50_p90(result["baseline"][label])
                        + f" ({result['baseline_certificates']:,} certificates)")
            target = "—" if floor else f"p50 ≤ {TARGET_P50 * 1000:g} ms"
            lines.append(f"| {engine} | {label} | {_p50_p90(samples)} | {baseline} | {target} | {met} |")
        for endpoint, counts in result["queries"].items():
            worst = max(counts.values())
            met = "yes" if worst <= QUERY_BUDGET else "**NO**"
            if met == "**NO**":
                missed.append(f"{engine}: queries per {endpoint} request")
            detail = ", ".join(f"{state} {n}" for state, n in counts.items())
            lines.append(f"| {engine} | Queries per verify {endpoint} request | {worst} at most ({detail}) "
                         f"| — | ≤ {QUERY_BUDGET} | {met} |")
        indexed = all(plan["indexed"] for plan in result["plans"])
        if not indexed:
            missed.append(f"{engine}: index")
        lines.append(f"| {engine} | Verify lookups use an index (EXPLAIN, {len(result['plans'])} statements) "
                     f"| {'yes' if indexed else 'no: a full scan'} | — | index lookup | "
                     f"{'yes' if indexed else '**NO**'} |")
    lines += ["", "## EXPLAIN of the statements `api.verify` runs", ""]
    for result in results:
        if "error" in result:
            continue
        lines.append(f"### {ENGINE_NAMES[result['engine']]} ({result['version']})")
        lines.append("")
        for plan in result["plans"]:
            lines.append(f"- `{plan['sql']}`")
            lines += [f"  - {line}" for line in plan["plan"]]
            if plan["note"]:
                lines.append(f"  - *{plan['note']}*")
        lines.append("")
    lines += ["## Notes", ""]
    for result in results:
        if "error" in result:
            continue
        fill = result["fill"]
        phases = "; ".join(f"{name} {seconds:.1f} s" for name, seconds in fill["phases"].items())
        states = ", ".join(f"{state} {n:,}" for state, n in sorted(fill["states"].items()))
        lines.append(f"- {ENGINE_NAMES[result['engine']]} ({result['database']}): fill phases: {phases}. "
                     f"States: {states}. {fill['checked']} random bulk certificates verified through "
                     f"`api.verify` with a valid signature. Load average at the end {result['load_end']}.")
    lines.append("- The test client keeps one database connection; a server with `CONN_MAX_AGE = 0` "
                 "opens one per request, which these figures leave out (the load test covers it).")
    lines += ["", "Targets missed: " + (", ".join(missed) if missed else "none"), ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.verify_scale",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=(*ENGINES, "all"), default="all",
                        help="database engine (default all)")
    parser.add_argument("--certificates", type=int, default=100_000, help="certificates in the table")
    parser.add_argument("--quick", action="store_true",
                        help="10,000 certificates and few requests: a smoke test")
    parser.add_argument("--rounds", type=int, default=50, help="timed rounds (default 50)")
    parser.add_argument("--output", type=Path, default=RESULTS, help="Markdown file to write")
    parser.add_argument("--json", type=Path, help=argparse.SUPPRESS)  # a child's figures, for --db all
    args = parser.parse_args(argv)
    certificates = min(args.certificates, 10_000) if args.quick else args.certificates
    rounds = 8 if args.quick else max(3, args.rounds)
    baseline_rounds = max(3, rounds // 2)
    started = time.perf_counter()

    if args.json is not None:  # a child of --db all: one engine, figures as JSON
        try:
            result = run_engine(args.db, certificates, rounds, baseline_rounds)
        except Exception as exc:  # noqa: BLE001  (the parent reports the engine as not measured)
            result = {"engine": args.db, "error": f"{type(exc).__name__}: {exc}".replace("|", "/")[:300]}
        args.json.write_text(json.dumps(result), encoding="utf-8")
        return 0

    engines = list(ENGINES) if args.db == "all" else [args.db]
    info = _machine_info()
    results = []
    with tempfile.TemporaryDirectory(prefix="cert-plugin-bench-") as scratch:
        for engine in engines:
            out = Path(scratch) / f"{engine}.json"
            command = [sys.executable, "-m", "benchmarks.verify_scale", "--db", engine,
                       "--certificates", str(certificates), "--rounds", str(rounds), "--json", str(out)]
            if args.quick:
                command.append("--quick")
            subprocess.run(command, check=False, cwd=HERE.parent)
            results.append(json.loads(out.read_text(encoding="utf-8")) if out.exists()
                           else {"engine": engine, "error": "the child process failed (see its output)"})
    info.append(("Load average at the end", _load()))
    text = markdown(results, info, time.perf_counter() - started, rounds, certificates)
    return write_report(args.output, text)


def _machine_info() -> list[tuple[str, str]]:
    """run.py's machine header without Django (the figures were taken in child processes)."""
    return [(key, value) for key, value in machine()
            if key in ("Date", "Machine", "OS", "Python", "Pillow / cryptography / Django")]


if __name__ == "__main__":
    raise SystemExit(main())
