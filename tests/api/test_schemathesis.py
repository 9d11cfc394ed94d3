"""Schemathesis over the whole REST API (the OpenAPI schema drf-spectacular publishes), as an
administrator, a dispatch officer and an enterprise user: whatever it sends, no operation answers
a server error, and every answer is one the schema declares: its status code, its content type
and its body's shape (issue 21, "the schema lies"). Runs with the rest of the suite in CI, on
PostgreSQL and SQLite; a few examples per operation keep it to minutes (`SCHEMATHESIS_EXAMPLES`
raises the number for a longer hunt)."""

from __future__ import annotations

import os

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from rest_framework.authtoken.models import Token
from schemathesis import GenerationMode
from schemathesis.core.errors import SchemathesisError
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.cases.conftest import CaseWorld

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "5"))
ROLES = ["admin", "dispatch", "enterprise"]
CHECKS = [status_code_conformance, content_type_conformance, response_schema_conformance]

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def schema():
    return schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True))


@pytest.fixture
def wsgi_in_test_transaction():
    """The WSGI app closes the database connection after each request (as in production); the
    test's transaction lives on that connection, so keep it open as Django's test client does."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def rows(world):
    """Rows to find: a case of each county (and their enterprises, categories, rules)."""
    cw = CaseWorld(world)
    cw.new()
    cw.new(ent=cw.ent_other, actor=world.charlie)
    return cw


def _failures(schema, token: str) -> tuple[list[str], list[int]]:
    """The server errors and answers the schema does not declare, and the number of requests
    sent to each operation."""
    app = get_wsgi_application()
    headers = {"Authorization": f"Token {token}"}
    found: list[str] = []
    sent: list[int] = []
    for result in schema.get_all_operations():
        calls: list[int] = []
        operation = result.ok()
        _probe(operation, operation.as_strategy(), app, headers, found, calls)
        try:  # data that breaks the schema: wrong types, missing fields, lists for objects
            negative = operation.as_strategy(generation_mode=GenerationMode.NEGATIVE)
            _probe(operation, negative, app, headers, found, calls)
        except (Unsatisfiable, SchemathesisError):
            pass  # nothing in this operation can be made invalid
        sent.append(len(calls))
    return found, sent


def _probe(operation, strategy, app, headers, found: list[str], calls: list[int]) -> None:
    @given(case=strategy)
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def probe(case):
        response = case.call(app=app, headers=headers)
        calls.append(response.status_code)
        if response.status_code >= 500:
            found.append(f"{operation.label}: {response.status_code} for {case.as_curl_command()}")
            return
        try:
            case.validate_response(response, checks=CHECKS, headers=headers, transport_kwargs={"app": app})
        except FailureGroup as group:
            for failure in group.exceptions:
                found.append(
                    f"{operation.label}: {response.status_code} {failure.title}: {failure.message}"
                    f"\n  {response.text[:300]}\n  {case.as_curl_command()}"
                )

    probe()


@pytest.mark.parametrize("role", ROLES)
def test_every_answer_is_declared_and_none_is_a_server_error(
    world, rows, schema, role, wsgi_in_test_transaction
):
    token = Token.objects.create(user=world.roles()[role]).key
    failures, sent = _failures(schema, token)
    assert not failures, f"{len(failures)} failures:\n" + "\n".join(failures)
    # the whole API was probed: every operation of the schema got requests
    assert len(sent) > 100 and min(sent) >= 1


def test_every_operation_declares_its_error_answers():
    """The schema's error answers come from one place (core.openapi.AutoSchema), with bodies."""
    spec = SchemaGenerator().get_schema(request=None, public=True)
    assert {"Error", "ValidationError"} <= set(spec["components"]["schemas"])
    checked = 0
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            responses = op["responses"]
            params = {p["in"] for p in op.get("parameters", [])}
            assert "403" in responses, f"{method} {path}"
            if "path" in params:
                assert "404" in responses, f"{method} {path}"
            if method in ("post", "put", "patch") or "query" in params:
                assert "400" in responses, f"{method} {path}"
            for code, answer in responses.items():
                if code >= "400":
                    assert answer["content"]["application/json"]["schema"]["$ref"].endswith(
                        ("/Error", "/ValidationError")
                    ), f"{method} {path} {code}"
            checked += 1
    assert checked > 100
