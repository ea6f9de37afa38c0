"""Stand-in for edx-platform ``openedx/core/djangoapps/user_api/preferences/api.py``.

``get_user_preference(requesting_user, preference_key, username=None)`` reads
``_PREFERENCES`` instead of ``UserPreference`` rows: None when unset, and
``UserNotAuthorized`` when a non-staff user asks for someone else's.
"""

_PREFERENCES = {}  # (username, preference key) -> str


class UserNotAuthorized(Exception):
    pass


def get_user_preference(requesting_user, preference_key, username=None):
    if username is None:
        username = requesting_user.username
    if requesting_user.username != username and not requesting_user.is_staff:
        raise UserNotAuthorized()
    return _PREFERENCES.get((username, preference_key))


def set_user_preference(requesting_user, preference_key, value, username=None):
    _PREFERENCES[(username or requesting_user.username, preference_key)] = value
