"""The one scoped viewset base and the one API error helper."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from rest_framework import exceptions

from zhuqi.core.api import ScopedViewSetMixin, api_error, service_errors


def test_permission_denied_is_a_403_with_the_services_message():
    err = api_error(PermissionDenied("只有专班办公室可以分拨"))
    assert isinstance(err, exceptions.PermissionDenied) and err.detail == "只有专班办公室可以分拨"
    assert api_error(PermissionDenied()).detail == "无权操作"


def test_field_errors_keep_their_fields_and_a_plain_error_is_one_detail():
    err = api_error(ValidationError({"reason": "请填写出库原因"}))
    assert isinstance(err, exceptions.ValidationError) and err.detail == {"reason": ["请填写出库原因"]}
    assert api_error(ValidationError("请先填写答复")).detail == {"detail": "请先填写答复"}


def test_service_errors_translates_and_lets_other_errors_through():
    with pytest.raises(exceptions.ValidationError), service_errors():
        raise ValidationError("不对")
    with pytest.raises(KeyError), service_errors():
        raise KeyError("x")


def test_every_model_viewset_starts_from_the_scoped_base():
    from zhuqi import api_urls  # noqa: F401 - registers every app's viewsets
    from zhuqi.api_urls import router

    model_viewsets = [vs for _, vs, _ in router.registry if hasattr(vs, "get_object")]
    assert model_viewsets and all(issubclass(vs, ScopedViewSetMixin) for vs in model_viewsets)
