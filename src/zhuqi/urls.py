from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from zhuqi.core import health, metrics, views_accounts
from zhuqi.core import views as core_views

admin.site.site_header = _("zhuqi 助企 · 系统管理")
admin.site.site_title = _("zhuqi 助企")
admin.site.index_title = _("系统管理")

handler400 = "zhuqi.core.errors.bad_request"
handler403 = "zhuqi.core.errors.permission_denied"
handler404 = "zhuqi.core.errors.page_not_found"
handler500 = "zhuqi.core.errors.server_error"

urlpatterns = [
    path("", core_views.home, name="home"),
    # browsers ask for /favicon.ico on pages without a <link rel="icon"> (JSON, files)
    path("favicon.ico", RedirectView.as_view(url=settings.STATIC_URL + "zhuqi/favicon.svg", permanent=True)),
    path("account/login/", core_views.LoginView.as_view(), name="login"),
    path("account/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/2fa/", core_views.second_factor, name="second_factor"),
    path("account/password/", views_accounts.PasswordChangeView.as_view(), name="password_change"),
    path("account/forgot/", views_accounts.forgot_password, name="forgot_password"),
    path(
        "account/set-password/<str:uidb64>/<str:token>/", views_accounts.password_link, name="password_link"
    ),
    path("i18n/", include("django.conf.urls.i18n")),
    path("core/", include("zhuqi.core.urls")),
    path("enterprises/", include("zhuqi.enterprises.urls")),
    path("assistance/", include("zhuqi.assistance.urls")),
    path("cases/", include("zhuqi.cases.urls")),
    path("projects/", include("zhuqi.projects.urls")),
    path("indicators/", include("zhuqi.indicators.urls")),
    path("mu/", include("zhuqi.mu.urls")),
    path("attraction/", include("zhuqi.attraction.urls")),
    path("oversight/", include("zhuqi.oversight.urls")),
    path("cockpit/", include("zhuqi.cockpit.urls")),
    path("policies/", include("zhuqi.policies.urls")),
    path("api/v1/", include("zhuqi.api_urls")),
    path("open311/v2/", include("zhuqi.cases.open311_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("admin/", admin.site.urls),
    # no login: the load balancer and the monitor (docs/operations.md, "Health and metrics")
    path("healthz", health.HealthView.as_view(), name="healthz"),
    path("healthz/web", health.HealthView.as_view(web_only=True), name="healthz_web"),
    path("metrics", metrics.metrics, name="metrics"),
]
# Uploaded files are never served as public files, not even with DEBUG on: attachments go
# through core:attachment_download, which checks the viewer's scope.
