"""Shared fixtures: named personas in two counties and every role, a blocked network, fast
password hashing, media in a temporary folder."""

from __future__ import annotations

import socket

import pytest

from zhuqi.core.models import Department, Region, Role, User

PASSWORD = "Test#Passw0rd"


@pytest.fixture(autouse=True)
def _settings(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.ZHUQI_AUDIT_CHECKPOINT_FILE = str(tmp_path / "audit-checkpoints.jsonl")
    settings.NOTIFY_CHANNELS = ["zhuqi.core.channels.ConsoleChannel"]
    settings.ZHUQI_ADMIN_2FA = False


@pytest.fixture(autouse=True)
def _fresh_work_calendar():
    """Calendar overrides are cached per process; a rolled-back test must not leak them."""
    from zhuqi.core import workcalendar

    workcalendar.invalidate()
    yield
    workcalendar.invalidate()


_real_connect = socket.socket.connect


def _guarded_connect(self, address):
    host = address[0] if isinstance(address, tuple) else address
    if isinstance(host, str) and not (
        host.startswith("127.") or host in {"localhost", "::1"} or host.startswith("/")
    ):
        raise OSError(f"network blocked in tests: {address!r}")
    return _real_connect(self, address)


@pytest.fixture(autouse=True)
def _fresh_versioned_caches():
    """Configuration kept per process (`core.versions`): a flush between transactional tests
    deletes rows without the signals that announce an edit."""
    from zhuqi.core import versions

    versions.clear_all()
    yield
    versions.clear_all()


@pytest.fixture(autouse=True)
def _default_language():
    """A test that switches the interface to English (the language cookie, `activate`) must not
    leave English active for the tests after it in the same process."""
    from django.utils import translation

    yield
    translation.activate("zh-hans")


@pytest.fixture(autouse=True)
def _no_network(monkeypatch):
    monkeypatch.setattr(socket.socket, "connect", _guarded_connect)


class World:
    """Two counties of one city, with a person in every role in each."""

    def __init__(self):
        self.province = Region.objects.create(code="41", name="河南省", kind="province")
        self.city = Region.objects.create(code="4102", name="开封市", kind="city", parent=self.province)
        self.county = Region.objects.create(code="410223", name="尉氏县", kind="county", parent=self.city)
        self.town = Region.objects.create(code="410223100", name="城关镇", kind="town", parent=self.county)
        self.park = Region.objects.create(code="410223P1", name="尉氏经开区", kind="park", parent=self.county)
        self.grid = Region.objects.create(
            code="410223P1G1", name="经开区一网格", kind="grid", parent=self.park
        )
        self.grid2 = Region.objects.create(
            code="410223P1G2", name="经开区二网格", kind="grid", parent=self.park
        )
        self.other_county = Region.objects.create(
            code="410222", name="通许县", kind="county", parent=self.city
        )
        self.other_grid = Region.objects.create(
            code="410222G1", name="通许一网格", kind="grid", parent=self.other_county
        )

        self.dispatch_office = Department.objects.create(
            name="尉氏县助企专班", kind="dispatch_office", region=self.county
        )
        self.jxj = Department.objects.create(name="尉氏县工信局", short_name="工信局", region=self.county)
        self.zrzy = Department.objects.create(
            name="尉氏县自然资源局", short_name="自然资源局", region=self.county
        )
        self.power = Department.objects.create(name="尉氏县供电公司", kind="external", region=self.county)
        self.other_jxj = Department.objects.create(name="通许县工信局", region=self.other_county)

        def person(username, role, region, department=None, **extra):
            user = User.objects.create_user(
                username=username,
                password=PASSWORD,
                full_name=username,
                role=role,
                region=region,
                department=department,
                **extra,
            )
            return user

        # Alice runs the dispatch office of 尉氏县; Bob is a handler at its 工信局; Charlie is
        # the dispatch office of 通许县 (the other county); and so on for every role.
        self.admin = person("admin", Role.ADMIN, self.province, is_staff=True, is_superuser=True)
        self.alice = person("alice", Role.DISPATCH, self.county, self.dispatch_office)
        self.leader = person("leader", Role.LEADER, self.county)
        self.head = person("head", Role.DEPT_HEAD, self.county, self.jxj)
        self.bob = person("bob", Role.HANDLER, self.county, self.jxj)
        self.zr_handler = person("zr_handler", Role.HANDLER, self.county, self.zrzy)
        self.commissioner = person("commissioner", Role.COMMISSIONER, self.park)
        self.grid_member = person("grid_member", Role.GRID, self.grid)
        self.supervisor = person("supervisor", Role.SUPERVISOR, self.county)
        self.observer = person("observer", Role.OBSERVER, self.county)
        self.enterprise_user = person("ent_user", Role.ENTERPRISE, None)
        self.charlie = person("charlie", Role.DISPATCH, self.other_county, self.other_jxj)
        self.other_handler = person("other_handler", Role.HANDLER, self.other_county, self.other_jxj)

    def roles(self):
        return {
            "admin": self.admin,
            "dispatch": self.alice,
            "leader": self.leader,
            "dept_head": self.head,
            "handler": self.bob,
            "commissioner": self.commissioner,
            "grid": self.grid_member,
            "supervisor": self.supervisor,
            "observer": self.observer,
            "enterprise": self.enterprise_user,
        }


@pytest.fixture
def world(db):
    return World()


@pytest.fixture
def login(client):
    def _login(user):
        client.force_login(user)
        return client

    return _login
