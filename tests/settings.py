"""Test settings: the demo LMS (devhost) as host, database from CERT_PLUGIN_DB."""

import os
import tempfile

os.environ.setdefault("DEVHOST_VAR_DIR", tempfile.mkdtemp(prefix="cert-plugin-test-"))

from devhost.settings import *  # noqa: F403
from devhost.settings import _DB, DATABASES

if _DB == "sqlite":
    DATABASES["default"]["TEST"] = {"NAME": os.path.join(os.environ["DEVHOST_VAR_DIR"], "test.sqlite3")}

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
