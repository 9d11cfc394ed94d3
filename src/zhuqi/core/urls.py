from django.urls import path

from . import views

app_name = "core"

urlpatterns = [
    path("regions/", views.region_list, name="region_list"),
    path("regions/<int:pk>/", views.region_detail, name="region_detail"),
    path("departments/", views.department_list, name="department_list"),
    path("departments/<int:pk>/", views.department_detail, name="department_detail"),
    path("people/", views.user_list, name="user_list"),
    path("people/<int:pk>/", views.user_detail, name="user_detail"),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/read/", views.inbox_read, name="inbox_read"),
    path("inbox/<int:pk>/", views.notification_open, name="notification_open"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment_download"),
    path("attach/<str:label>/<str:pk>/", views.attachment_add, name="attachment_add"),
    path("comment/<str:label>/<str:pk>/", views.comment_add, name="comment_add"),
    path("audit/", views.audit_list, name="audit_list"),
    path("docs/<slug:name>/", views.doc_page, name="doc"),
]

# 用户管理: officials' accounts, locked accounts (zhuqi.core.views_accounts)
from . import views_accounts  # noqa: E402

urlpatterns += views_accounts.account_urls()

# The one import flow: every registered importer of every app (see zhuqi.core.imports)
from . import views_import  # noqa: E402

urlpatterns += [
    path("import/", views_import.import_index, name="import_index"),
    path("import/<slug:kind>/", views_import.import_view, name="import"),
    path("import/<slug:kind>/template/", views_import.import_template, name="import_template"),
    path("import/<slug:kind>/jobs/<int:pk>/", views_import.import_job, name="import_job"),
]

# Large Excel exports written in the background (see zhuqi.core.exports)
from . import views_export  # noqa: E402

urlpatterns += [
    path("exports/", views_export.export_list, name="export_list"),
    path("exports/<int:pk>/", views_export.export_job, name="export_job"),
    path("exports/<int:pk>/download/", views_export.export_download, name="export_download"),
]

# 系统设置 (configuration pages; apps add theirs to the index with core.menu.register_setting)
from . import views_settings  # noqa: E402

urlpatterns += [
    path("settings/", views_settings.settings_index, name="settings"),
    path("settings/regions/", views_settings.region_settings, name="settings_regions"),
    path("settings/regions/<int:pk>/", views_settings.region_setting, name="settings_region"),
    path("settings/departments/", views_settings.department_settings, name="settings_departments"),
    path("settings/departments/<int:pk>/", views_settings.department_setting, name="settings_department"),
    path("settings/holidays/", views_settings.holiday_settings, name="settings_holidays"),
]
