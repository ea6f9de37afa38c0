"""URLs of the demo LMS: admin, login/logout, the LMS pages and cert_plugin at the site root."""

from importlib.util import find_spec

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.staticfiles.views import serve as serve_static
from django.urls import include, path, re_path, reverse_lazy

urlpatterns = [
    path("admin/", admin.site.urls),
    path("login/", auth_views.LoginView.as_view(template_name="devhost_lms/login.html",
                                                 redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(next_page=reverse_lazy("login")), name="logout"),
    path("", include("devhost.lms.urls")),
]

# Mounted the way the Open edX plugin system mounts it (namespace ``cert_plugin``, site root).
if find_spec("cert_plugin.urls") is not None:
    urlpatterns.append(path("", include(("cert_plugin.urls", "cert_plugin"), namespace="cert_plugin")))

# With DEBUG off (the default), runserver no longer serves static files: the demo serves them itself
# (from the apps' static folders, as with DEBUG; never a production setup).
if not settings.DEBUG:
    urlpatterns.insert(0, re_path(r"^static/(?P<path>.*)$", serve_static, {"insecure": True}))
