"""URLs of the demo LMS: admin, login/logout, the LMS pages and cert_plugin at the site root."""

from importlib.util import find_spec

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, reverse_lazy

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
