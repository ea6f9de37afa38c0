"""Shared plumbing of the multi-process benchmarks (``benchmarks.workers``, ``benchmarks.load``).

They run the demo LMS in *other* processes (Celery workers, gunicorn) against a database and a
Redis database of their own, so unlike ``benchmarks.run`` they need:

* a settings overlay over ``devhost.settings`` written into the run's temporary directory, which
  the benchmark process and its children import (``DJANGO_SETTINGS_MODULE``);
* a PostgreSQL database created for the run and dropped afterwards;
* child processes started in their own process group and always stopped, even on Ctrl-C or a
  failure (:class:`Processes`);
* learners and certificates made quickly (bulk-created users, then ``api.issue``).

Nothing here is timed; the callers time what they measure.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SETTINGS_MODULE = "cert_bench_settings"
REDIS_URL = "redis://127.0.0.1:6379"
POSTGRES_HOST, POSTGRES_PORT, POSTGRES_USER = "127.0.0.1", 5432, "postgres"

# The overlay: the demo's settings, plus what a benchmark may set through the environment.
_OVERLAY = '''"""Benchmark settings: devhost.settings plus the knobs of benchmarks/harness.py (generated)."""
import os

from devhost.settings import *  # noqa: F403

# Issue notifications stay in memory: the demo configures no mail server.
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
if "CERT_BENCH_VERIFY_RATE" in os.environ:
    CERT_PLUGIN = {**CERT_PLUGIN, "VERIFY_RATE": os.environ["CERT_BENCH_VERIFY_RATE"] or None}  # noqa: F405
if os.environ.get("CERT_BENCH_CACHE_URL"):
    # As Tutor configures Open edX (django-redis 5.4.0, errors ignored like memcached's).
    CACHES = {"default": {"BACKEND": "django_redis.cache.RedisCache",
                          "LOCATION": os.environ["CERT_BENCH_CACHE_URL"]}}
    DJANGO_REDIS_IGNORE_EXCEPTIONS = True
if os.environ.get("CERT_BENCH_CONN_MAX_AGE"):
    DATABASES["default"]["CONN_MAX_AGE"] = int(os.environ["CERT_BENCH_CONN_MAX_AGE"])  # noqa: F405
'''


def progress(message: str) -> None:
    from benchmarks.run import _progress

    _progress(message)


def load_average() -> str:
    from benchmarks.run import _load

    return _load()


def write_overlay(var_dir: str) -> None:
    """Write the settings overlay into ``var_dir`` and make it importable here."""
    Path(var_dir, f"{SETTINGS_MODULE}.py").write_text(_OVERLAY, encoding="utf-8")
    if var_dir not in sys.path:
        sys.path.insert(0, var_dir)


def environment(var_dir: str, *, db: str, db_name: str | None = None, broker: str = "",
                **extra: str) -> dict[str, str]:
    """The environment of the benchmark process and of every child it starts."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("CERT_PLUGIN_", "CELERY_", "CERT_BENCH_", "DEVHOST_"))}
    env.update({
        "DJANGO_SETTINGS_MODULE": SETTINGS_MODULE,
        "PYTHONPATH": os.pathsep.join([var_dir, str(ROOT)]),
        "DEVHOST_VAR_DIR": var_dir,  # one signing key, secret key and media folder for all
        "DEVHOST_DEBUG": "0",
        "CERT_PLUGIN_DB": db,
    })
    if db_name:
        env["CERT_PLUGIN_DB_NAME"] = db_name
    if broker:
        env["CELERY_BROKER_URL"] = broker
    env.update(extra)
    return env


def setup_django(env: dict[str, str]) -> None:
    """Configure this process like its children (``env``), then migrate the database."""
    for key in [key for key in os.environ if key.startswith(("CERT_PLUGIN_", "CELERY_", "CERT_BENCH_"))]:
        del os.environ[key]
    os.environ.update(env)
    import logging

    import django
    from django.core.management import call_command

    django.setup()
    logging.getLogger("cert_plugin").setLevel(logging.WARNING)
    call_command("migrate", verbosity=0, interactive=False)


# --------------------------------------------------------------------------------------- PostgreSQL


