"""Test settings: the demo LMS (devhost) as host, database from CERT_PLUGIN_DB."""

import os
import tempfile

os.environ.setdefault("DEVHOST_VAR_DIR", tempfile.mkdtemp(prefix="cert-plugin-test-"))
# One fixed address, so what a test computes outside a request matches the pages it requests; the
# demo's own behaviour without it (the address of each request) is tested in tests/devhost.
os.environ.setdefault("DEVHOST_BASE_URL", "http://127.0.0.1:8000")

from devhost.settings import *  # noqa: F403
from devhost.settings import _DB, DATABASES

if _DB == "sqlite":
    DATABASES["default"]["TEST"] = {"NAME": os.path.join(os.environ["DEVHOST_VAR_DIR"], "test.sqlite3")}
# The browser tests' live server starts a thread per request, where Django's documentation advises
# against persistent connections (each thread's connection outlives its request unclosed); the
# demo keeps them for gunicorn, whose workers reuse theirs (benchmarks/load.py measures both).
DATABASES["default"]["CONN_MAX_AGE"] = 0

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
