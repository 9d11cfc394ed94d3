"""Hostile and malformed parameters never reach a server error (issue 21).

Every page whose URL takes no path argument and every list operation of the API is requested
as an administrator, a dispatch officer and an enterprise user with each hostile value given to
a fixed set of commonly used parameter names at once (Unicode digits, NUL, 10,000 characters,
negative, huge, wrong type, a repeated key). The inbox's mark-as-read, the API's create actions
(with a JSON list, string or null body) and Open311 get the same treatment. Run on PostgreSQL
too: only PostgreSQL refuses a NUL byte in text."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.test import APIClient

from tests.core.test_permission_matrix import Scene, _schema_operations
from zhuqi.cases.models import Case, PartnerSystem
from zhuqi.core.params import int_param, parse_date, text_param, year_param

pytestmark = pytest.mark.django_db

NAMES = [
    "region", "industry", "tag", "list", "category", "dept", "level", "enterprise", "year",
    "month", "status", "q", "page", "start", "end", "dim", "kind", "role", "user", "department",
    "id", "sort", "ordering", "cursor", "page_size", "channel", "rag", "metric", "key", "part",
    "unread", "active", "stage", "plan", "project", "round", "date", "from", "to", "search",
    "dataset", "period", "indicator",  # indicators (entry helper)
    "klass", "scheme",
    "slip", "source", "ref", "title",  # oversight
    "item", "tab", "export",  # policies
    "week", "overdue", "band", "stale", "size", "chain", "node", "parent", "chain_gap",  # attraction
]  # fmt: skip

HOSTILE = {
    "unicode digits": ["²"],
    "nul": ["1\x00"],
    "long": ["9" * 10_000],
    "negative": ["-1"],
    "huge": ["99999999999999999999999999"],
    "wrong type": ['{"a": [1.5]}'],
    "list": ["1", "١٢"],  # a repeated key; the last one, what .get() reads, in Arabic-Indic digits
}
ROLES = ("admin", "dispatch", "enterprise")
# /healthz answers 500 whenever a check fails, by design (e.g. next year's holidays missing in
# November): its own tests are tests/core/test_health.py
SKIP_NAMES = ("logout", "healthz")


def _query(values: list[str]) -> str:
    return urlencode([(n, v) for n in NAMES for v in values])


def _page_urls() -> list[str]:
    out: list[str] = []

    def walk(resolver: URLResolver, prefix: str) -> None:
        for p in resolver.url_patterns:
            if isinstance(p, URLResolver):
                if p.namespace == "admin" or str(p.pattern).startswith(("api/", "open311/")):
                    continue
                walk(p, f"{prefix}{p.namespace}:" if p.namespace else prefix)
            elif isinstance(p, URLPattern) and p.name and not p.pattern.regex.groupindex:
                name = prefix + p.name
                if not any(s in name for s in SKIP_NAMES):
                    out.append(reverse(name))

    walk(get_resolver(), "")
    return sorted(set(out))


@pytest.fixture
def scene(world):
    return Scene(world)


def test_the_helpers_take_only_ascii_numbers_in_range():
    assert int_param({"region": "12"}, "region") == 12
    for bad in ("²", "١٢", "1\x00", "9" * 10_000, "-1", "0", "99999999999", "1.5", "", None, ["1"]):
        assert int_param({"region": bad}, "region") is None, bad
    assert year_param({"year": "2026"}) == 2026
    assert year_param({"year": "1999"}) is None and year_param({"year": "²⁰²⁶"}) is None
    assert parse_date("2026-03-01").day == 1
    assert parse_date("2026-02-30") is None and parse_date("٢٠٢٦-03-01") is None
    assert text_param({"q": " a\x00b "}, "q") == "ab" and len(text_param({"q": "x" * 10_000}, "q")) == 200


@pytest.mark.parametrize("role", ROLES)
def test_pages_and_api_lists_never_answer_a_server_error(scene, role):
    """One request per URL and value set, a test per role (so the parallel workers share the
    load). A crash answers 500 here instead of raising, so the message lists every one of them."""
    client = Client(raise_request_exception=False)
    pages = _page_urls()
    api_lists = [p for m, p in _schema_operations() if m == "GET" and "{" not in p]
    assert len(pages) > 40 and len(api_lists) > 20
    api = APIClient(raise_request_exception=False)
    failures = []
    user = scene.w.roles()[role]
    client.force_login(user)
    api.force_authenticate(user)
    for kind, values in HOSTILE.items():
        query = _query(values)
        for url in pages:
            r = client.get(f"{url}?{query}")
            if r.status_code >= 500:
                failures.append(f"GET {url} ({kind}) as {role}: {r.status_code}")
        for url in api_lists:
            r = api.get(f"{url}?{query}")
            if r.status_code >= 500:
                failures.append(f"GET {url} ({kind}) as {role}: {r.status_code}")
    assert not failures, "\n".join(failures)


def test_inbox_read_takes_hostile_ids(scene, client):
    client.force_login(scene.w.alice)
    for values in HOSTILE.values():
        r = client.post("/core/inbox/read/", {"id": values})
        assert r.status_code == 302, values


@pytest.mark.parametrize("body", ["[]", "[1, 2]", '"text"', "null", "1", '{"id": "²"}'])
def test_api_writes_refuse_a_body_that_is_not_an_object(body, scene):
    api = APIClient()
    api.force_authenticate(scene.w.admin)
    ids = {"case-supervisions": scene.supervision, "cases": scene.case, "projects": scene.project}
    failures = []
    for method, path in _schema_operations():
        if method == "GET":
            continue
        if "{id}" in path:
            obj = ids.get(path.split("/")[3])
            if obj is None:
                continue
            path = path.replace("{id}", str(obj.pk))
        if "{" in path:
            continue
        r = api.generic(method, path, data=body, content_type="application/json")
        if r.status_code >= 500:
            failures.append(f"{method} {path}: {r.status_code}")
        elif body != '{"id": "²"}' and method != "DELETE":
            assert r.status_code in (400, 403, 404, 405), f"{method} {path} with {body}: {r.status_code}"
    assert not failures, "\n".join(failures)


def test_supervision_respond_with_a_list_is_a_clear_400(scene):
    api = APIClient()
    api.force_authenticate(scene.w.bob)
    r = api.post(
        f"/api/v1/case-supervisions/{scene.supervision.pk}/respond/",
        data=json.dumps(["已办"]),
        content_type="application/json",
    )
    assert r.status_code == 400 and "JSON" in str(r.data)
    scene.supervision.refresh_from_db()
    assert not scene.supervision.response


def test_open311_refuses_nul_and_overlong_external_numbers(scene, client):
    partner = PartnerSystem(name="尉氏县12345热线", channel="h12345", region=scene.w.county)
    key = partner.new_key()
    partner.save()
    base = {
        "api_key": key,
        "service_code": scene.category.code,
        "description": "企业反映厂区频繁停电",
        "attribute[credit_code]": scene.ent.credit_code,
    }
    before = Case.objects.count()
    r = client.post("/open311/v2/requests.json", {**base, "attribute[external_no]": "x" * 10_000})
    assert r.status_code == 400 and "external_no" in r.json()[0]["description"]
    assert Case.objects.count() == before
    r = client.post(
        "/open311/v2/requests.json",
        {**base, "attribute[external_no]": "WS\x00-1", "description": "停电\x00"},
    )
    assert r.status_code == 201
    assert Case.objects.get(external_no="WS-1").description == "停电"
    for values in HOSTILE.values():
        query = urlencode([("api_key", key)] + [(n, v) for n in NAMES for v in values])
        assert client.get(f"/open311/v2/requests.json?{query}").status_code < 500


def _write_fields() -> list[tuple[str, str, list[str]]]:
    """(method, path, the request body's field names) of every API write, from the schema."""
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    components = schema["components"]["schemas"]
    out = []
    for path, ops in schema["paths"].items():
        for method, op in ops.items():
            body = op.get("requestBody", {}).get("content", {}).get("application/json", {})
            ref = body.get("schema", {}).get("$ref", "")
            fields = list(components.get(ref.rsplit("/", 1)[-1], {}).get("properties", {}))
            if method != "get" and fields:
                out.append((method.upper(), path, fields))
    return out


def test_api_write_fields_take_hostile_values(scene):
    """Every field of every write operation gets each hostile value (as a string, a list of it,
    and a nested object) as an administrator: a 4xx, or a 2xx for a value it may keep, never 5xx."""
    api = APIClient(raise_request_exception=False)
    api.force_authenticate(scene.w.admin)
    ids = {
        "case-supervisions": scene.supervision,
        "cases": scene.case,
        "projects": scene.project,
        "enterprises": scene.ent,
        "visits": scene.visit,
        "plans": scene.plan,
        "meetings": scene.meeting,
    }
    operations = _write_fields()
    assert len(operations) > 20
    failures = []
    for method, path, fields in operations:
        if "{id}" in path:
            obj = ids.get(path.split("/")[3])
            if obj is None:
                continue
            path = path.replace("{id}", str(obj.pk))
        if "{" in path:
            continue
        for kind, values in HOSTILE.items():
            for shape in (values[-1], values, {"x": values[-1]}):
                body = json.dumps({f: shape for f in fields})
                r = api.generic(method, path, data=body, content_type="application/json")
                if r.status_code >= 500:
                    failures.append(f"{method} {path} ({kind}, {type(shape).__name__}): {r.status_code}")
    assert not failures, "\n".join(sorted(set(failures)))


def test_api_refuses_nul_in_a_json_body_and_drops_it_from_a_form(scene):
    api = APIClient()
    api.force_authenticate(scene.w.admin)
    url = f"/api/v1/enterprises/{scene.ent.pk}/"
    r = api.patch(url, data=json.dumps({"tags": ["重点\x00"]}), content_type="application/json")
    assert r.status_code == 400 and "NUL" in str(r.data)
    r = api.patch(
        url, data="address=%E5%B0%89%E6%B0%8F%00%E5%8E%BF", content_type="application/x-www-form-urlencoded"
    )
    assert r.status_code == 200
    scene.ent.refresh_from_db()
    assert scene.ent.address == "尉氏县"


class _PostFields(HTMLParser):
    """The names of the fields of a page's POST forms."""

    def __init__(self):
        super().__init__()
        self.names: list[str] = []
        self._in_post = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._in_post = (a.get("method") or "").lower() == "post"
        elif (
            tag in ("input", "select", "textarea")
            and self._in_post
            and a.get("name") not in (None, "csrfmiddlewaretoken")
            and a.get("type") != "submit"
        ):
            self.names.append(a["name"])

    def handle_endtag(self, tag):
        if tag == "form":
            self._in_post = False


def _form_fields(client, url) -> list[str]:
    r = client.get(url)
    if r.status_code != 200 or "html" not in r.get("Content-Type", ""):
        return []
    parser = _PostFields()
    parser.feed(r.content.decode())
    return parser.names


def _form_pages(scene):
    """(name, url, role, valid data, field names) of every page that takes a form POST, as the
    first role the matrix allows to post it."""
    from tests.core.test_permission_matrix import PAGES, ROLES, _expected

    out = []
    for name, page in sorted(PAGES.items()):
        if page.method not in ("post", "both"):
            continue
        for role in ROLES:
            user = scene.w.roles()[role]
            may = page.post_ok(scene, user) if page.post_ok else _expected(page, scene, user)
            if may:
                out.append((name, reverse(name, args=page.args(scene)) + page.query, user, page))
                break
    return out


FORM_KINDS = ("unicode digits", "nul", "long", "negative", "huge", "list")


@pytest.mark.parametrize("kind", FORM_KINDS)
def test_form_posts_take_hostile_values_in_every_field(scene, kind):
    """Every page that takes a form POST (case registration, visit records, projects,
    enterprises, accounts, settings…), as a role allowed to post it: each field of its form in
    turn gets the hostile value while the others keep valid values, then all fields at once (a
    test per kind of value, so the parallel workers share the load). A form error (re-rendered
    page or a message and a redirect) is fine; a 5xx is not."""
    from tests.core.test_permission_matrix import rolled_back

    client = Client(raise_request_exception=False)
    pages = _form_pages(scene)
    assert len(pages) > 50
    failures = []
    tried = 0
    for name, url, user, page in pages:
        client.force_login(user)
        valid = {k: v for k, v in page.data(scene).items()}
        fields = list(dict.fromkeys([*valid, *(_form_fields(client, url) if page.method == "both" else [])]))
        values = HOSTILE[kind]
        variants = [{f: values for f in fields} | {n: values for n in ("id", "year", "region")}]
        variants += [{**valid, field: values} for field in fields]
        for data in variants:
            with rolled_back():
                r = client.post(url, data)
            tried += 1
            if r.status_code >= 500:
                bad = [f for f in fields if data.get(f) is values]
                failures.append(f"POST {url} ({name}) as {user.role}, {kind} in {bad}: {r.status_code}")
    assert tried > 100
    assert not failures, f"{len(failures)} failures:\n" + "\n".join(failures)


def test_form_fields_refuse_ids_and_numbers_beyond_the_database_with_the_field_named(world):
    """A list of ids (ModelMultipleChoiceField) or a whole number beyond what the database holds
    is a form error naming the field, not an overflow in the query (SQLite) or the write."""
    from django import forms

    from zhuqi.core.forms import Form
    from zhuqi.core.models import Department

    class Sample(Form):
        departments = forms.ModelMultipleChoiceField(label="协办部门", queryset=Department.objects.all())
        round_no = forms.IntegerField(label="期次", min_value=1)

    for bad in ("9" * 26, "²", "-1", "1\x00", "9" * 10_000):
        form = Sample({"departments": [str(world.jxj.pk), bad], "round_no": "1"})
        assert not form.is_valid() and "协办部门" in form.errors["departments"][0], bad
    form = Sample({"departments": [str(world.jxj.pk)], "round_no": "9" * 26})
    assert not form.is_valid() and "期次" in form.errors["round_no"][0]
    assert Sample({"departments": [world.jxj.pk], "round_no": "3"}).is_valid()