def _admin_connection() -> Any:
    import psycopg

    return psycopg.connect(dbname="postgres", autocommit=True, host=POSTGRES_HOST, port=POSTGRES_PORT,
                           user=POSTGRES_USER)


def postgres_available() -> str | None:
    """None when PostgreSQL answers on 127.0.0.1:5432, else why not."""
    try:
        with _admin_connection():
            return None
    except Exception as exc:  # noqa: BLE001  (psycopg raises several types; any means "not usable")
        return f"PostgreSQL on {POSTGRES_HOST}:{POSTGRES_PORT} is not reachable: {exc}"


@contextlib.contextmanager
def postgres_database(name: str) -> Iterator[str]:
    """A fresh PostgreSQL database ``name`` (an earlier run's leftover is dropped first), dropped after."""
    from psycopg import sql

    statement = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
    with _admin_connection() as connection:
        connection.execute(statement)
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield name
    finally:
        with contextlib.suppress(Exception):
            from django.db import connections

            connections.close_all()
        with _admin_connection() as connection:
            connection.execute(statement)


# --------------------------------------------------------------------------------------- Redis


def redis_available(url: str) -> str | None:
    try:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
        return None
    except Exception as exc:  # noqa: BLE001  (refused, timeout, auth: reported to the caller)
        return f"Redis at {url} is not reachable: {exc}"


def flush_redis(url: str) -> None:
    """Empty this Redis database (the run's own number: broker queues, cache keys)."""
    import redis

    redis.Redis.from_url(url).flushdb()


# --------------------------------------------------------------------------------------- processes


