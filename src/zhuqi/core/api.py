"""Core REST API: regions, departments, users, notifications. Scoped like the pages."""

from __future__ import annotations

from django.http import Http404
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from . import services
from .models import Department, Notification, Region, User


class ScopedViewSetMixin:
    """Every viewset starts from Model.objects.visible_to(request.user)."""

    queryset_base = None

    def get_queryset(self):
        return self.queryset_base.visible_to(self.request.user)


class RegionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Region
        fields = ["id", "code", "name", "kind", "parent", "path", "depth"]


class DepartmentSerializer(serializers.ModelSerializer):
    region_name = serializers.CharField(source="region.name", read_only=True)

    class Meta:
        model = Department
        fields = ["id", "name", "short_name", "kind", "region", "region_name", "phone", "is_active"]


class UserSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "username", "full_name", "role", "region", "department", "title", "is_active"]


class NotificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = ["id", "title", "body", "url", "level", "created_at", "read_at"]


class RegionViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    queryset_base = Region.objects.all()
    serializer_class = RegionSerializer
    filterset_fields = ["kind", "parent"]
    search_fields = ["name", "code"]


class DepartmentViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    queryset_base = Department.objects.select_related("region")
    serializer_class = DepartmentSerializer
    filterset_fields = ["kind", "region"]
    search_fields = ["name", "short_name"]


class UserViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    queryset_base = User.objects.filter(is_active=True)
    serializer_class = UserSerializer
    filterset_fields = ["role", "region", "department"]
    search_fields = ["full_name", "username"]


class NotificationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = NotificationSerializer
    filterset_fields = ["read_at"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Notification.objects.none()
        return Notification.objects.filter(recipient=self.request.user)

    @action(detail=False, methods=["post"])
    def read_all(self, request):
        return Response({"marked": services.mark_read(request.user)})

    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        if not self.get_queryset().filter(pk=pk).exists():
            raise Http404
        return Response({"marked": services.mark_read(request.user, [pk])})


def register(router) -> None:
    router.register("regions", RegionViewSet, basename="region")
    router.register("departments", DepartmentViewSet, basename="department")
    router.register("users", UserViewSet, basename="user")
    router.register("notifications", NotificationViewSet, basename="notification")
