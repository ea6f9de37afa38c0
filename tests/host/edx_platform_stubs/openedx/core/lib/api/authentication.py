"""Stand-in for openedx/core/lib/api/authentication.py (openedx/openedx-platform).

edx-completion's REST views list ``BearerAuthenticationAllowInactiveUser``
among their authentication classes; the boot tests load those URLs. Same class
names and hierarchy (DRF authentication classes); the platform checks an OAuth2
bearer token against django-oauth-toolkit, this stand-in recognises none.
"""

from rest_framework.authentication import BaseAuthentication


class BearerAuthentication(BaseAuthentication):
    """OAuth2 bearer-token authentication; here no token is ever valid (no django-oauth-toolkit)."""

    www_authenticate_realm = "api"
    allow_inactive_users = False

    def authenticate(self, request):
        return None

    def authenticate_header(self, request):
        return f'Bearer realm="{self.www_authenticate_realm}"'


class BearerAuthenticationAllowInactiveUser(BearerAuthentication):
    """The same, for endpoints that users whose email is not verified yet may use."""

    allow_inactive_users = True
