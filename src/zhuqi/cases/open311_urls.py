"""Open311 GeoReport v2, mounted at /open311/v2/ by the root urls."""

from django.urls import re_path

from . import open311

app_name = "open311"

urlpatterns = [
    re_path(r"^services\.(?P<fmt>json|xml)$", open311.services, name="services"),
    re_path(
        r"^services/(?P<service_code>[\w-]+)\.(?P<fmt>json|xml)$",
        open311.service_definition,
        name="service",
    ),
    re_path(r"^requests\.(?P<fmt>json|xml)$", open311.requests_view, name="requests"),
    re_path(r"^requests/(?P<request_id>[\w-]+)\.(?P<fmt>json|xml)$", open311.request_detail, name="request"),
    # anything else (tokens/… included: requests are created synchronously) in the error format
    re_path(r"^(?P<path>.*)\.(?P<fmt>json|xml)$", open311.not_found),
    re_path(r"^(?P<path>.*)$", open311.not_found),
]
