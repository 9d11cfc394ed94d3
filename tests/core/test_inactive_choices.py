"""A deactivated region or department (系统设置) is offered in no picker of another form; an
existing object that already points to one keeps it selectable, so its edit still saves."""

from __future__ import annotations

import pytest

from tests.projects.conftest import make_project
from zhuqi.enterprises.forms import EnterpriseForm
from zhuqi.projects.forms import ProjectForm

pytestmark = pytest.mark.django_db


def test_enterprise_form_offers_no_deactivated_region(world):
    world.grid2.is_active = False
    world.grid2.save()
    regions = EnterpriseForm(user=world.alice).fields["region"].queryset
    assert world.grid in regions and world.grid2 not in regions
    form = EnterpriseForm({"name": "新企业", "region": world.grid2.pk}, user=world.alice)
    assert not form.is_valid() and "region" in form.errors
    # an enterprise already registered in the deactivated grid keeps it on its edit form
    kept = EnterpriseForm(initial={"region": world.grid2}, user=world.alice).fields["region"].queryset
    assert world.grid2 in kept


def test_project_form_offers_no_deactivated_department_or_region(world):
    project = make_project(world, department=world.zrzy, region=world.town)
    world.jxj.is_active = False
    world.jxj.save()
    world.park.is_active = False
    world.park.save()
    new = ProjectForm(user=world.alice)
    assert world.jxj not in new.fields["department"].queryset
    assert world.zrzy in new.fields["department"].queryset
    assert world.park not in new.fields["region"].queryset
    # the project's own values stay selectable once deactivated
    world.zrzy.is_active = False
    world.zrzy.save()
    world.town.is_active = False
    world.town.save()
    edit = ProjectForm(instance=project, user=world.alice)
    assert world.zrzy in edit.fields["department"].queryset
    assert world.town in edit.fields["region"].queryset
    assert world.jxj not in edit.fields["department"].queryset
