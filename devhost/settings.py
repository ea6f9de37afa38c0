"""Settings of the demo LMS (devhost). Not shipped in the wheel.

The database is chosen with ``CERT_PLUGIN_DB`` = ``sqlite`` (default),
``mysql`` (MariaDB on 127.0.0.1:3306, database ``test``) or ``postgres``
(127.0.0.1:5432, database ``test``). Celery goes to ``CELERY_BROKER_URL`` when
that variable is set; otherwise tasks run in-process after commit.
"""

import os
from pathlib import Path

from devhost.base_url import DEFAULT as BASE_URL_DEFAULT
from devhost.base_url import RequestBaseUrl

BASE_DIR = Path(__file__).resolve().parent.parent
# The MFE harness (devhost/lms/mfe_harness.py): built by `npm run build` in frontend/.
MFE_HARNESS_DIR = Path(os.environ.get("DEVHOST_MFE_HARNESS_DIR", BASE_DIR / "frontend" / "build" / "harness"))
VAR_DIR = Path(os.environ.get("DEVHOST_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    """Generated once per checkout and kept out of git (var/ is ignored)."""
    path = VAR_DIR / "secret_key"
    if not path.exists():
        import secrets

        path.write_text(secrets.token_urlsafe(50))
    return path.read_text().strip()


SECRET_KEY = os.environ.get("DEVHOST_SECRET_KEY") or _secret_key()
# Off unless asked (DEVHOST_DEBUG=1): a debug 404 lists every URL pattern, a debug 500 the settings.
DEBUG = os.environ.get("DEVHOST_DEBUG", "0") == "1"
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "waffle",  # edx-completion records completions only when its waffle switch is on
    "eventtracking.django.apps.EventTrackingConfig",  # edx-completion emits tracking logs
    "completion",
    "devhost.lms",
    "cert_plugin",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # What cert_plugin's plugin_settings appends in Open edX: a 503 page (or JSON) when the
    # database connection is lost inside one of the plugin's views.
    "cert_plugin.middleware.DatabaseUnavailableMiddleware",
    # Without DEVHOST_BASE_URL, links and QR codes use the address the demo is browsed at.
    "devhost.base_url.middleware",
]

ROOT_URLCONF = "devhost.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]
WSGI_APPLICATION = "devhost.wsgi.application"

_DB = os.environ.get("CERT_PLUGIN_DB", "sqlite")
# Persistent connections, as production should run: a new connection per request costs about a
# fifth of a verify request (benchmarks/results-load.md measures both). The health check makes a
# connection the server dropped meanwhile (a restart, wait_timeout) a new one, never an error.
_PERSISTENT = {"CONN_MAX_AGE": 60, "CONN_HEALTH_CHECKS": True}
if _DB == "mysql":
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.mysql",
            "NAME": os.environ.get("CERT_PLUGIN_DB_NAME", "test"),
            "USER": "root",
            "PASSWORD": "",
            "HOST": "127.0.0.1",
            "PORT": "3306",
            "OPTIONS": {"charset": "utf8mb4"},
            "TEST": {"CHARSET": "utf8mb4", "COLLATION": "utf8mb4_unicode_ci"},
            **_PERSISTENT,
        }
    }
elif _DB == "postgres":
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": os.environ.get("CERT_PLUGIN_DB_NAME", "test"),
            "USER": "postgres",
            "HOST": "127.0.0.1",
            "PORT": "5432",
            **_PERSISTENT,
        }
    }
elif _DB == "sqlite":
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("CERT_PLUGIN_DB_NAME", str(VAR_DIR / "devhost.sqlite3")),
            "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE"},
            "CONN_MAX_AGE": _PERSISTENT["CONN_MAX_AGE"],
        }
    }
else:
    raise RuntimeError(f"CERT_PLUGIN_DB must be sqlite, mysql or postgres, not {_DB!r}")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_PASSWORD_VALIDATORS = []
LANGUAGE_CODE = "en"
# The languages the demo offers; LocaleMiddleware picks one from the browser's Accept-Language.
# Only languages the plugin has a complete catalogue for (tests/integration/test_i18n.py checks it):
# a page in a language the plugin cannot speak would be English sentences laid out for another
# script. Arabic is the right-to-left one.
LANGUAGES = [("en", "English"), ("pt-br", "Português (Brasil)"), ("ar", "العربية")]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"
LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/"

# edx-completion's submit_completion() does nothing unless the switch
# "completion.enable_completion_tracking" is on (every Open edX site that tracks
# completion turns it on). The demo has no other waffle switches, so default them on;
# a row in the waffle admin can still turn it off.
WAFFLE_SWITCH_DEFAULT = True

# edx-completion writes a tracking log per completion, as in Open edX; the demo keeps them in memory.
EVENT_TRACKING_ENABLED = True
EVENT_TRACKING_BACKENDS = {}

# No mail server in the demo: emails go to the Mailbox page (/mailbox/) and a line on the console.
EMAIL_BACKEND = os.environ.get("DEVHOST_EMAIL_BACKEND", "devhost.lms.mail.MailboxBackend")
DEFAULT_FROM_EMAIL = "Northwind Learning <no-reply@northwind.example>"

CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND", "") or None
# `celery -A devhost beat`: the relay sends tasks that a broker outage left in cert_plugin's outbox.
CELERY_BEAT_SCHEDULE = {
    "cert-plugin-relay-outbox": {"task": "cert_plugin.tasks.relay_outbox", "schedule": 60.0},
}

def _demo_keys() -> tuple[str, str, dict[str, str]]:
    """The demo's own signing keys, generated on first start into var/ (never committed).

    An Ed25519 key signs certificate snapshots and credentials; a P-256 key signs
    ES256 VC-JWTs (what 1EdTech's validator checks); a self-signed ECDSA
    certificate in a PKCS#12 file signs the PDFs (PAdES). A real institution
    configures its own keys and a certificate from a CA its verifiers trust.
    """
    import secrets

    from cert_plugin.credentials import keys

    signing_key = keys.ensure_file(VAR_DIR / "signing_key.pem", keys.generate_ed25519_pem).read_text()
    p256_key = keys.ensure_file(VAR_DIR / "signing_key_p256.pem", keys.generate_p256_pem).read_text()
    passphrase = keys.ensure_file(VAR_DIR / "pdf-signing.pass", lambda: secrets.token_urlsafe(24)).read_text()
    pkcs12 = VAR_DIR / "pdf-signing.p12"
    if not pkcs12.exists() or not _readers_accept(pkcs12, passphrase):
        keys.write_self_signed_pkcs12(pkcs12, common_name="Northwind Institute of Technology (demo)",
                                      organization="Northwind Institute of Technology", passphrase=passphrase)
    return signing_key, p256_key, {"PKCS12": str(pkcs12), "PASSPHRASE": passphrase}


def _readers_accept(pkcs12: Path, passphrase: str) -> bool:
    """Whether a demo certificate made before issue 15 (document signing as its only purpose, which
    NSS-based PDF readers reject) must be made again: emailProtection among its purposes."""
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import pkcs12 as p12

    try:
        _, certificate, _ = p12.load_key_and_certificates(pkcs12.read_bytes(), passphrase.encode())
        usages = certificate.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except (ValueError, x509.ExtensionNotFound, AttributeError):
        return False
    return x509.oid.ExtendedKeyUsageOID.EMAIL_PROTECTION in usages


_SIGNING_KEY, _P256_SIGNING_KEY, _PDF_SIGNING = _demo_keys()

# The demo's address in QR codes, emails and links: DEVHOST_BASE_URL when set; otherwise the address
# of each request, and http://127.0.0.1:8000 (make demo's) outside a request (devhost/base_url.py).
_BASE_URL = os.environ.get("DEVHOST_BASE_URL", "").rstrip("/")
CERT_PLUGIN = (dict if _BASE_URL else RequestBaseUrl)({
    "HOST": "devhost.lms.host.DevHost",
    "BASE_URL": _BASE_URL or BASE_URL_DEFAULT,
    "ISSUER_NAME": "Northwind Institute of Technology",
    "SIGNING_KEY": _SIGNING_KEY,
    "P256_SIGNING_KEY": _P256_SIGNING_KEY,
    "CREDENTIAL_ALGORITHMS": ["EdDSA", "ES256"],
    "PDF_SIGNING": _PDF_SIGNING,
})

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"cert_plugin": {"handlers": ["console"], "level": "INFO"},
                "devhost.mail": {"handlers": ["console"], "level": "INFO"}},
}
