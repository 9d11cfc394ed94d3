"""The OpenAPI schema declares the error answers the API really gives (issue 21, "the schema lies").

drf-spectacular documents an operation's success only. `AutoSchema` (settings
`REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"]`) adds, once for every operation, the errors that follow
from its shape, each with its body schema:

* 403 `Error` — every operation: not signed in (the session authenticator comes first, so DRF
  answers 403, not 401, without credentials or with a bad token), or a role the permission matrix
  refuses (`ScopedViewSetMixin.write_actions`, a service's `PermissionDenied`).
* 404 `Error` — an operation with a path parameter (a row outside the caller's scope answers
  exactly as a missing one), and a paged list (a page or cursor past the end).
* 400 `ValidationError` — an operation that reads a body or query parameters: field errors
  `{"field": ["…"]}`, a service's refusal `{"detail": "…"}`, an unreadable body.
* 401 `Error` — only where an authenticator answers with a `WWW-Authenticate` challenge.

A view whose errors differ from these rules declares them with `@extend_schema(responses=…)`
(`{404: ErrorSerializer}`); what it declares is kept. A read-only choice field of a model field
that may be blank also takes "" in the schema (DRF drops `allow_blank` from read-only fields). `tests/api/test_schemathesis.py` checks every answer against the
schema: status code, content type and body.
"""

from __future__ import annotations

import copy

from drf_spectacular.openapi import AutoSchema as _AutoSchema
from drf_spectacular.plumbing import ResolvedComponent
from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers


@extend_schema_serializer(component_name="Error")
class ErrorSerializer(serializers.Serializer):
    """One message, in the caller's language (Chinese by default)."""

    detail = serializers.CharField()


VALIDATION_ERROR = ResolvedComponent(
    name="ValidationError",
    type=ResolvedComponent.SCHEMA,
    object="zhuqi.core.openapi.ValidationError",
    schema={
        "type": "object",
        "description": (
            'Why the request was refused: messages by field (`{"field": ["…"]}`, an object '
            "for a nested field); a refusal of no one field is in `detail` or `non_field_errors`."
        ),
        "properties": {
            "detail": {"type": "string"},
            "non_field_errors": {"type": "array", "items": {"type": "string"}},
        },
        "additionalProperties": {
            "anyOf": [
                {"type": "string"},
                {"type": "array", "items": {}},
                {"type": "object"},
            ]
        },
    },
)

DESCRIPTIONS = {
    "400": "Refused: a field is invalid, a rule of the service refuses it, or the body is unreadable",
    "401": "Not signed in, or the token is not valid",
    "403": "Not signed in or a bad token (the session authenticator answers 403), or a role not allowed to do this",
    "404": "No such object within the caller's data scope; or a page or cursor past the end of a list",
}
PAGING_PARAMETERS = {"page", "cursor"}


class AutoSchema(_AutoSchema):
    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        parameters = operation.get("parameters", [])
        where = {p.get("in") for p in parameters}
        query = {p.get("name") for p in parameters if p.get("in") == "query"}
        codes = []
        if "requestBody" in operation or "query" in where or self.method in ("POST", "PUT", "PATCH"):
            codes.append("400")
        if self._challenges():
            codes.append("401")
        if self.view.get_authenticators() or self.view.get_permissions():
            codes.append("403")
        if "path" in where or query & PAGING_PARAMETERS:
            codes.append("404")
        responses = operation["responses"]
        for code in codes:
            if code in responses:
                continue
            if code == "400":
                self.registry.register_on_missing(VALIDATION_ERROR)
                schema = VALIDATION_ERROR.ref
            else:
                schema = self.resolve_serializer(ErrorSerializer, "response").ref
            responses[code] = {
                "description": DESCRIPTIONS[code],
                "content": {"application/json": {"schema": schema}},
            }
        operation["responses"] = dict(sorted(responses.items()))
        return operation

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        if (
            isinstance(field, serializers.ChoiceField)
            and field.read_only
            and not field.allow_blank
            and _model_field_may_be_blank(field)
        ):
            field = copy.copy(field)
            field.allow_blank = True
        return super()._map_serializer_field(field, direction, bypass_extensions)

    def _challenges(self) -> bool:
        """DRF answers 401 only when the first authenticator names a `WWW-Authenticate` challenge."""
        authenticators = self.view.get_authenticators()
        return bool(authenticators) and bool(authenticators[0].authenticate_header(self.view.request))


def _model_field_may_be_blank(field) -> bool:
    model = getattr(getattr(field.parent, "Meta", None), "model", None)
    if model is None or not field.source or "." in field.source:
        return False
    try:
        return bool(model._meta.get_field(field.source).blank)
    except Exception:  # not a model field (a property, a method)
        return False
