"""Core REST API: regions, departments, users, notifications. Scoped like the pages."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field, inline_serializer
from rest_framework import exceptions, mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from . import permissions, services
from .models import Department, Notification, Region, User


class ScopedViewSetMixin:
    """The one base of every model viewset: rows start from `Model.objects.visible_to(user)`.

    `queryset` holds the rows before scope (with their select_related); `get_queryset` narrows
    it to the caller's scope, so outside scope answers 404. A model without a scope of its own
    names the field leading to the scoped row it belongs to in `scope_through` (an approval
    step is visible when its project is). Reference data every signed-in user may read (case
    categories) sets `scoped = False`. Subclasses refine with `super().get_queryset()`, never
    by starting again from `Model.objects`."""

    queryset = None
    scope_through: str | None = None
    scoped = True
    #: viewset action → the permission-matrix action whose role part it needs, checked before
    #: the payload is read: a role the matrix refuses gets 403 (404 for a row outside its scope),
    #: never field errors about rows it cannot see (`{"create": "enterprises.edit"}`); the
    #: service still checks scope and objects
    write_actions: dict[str, str] = {}

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)  # type: ignore[misc]
        needed = self.write_actions.get(getattr(self, "action", None) or "")
        if needed and not permissions.allowed(request.user, needed):
            if (self.lookup_url_kwarg or self.lookup_field) in self.kwargs:  # type: ignore[attr-defined]
                self.get_object()  # type: ignore[attr-defined]  # a row outside scope: 404 first
            try:
                permissions.require(request.user, needed)
            except DjangoPermissionDenied as exc:
                raise exceptions.PermissionDenied(str(exc)) from exc
        if request.method in ("POST", "PUT", "PATCH") and not isinstance(request.data, dict):
            # a JSON list, string or null where the operation takes an object
            raise exceptions.ParseError(_("请求体须为 JSON 对象"))

    def get_queryset(self):
        qs = self.queryset.all()
        if getattr(self, "swagger_fake_view", False):  # drf-spectacular reads the model only
            return qs.none()
        user = self.request.user
        if not self.scoped:
            return qs
        if self.scope_through:
            parent = qs.model._meta.get_field(self.scope_through).related_model
            return qs.filter(**{f"{self.scope_through}__in": parent.objects.visible_to(user)})
        return qs.visible_to(user)


@extend_schema_field(OpenApiTypes.INT)
class VisibleRef(serializers.PrimaryKeyRelatedField):
    """The one way a write names another row: its id, looked up among the rows the caller may
    see (`Model.objects.visible_to(user)`, narrowed by `filter`). A row outside scope is refused
    with exactly the message of a row that does not exist (DRF's "invalid pk"), so a write
    cannot reach, or probe, another county's people, departments, enterprises or projects.
    `VisibleRef(User, filter={"is_active": True})`; `many=True` for a list of ids; `related`:
    rows loaded with it (`select_related`) because the write reads them.
    Reference data every signed-in user reads (case categories, industries, tags) keeps DRF's
    plain field; `tests/core/test_scoped_writes.py` fails on any other reference that is not
    a VisibleRef."""

    def __init__(
        self,
        model,
        *,
        filter: dict | None = None,
        exclude: dict | None = None,
        related: tuple[str, ...] = (),
        **kwargs,
    ):
        self.model = model
        self.filter = filter or {}
        self.exclude = exclude or {}
        self.related = related
        super().__init__(**kwargs)

    def get_queryset(self):
        request = self.context.get("request")
        if request is None:  # no caller, no rows: a serializer built without its request refuses all
            return self.model.objects.none()
        qs = self.model.objects.visible_to(request.user)
        if self.filter:
            qs = qs.filter(**self.filter)
        if self.exclude:
            qs = qs.exclude(**self.exclude)
        if self.related:
            qs = qs.select_related(*self.related)
        return qs


def api_error(exc: DjangoValidationError | DjangoPermissionDenied) -> exceptions.APIException:
    """The DRF error for a service's refusal: PermissionDenied → 403, ValidationError → 400 with
    the field messages (`{"field": [...]}`) or one `detail` message."""
    if isinstance(exc, DjangoPermissionDenied):
        return exceptions.PermissionDenied(str(exc) or _("无权操作"))
    if hasattr(exc, "error_dict"):
        return exceptions.ValidationError(exc.message_dict)
    return exceptions.ValidationError({"detail": "；".join(exc.messages)})


@contextlib.contextmanager
def service_errors() -> Iterator[None]:
    """`with service_errors(): services.x(...)`: a service's refusal becomes its DRF error."""
    try:
        yield
    except (DjangoValidationError, DjangoPermissionDenied) as exc:
        raise api_error(exc) from exc


class RegionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Region
        fields = ["id", "code", "name", "kind", "parent", "path", "depth"]
        read_only_fields = fields  # output only: no write names a row through it


class DepartmentSerializer(serializers.ModelSerializer):
    region_name = serializers.CharField(source="region.name", read_only=True)

    class Meta:
        model = Department
        fields = ["id", "name", "short_name", "kind", "region", "region_name", "phone", "is_active"]
        read_only_fields = fields  # output only: no write names a row through it


class UserSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "username", "full_name", "role", "region", "department", "title", "is_active"]
        read_only_fields = fields  # output only: no write names a row through it


class NotificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = ["id", "title", "body", "url", "level", "created_at", "read_at"]


class RegionViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    queryset = Region.objects.all()
    serializer_class = RegionSerializer
    filterset_fields = ["kind", "parent"]
    search_fields = ["name", "code"]


class DepartmentViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    queryset = Department.objects.select_related("region")
    serializer_class = DepartmentSerializer
    filterset_fields = ["kind", "region"]
    search_fields = ["name", "short_name"]


class UserViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    queryset = User.objects.filter(is_active=True)
    serializer_class = UserSerializer
    filterset_fields = ["role", "region", "department"]
    search_fields = ["full_name", "username"]


MARKED = inline_serializer(
    "Marked", {"marked": serializers.IntegerField(help_text="notifications marked as read")}
)


class NotificationViewSet(
    ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    queryset = Notification.objects.all()
    serializer_class = NotificationSerializer
    filterset_fields = ["read_at"]

    @extend_schema(request=None, responses=MARKED)
    @action(detail=False, methods=["post"])
    def read_all(self, request):
        return Response({"marked": services.mark_read(request.user)})

    @extend_schema(request=None, responses=MARKED)
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        note = self.get_object()  # 404 for a notification not the caller's, or an id that is no number
        return Response({"marked": services.mark_read(request.user, [note.pk])})


def register(router) -> None:
    router.register("regions", RegionViewSet, basename="region")
    router.register("departments", DepartmentViewSet, basename="department")
    router.register("users", UserViewSet, basename="user")
    router.register("notifications", NotificationViewSet, basename="notification")