class Processes:
    """Child processes, each in its own process group, all stopped on exit (also on Ctrl-C).

    ``with Processes() as procs: procs.start([...], ...)``. SIGTERM to this process is turned into
    ``KeyboardInterrupt`` while inside, so ``kill <pid>`` cleans up too.
    """

    def __init__(self) -> None:
        self.children: list[subprocess.Popen[bytes]] = []
        self._previous: Any = None

    def __enter__(self) -> Processes:
        def interrupt(signum: int, frame: Any) -> None:
            raise KeyboardInterrupt(f"signal {signum}")

        self._previous = signal.signal(signal.SIGTERM, interrupt)
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            for child in reversed(self.children):
                self.stop(child)
        finally:
            signal.signal(signal.SIGTERM, self._previous)

    def start(self, command: list[str], *, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
        with open(log, "ab") as output:
            child = subprocess.Popen(command, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=output,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        self.children.append(child)
        return child

    def stop(self, child: subprocess.Popen[bytes], timeout: float = 20.0) -> None:
        """SIGTERM to the child's process group (a worker's pool, gunicorn's workers), then SIGKILL."""
        if child in self.children:
            self.children.remove(child)
        if child.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(child.pid, signal.SIGTERM)
        try:
            child.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(child.pid, signal.SIGKILL)
            child.wait(timeout=timeout)
        with contextlib.suppress(ProcessLookupError):  # a grandchild left behind by a dead parent
            os.killpg(child.pid, signal.SIGKILL)


class CpuMeter:
    """How busy the machine was while something ran, and how much of that was our processes.

    ``ours`` = this process plus every process in the process groups of ``procs`` (Celery workers
    and their pools, gunicorn and its workers). The rest ("others") is other people's work on a
    shared machine, plus the database and broker servers that serve us.
    """

    def __init__(self, procs: Processes) -> None:
        self.procs = procs
        self.start = self._snapshot()

    def _snapshot(self) -> tuple[float, float, float]:
        ticks = os.sysconf("SC_CLK_TCK")
        with open("/proc/stat", encoding="ascii") as stat:
            values = [int(value) for value in stat.readline().split()[1:]]
        idle = values[3] + values[4]  # idle + iowait
        busy = (sum(values[:8]) - idle) / ticks  # user..steal; guest time is already in user
        groups = {child.pid for child in self.procs.children}
        ours = 0
        for path in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = path.read_text().rsplit(")", 1)[1].split()
            except OSError:  # ended meanwhile
                continue
            if int(fields[2]) in groups:  # fields: state, ppid, pgrp, ..., [11] utime, [12] stime
                ours += int(fields[11]) + int(fields[12])
        own = os.times()
        return time.monotonic(), busy, ours / ticks + own.user + own.system

    def stop(self, extra: float = 0.0) -> CpuUse:
        """The machine's and our processes' CPU use since this meter started (1.0 = one CPU).

        ``extra``: CPU seconds of our own processes that ended meanwhile (e.g. wrk).
        """
        end = self._snapshot()
        wall = max(1e-9, end[0] - self.start[0])
        busy, ours = (end[1] - self.start[1]) / wall, (end[2] - self.start[2] + extra) / wall
        return CpuUse(busy=busy, ours=ours, cpus=os.cpu_count() or 1)


@dataclass(frozen=True)
class CpuUse:
    busy: float  # CPUs the whole machine kept busy (2.0 = both of 2)
    ours: float  # of which our processes
    cpus: int

    @property
    def others(self) -> float:
        return max(0.0, self.busy - self.ours)

    def __str__(self) -> str:
        return (f"machine {self.busy:.0%} busy (of {self.cpus * 100}%): our processes {self.ours:.0%}, "
                f"others {self.others:.0%}")


def wait_for(condition: Callable[[], bool], *, what: str, timeout: float = 120.0, interval: float = 0.2,
             log: Path | None = None, alive: subprocess.Popen[bytes] | None = None) -> None:
    """Poll ``condition`` until true; fail with ``what`` (and the log's tail) on timeout or child exit."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        if alive is not None and alive.poll() is not None:
            raise RuntimeError(f"the process exited ({alive.returncode}) while waiting for {what}"
                               + _tail(log))
        time.sleep(interval)
    raise RuntimeError(f"timed out after {timeout:.0f} s waiting for {what}" + _tail(log))


def _tail(log: Path | None, lines: int = 30) -> str:
    if log is None or not log.exists():
        return ""
    return "\n--- " + str(log) + "\n" + "\n".join(log.read_text(errors="replace").splitlines()[-lines:])


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# --------------------------------------------------------------------------------------- data


def make_course(key: str, *, title: str = "Python for Data Analysis", org: str = "Northwind") -> Any:
    """A course of the demo LMS with a certificate configured (the built-in default template)."""
    from cert_plugin import api
    from devhost.lms.models import Course

    course = Course.objects.create(course_key=key, title=title, org=org, passing_grade=0.6,
                                   hours=Decimal("12"))
    api.configure_course(key)
    return course


def make_learners(course: Any, count: int, *, prefix: str, email: bool = False) -> list[Any]:
    """``count`` enrolled learners with profile names, bulk-created (no password hashing)."""
    from django.contrib.auth import get_user_model

    from devhost.lms.models import Enrollment, Profile

    user_model = get_user_model()
    names = [f"{prefix}{i:06d}" for i in range(count)]
    user_model.objects.bulk_create([
        user_model(username=name, email=f"{name}@example.org" if email else "", password="!")
        for name in names])
    users = list(user_model.objects.filter(username__in=names).order_by("pk"))
    Profile.objects.bulk_create([Profile(user=user, full_name=f"Learner {user.username[len(prefix):]} "
                                                               "García López") for user in users])
    Enrollment.objects.bulk_create([Enrollment(user=user, course=course) for user in users])
    return users


def issue(users: list[Any], course_key: str) -> list[Any]:
    """Issue each learner a certificate through ``api.issue`` (the staff path: signature, audit, tasks)."""
    from cert_plugin import api

    return [api.issue(user, course_key) for user in users]


def slope(curve: Sequence[Sequence[Any]], *, warmup: int, per: int) -> float:
    """Least-squares growth, in MB per ``per`` steps, of a curve of ``(step, MB, ...)`` points, over
    the points from ``warmup`` on (``benchmarks.memory``, ``benchmarks.verify_file``)."""
    points = [(point[0], point[1]) for point in curve if point[0] >= warmup]
    if len(points) < 2:
        return 0.0
    mean_n = sum(n for n, _ in points) / len(points)
    mean_mb = sum(mb for _, mb in points) / len(points)
    num = sum((n - mean_n) * (mb - mean_mb) for n, mb in points)
    den = sum((n - mean_n) ** 2 for n, _ in points)
    return per * num / den if den else 0.0
