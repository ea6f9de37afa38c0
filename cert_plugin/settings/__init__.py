"""Settings that Open edX merges into the LMS/CMS through ``plugin_app``."""
