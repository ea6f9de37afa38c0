"""Stand-in for the Studio settings module that Tutor renders into the image, ``cms/envs/tutor/production.py``
(DJANGO_SETTINGS_MODULE ``cms.envs.tutor.production``), from overhangio/tutor's
tutor/templates/apps/openedx/settings/cms/production.py and partials/common_all.py.

As there: everything of ``cms.envs.production``, then Tutor's settings with the
operators' "openedx-common-settings" patch last: the same partial ``CERT_PLUGIN``
dict as the LMS gets.
"""

from cms.envs.production import *  # noqa: F403

####### Settings common to LMS and CMS (partials/common_all.py)
CONTACT_MAILING_ADDRESS = "Northwind Academy - https://lms.northwind.example"
X_FRAME_OPTIONS = "SAMEORIGIN"

# {{ patch("openedx-common-settings") }}: the operator's plugin settings
CERT_PLUGIN = {
    "VERIFY_RATE": "10/m",
}
######## End of settings common to LMS and CMS

ALLOWED_HOSTS = [
    ENV_TOKENS.get("CMS_BASE"),  # noqa: F405
    "cms",
]
