"""User roles and the named sets of roles the code checks against.

Compare a user's role with these names, never with a string literal:
`user.role in DEPARTMENT_ROLES`, `User.objects.filter(role=Role.DISPATCH)`.

`Role` lives here, not in `core.models` (which re-exports it), so that `core.scope`, which
`core.models` imports, can use it too. The sets are module constants rather than attributes
of `Role` because mypy (with django-stubs) reads any attribute of an imported `TextChoices`
as a member.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """What a user does on the platform; decides their home page, menu and data scope."""

    ADMIN = "admin", _("系统管理员")
    DISPATCH = "dispatch", _("专班办公室")
    LEADER = "leader", _("县级领导")
    DEPT_HEAD = "dept_head", _("部门负责人")
    HANDLER = "handler", _("部门经办人")
    COMMISSIONER = "commissioner", _("首席服务专员")
    GRID = "grid", _("网格员")
    SUPERVISOR = "supervisor", _("督查")
    OBSERVER = "observer", _("观察员")
    ENTERPRISE = "enterprise", _("企业用户")


#: every role
ALL_ROLES: frozenset[str] = frozenset(Role)
#: government officials: everyone but enterprise staff
OFFICIAL_ROLES: frozenset[str] = ALL_ROLES - {Role.ENTERPRISE}
#: the dispatch office (专班) and system administrators: they edit the registries, routing rules
#: and imports, create projects and organise 三个一批 campaigns
MANAGER_ROLES: frozenset[str] = frozenset({Role.ADMIN, Role.DISPATCH})
#: a department's own people, whose work is their department's inbox
DEPARTMENT_ROLES: frozenset[str] = frozenset({Role.DEPT_HEAD, Role.HANDLER})
#: people who act for a department, the dispatch office being a department too
DEPARTMENT_ACTOR_ROLES: frozenset[str] = DEPARTMENT_ROLES | {Role.DISPATCH}
#: roles whose data scope is their Region subtree (a department role: its department's region);
#: the others see everything (admin), their assignments (commissioner) or their own enterprise
REGION_SCOPED_ROLES: frozenset[str] = frozenset(
    {Role.DISPATCH, Role.LEADER, Role.SUPERVISOR, Role.OBSERVER, Role.DEPT_HEAD, Role.HANDLER, Role.GRID}
)
