"""Stand-in for edx-platform ``openedx/core/djangoapps/lang_pref/__init__.py``."""

# this is the UserPreference key for the user's preferred language
LANGUAGE_KEY = "pref-lang"
