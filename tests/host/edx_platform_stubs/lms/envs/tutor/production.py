"""Stand-in for the LMS settings module that Tutor renders into the image, ``lms/envs/tutor/production.py``
(DJANGO_SETTINGS_MODULE ``lms.envs.tutor.production``), from overhangio/tutor's
tutor/templates/apps/openedx/settings/lms/production.py and partials/common_all.py.

As there: everything of ``lms.envs.production`` (so every plugin's COMMON and
PRODUCTION settings have run), then Tutor's own settings, then the operators'
patches ("openedx-common-settings", "openedx-lms-common-settings",
"openedx-lms-production-settings") - last of all. Tutor's many settings are cut
down to a few of the same kind; the patch below is an operator's partial
``CERT_PLUGIN`` dict, assigned whole, as the README's Tutor snippet renders.
"""

from lms.envs.production import *  # noqa: F403

####### Settings common to LMS and CMS (partials/common_all.py)
CONTACT_MAILING_ADDRESS = "Northwind Academy - https://lms.northwind.example"
X_FRAME_OPTIONS = "SAMEORIGIN"

# {{ patch("openedx-common-settings") }}: the operator's plugin settings
CERT_PLUGIN = {
    "VERIFY_RATE": "10/m",
}
######## End of settings common to LMS and CMS

ALLOWED_HOSTS = [
    ENV_TOKENS.get("LMS_BASE"),  # noqa: F405
    "lms",
]
