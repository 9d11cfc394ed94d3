"""Open311 GeoReport v2 conformance: an independent client library (`georeport`, a dev
dependency nobody here wrote) and raw requests following the GeoReport v2 text drive the
endpoints, in JSON and XML: discovery of services, service definitions, creating a request with
the attributes the definition declares, reading it back, and the error format.

The library's HTTP calls (module-level `requests.get`) go into Django's test client: no network.
georeport 0.3.1 reads only (it has no POST), and it does not send `api_key` on reads; zhuqi
requires the key there (enterprise cases are not public), so the interception adds the partner's
key as a configured partner deployment does. Requests are created with raw POSTs.
"""

from __future__ import annotations

import types
from urllib.parse import urlsplit
from xml.etree import ElementTree as ET

import georeport
import georeport.georeport
import pytest
import requests
from django.core.files.uploadedfile import SimpleUploadedFile

from zhuqi.cases.models import Case, PartnerSystem
from zhuqi.core.models import Attachment

ROOT = "http://zhuqi.test/open311/v2"
BASE = "/open311/v2"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def partner(cw):
    p = PartnerSystem(name="尉氏县12345热线", channel="h12345", region=cw.w.county)
    p.plain_key = p.new_key()
    p.save()
    return p


@pytest.fixture
def geo(client, partner, monkeypatch):
    """A georeport client per format, its HTTP going into the Django test client."""

    def get(url, params=None, **kwargs):
        path = urlsplit(url).path
        query = dict(params or {})
        query.setdefault("api_key", partner.plain_key)
        r = client.get(path, query)
        response = requests.models.Response()
        response.status_code = r.status_code
        response._content = r.content
        response.headers.update({k: v for k, v in r.items()})
        response.url = url
        response.encoding = "utf-8"
        return response

    monkeypatch.setattr(georeport.georeport, "requests", types.SimpleNamespace(get=get))

    def make(fmt: str, jurisdiction: str | None = None) -> georeport.GeoReport:
        return georeport.GeoReport(
            ROOT,
            jurisdiction=jurisdiction or partner.region.code,
            api_key=partner.plain_key,
            output_format=fmt,
        )

    return make


def _xml(r):
    return ET.fromstring(r.content)  # noqa: S314 - our own response


def _errors(r, fmt: str) -> list[dict]:
    """The standard error body: [{"code", "description"}] / <errors><error><code/><description/>."""
    if fmt == "json":
        assert r["Content-Type"].startswith("application/json")
        body = r.json()
        assert isinstance(body, list) and body
        return body
    assert r["Content-Type"].startswith("text/xml")
    root = _xml(r)
    assert root.tag == "errors"
    return [
        {"code": int(e.findtext("code")), "description": e.findtext("description")}
        for e in root.findall("error")
    ]


def _assert_error(r, fmt: str, status: int, fragment: str = "") -> None:
    assert r.status_code == status, r.content
    errors = _errors(r, fmt)
    for e in errors:
        assert e["code"] == status
        assert any("\u4e00" <= ch <= "\u9fff" for ch in e["description"]), e  # described in Chinese
    assert fragment in errors[0]["description"]


# --- with the georeport client ---------------------------------------------------------------
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_client_discovers_services_with_metadata(cw, geo, fmt):
    services = geo(fmt).get_service_list()
    by_code = {s["service_code"]: s for s in services}
    assert {"land", "labor", "power"} <= set(by_code)
    land = by_code["land"]
    assert land["metadata"] in (True, "true") and land["type"] == "realtime"
    assert land["service_name"] and isinstance(land["keywords"] or "", str)


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_client_reads_the_service_definition(cw, geo, fmt):
    definition = geo(fmt).get_service_definition("land")
    assert definition["service_code"] == "land"
    attributes = definition["attributes"]
    if fmt == "xml":  # xmltodict: <attributes><attribute>…</attribute>…</attributes>
        attributes = attributes["attribute"]
    by_code = {a["code"]: a for a in attributes}
    credit = by_code["credit_code"]
    assert credit["required"] in (True, "true") and credit["datatype"] == "string"
    assert credit["variable"] in (True, "true") and int(credit["order"]) == 1
    assert "统一社会信用代码" in credit["description"]
    assert by_code["external_no"]["required"] in (False, "false")
    urgency = by_code["urgency"]
    values = urgency["values"] if fmt == "json" else urgency["values"]["value"]
    assert urgency["datatype"] == "singlevaluelist" and {v["key"] for v in values} == {"normal", "major"}


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_client_gets_an_http_error_for_an_unknown_service(cw, geo, fmt):
    with pytest.raises(requests.HTTPError) as exc:
        geo(fmt).get_service_definition("nope")
    assert exc.value.response.status_code == 404


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_create_as_the_definition_says_and_read_back_with_the_client(cw, client, geo, partner, fmt):
    # discover the attributes, fill the required ones (and an optional one), POST per the text
    r = client.get(f"{BASE}/services/power.json")
    attributes = r.json()["attributes"]
    values = {"credit_code": cw.ent.credit_code, "external_no": f"WS-{fmt}-0001", "urgency": "major"}
    data = {
        "api_key": partner.plain_key,
        "jurisdiction_id": partner.region.code,
        "service_code": "power",
        "description": "企业反映厂区频繁停电，影响生产",
        "media_url": "https://hotline.example.cn/media/20260301-0001.jpg",
        "first_name": "经理",
        "last_name": "王",
        "phone": "13900000000",
    }
    for a in attributes:
        if a["required"] or a["code"] in values:
            data[f"attribute[{a['code']}]"] = values[a["code"]]
    r = client.post(f"{BASE}/requests.{fmt}", data)
    assert r.status_code == 201, r.content
    row = r.json()[0] if fmt == "json" else {e.tag: e.text for e in _xml(r).find("request")}
    assert "token" not in row or not row["token"]  # synchronous: the id itself
    no = row["service_request_id"]
    case = Case.objects.get(no=no)
    assert case.partner == partner and case.urgency == "major" and case.external_no == f"WS-{fmt}-0001"

    one = geo(fmt).get_service_request(no)
    if fmt == "xml":
        assert isinstance(one, dict)
    assert one["service_request_id"] == no and one["status"] == "open" and one["service_code"] == "power"
    assert one["media_url"] == data["media_url"]
    listed = geo(fmt).get_service_requests(service_request_id=no)
    listed = [listed] if isinstance(listed, dict) else listed  # xmltodict: one element, no list
    assert [x["service_request_id"] for x in listed] == [no]
    by_filter = geo(fmt).get_service_requests(service_code="power", status="open")
    by_filter = [by_filter] if isinstance(by_filter, dict) else by_filter
    assert no in {x["service_request_id"] for x in by_filter}


def test_client_with_another_jurisdiction_is_refused(cw, geo):
    with pytest.raises(requests.HTTPError) as exc:
        geo("json", jurisdiction=cw.w.other_county.code).get_service_requests()
    assert exc.value.response.status_code == 400


# --- raw requests per the GeoReport v2 text ----------------------------------------------------
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_raw_service_list_and_definition(cw, client, fmt):
    r = client.get(f"{BASE}/services.{fmt}")
    assert r.status_code == 200
    if fmt == "xml":
        root = _xml(r)
        assert root.tag == "services"
        land = next(s for s in root.findall("service") if s.findtext("service_code") == "land")
        assert land.findtext("metadata") == "true"
        r = client.get(f"{BASE}/services/land.xml")
        root = _xml(r)
        assert root.tag == "service_definition" and root.findtext("service_code") == "land"
        credit = next(a for a in root.findall("attributes/attribute") if a.findtext("code") == "credit_code")
        assert credit.findtext("required") == "true" and credit.findtext("variable") == "true"
        assert "统一社会信用代码" in credit.findtext("description")
        urgency = next(a for a in root.findall("attributes/attribute") if a.findtext("code") == "urgency")
        assert {v.findtext("key") for v in urgency.findall("values/value")} == {"normal", "major"}
    else:
        assert all(s["metadata"] is True for s in r.json())
        r = client.get(f"{BASE}/services/land.json")
        body = r.json()
        assert set(body) == {"service_code", "attributes"}
        for a in body["attributes"]:
            assert {
                "variable",
                "code",
                "datatype",
                "required",
                "datatype_description",
                "order",
                "description",
            } <= set(a)
    assert client.get(f"{BASE}/services.{fmt}", {"jurisdiction_id": cw.w.county.code}).status_code == 200


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_raw_errors_are_in_the_standard_format(cw, client, partner, fmt):
    key = partner.plain_key
    good = {
        "api_key": key,
        "service_code": "land",
        "description": "企业反映用地指标不足",
        "attribute[credit_code]": cw.ent.credit_code,
    }
    _assert_error(client.get(f"{BASE}/services/nope.{fmt}"), fmt, 404, "nope")
    _assert_error(client.get(f"{BASE}/services.{fmt}", {"jurisdiction_id": "000000"}), fmt, 404)
    _assert_error(client.get(f"{BASE}/requests.{fmt}"), fmt, 403, "api_key")
    _assert_error(client.post(f"{BASE}/requests.{fmt}", {**good, "api_key": "wrong"}), fmt, 403)
    _assert_error(
        client.get(f"{BASE}/requests.{fmt}", {"api_key": key, "jurisdiction_id": cw.w.other_county.code}),
        fmt,
        400,
        "jurisdiction_id",
    )
    _assert_error(
        client.post(f"{BASE}/requests.{fmt}", {**good, "jurisdiction_id": "nowhere"}),
        fmt,
        400,
        "jurisdiction_id",
    )
    _assert_error(client.post(f"{BASE}/requests.{fmt}", {**good, "service_code": "nope"}), fmt, 400)
    no_credit = {k: v for k, v in good.items() if k != "attribute[credit_code]"}
    _assert_error(client.post(f"{BASE}/requests.{fmt}", no_credit), fmt, 400, "credit_code")
    _assert_error(client.post(f"{BASE}/requests.{fmt}", {**good, "description": ""}), fmt, 400)
    _assert_error(client.post(f"{BASE}/requests.{fmt}", {**good, "attribute[urgency]": "x"}), fmt, 400)
    for bad in ("ftp://example.cn/a.jpg", "javascript:alert(1)", "https://" + "a" * 1100 + ".cn/"):
        _assert_error(
            client.post(f"{BASE}/requests.{fmt}", {**good, "media_url": bad}), fmt, 400, "media_url"
        )
    _assert_error(client.get(f"{BASE}/requests/NOPE-1.{fmt}", {"api_key": key}), fmt, 404)
    _assert_error(client.get(f"{BASE}/tokens/abc.{fmt}", {"api_key": key}), fmt, 404, "token")
    _assert_error(client.get(f"{BASE}/nothing/here.{fmt}"), fmt, 404)
    _assert_error(client.delete(f"{BASE}/requests.{fmt}?api_key={key}"), fmt, 405)
    _assert_error(client.post(f"{BASE}/services/land.{fmt}"), fmt, 405)
    assert not Case.objects.filter(partner=partner).exists()


def test_raw_jurisdiction_of_the_partner_is_accepted(cw, client, partner):
    r = client.get(
        f"{BASE}/requests.json", {"api_key": partner.plain_key, "jurisdiction_id": partner.region.code}
    )
    assert r.status_code == 200 and r.json() == []


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_raw_multipart_media_goes_through_the_upload_checks(cw, client, partner, fmt):
    data = {
        "api_key": partner.plain_key,
        "service_code": "land",
        "description": "企业反映厂区道路积水，附现场照片",
        "attribute[credit_code]": cw.ent.credit_code,
    }
    fake = SimpleUploadedFile("photo.png", b"<html><script>alert(1)</script></html>", "image/png")
    r = client.post(f"{BASE}/requests.{fmt}", {**data, "media": fake})
    _assert_error(r, fmt, 400, "photo.png")
    exe = SimpleUploadedFile("run.exe", b"MZ\x90\x00", "application/octet-stream")
    _assert_error(client.post(f"{BASE}/requests.{fmt}", {**data, "media": exe}), fmt, 400)
    assert not Case.objects.filter(partner=partner).exists()  # nothing half-created

    photo = SimpleUploadedFile("photo.png", PNG, "image/png")
    r = client.post(f"{BASE}/requests.{fmt}", {**data, "media": photo})
    assert r.status_code == 201, r.content
    case = Case.objects.get(partner=partner)
    att = Attachment.objects.get(object_id=str(case.pk))
    assert att.name == "photo.png" and att.mime == "image/png" and att.visibility == "internal"


@pytest.mark.parametrize("value", ["\x00", "4102\x0023", "x" * 10_000, "１２３", "' OR 1=1 --"])
def test_hostile_jurisdiction_and_media_url_values_are_refused_not_crashed(cw, client, partner, value):
    key = partner.plain_key
    assert client.get(f"{BASE}/services.json", {"jurisdiction_id": value}).status_code in (200, 404)
    assert client.get(f"{BASE}/services/land.xml", {"jurisdiction_id": value}).status_code in (200, 404)
    assert client.get(f"{BASE}/requests.json", {"api_key": key, "jurisdiction_id": value}).status_code in (
        200,
        400,
    )
    r = client.post(
        f"{BASE}/requests.json",
        {
            "api_key": key,
            "service_code": "land",
            "description": "企业反映用地指标不足",
            "attribute[credit_code]": cw.ent.credit_code,
            "media_url": value,
        },
    )
    assert r.status_code in (201, 400), r.content


def test_what_a_partner_sent_shows_on_the_case_under_the_partners_name(cw, client, partner, login):
    from django.urls import reverse

    r = client.post(
        f"{BASE}/requests.json",
        {
            "api_key": partner.plain_key,
            "service_code": "land",
            "description": "企业反映厂区道路积水，附现场照片",
            "attribute[credit_code]": cw.ent.credit_code,
            "media_url": "https://12345.example.cn/m/2.jpg",
            "media": SimpleUploadedFile("photo.png", PNG, "image/png"),
        },
    )
    assert r.status_code == 201, r.content
    case = Case.objects.get(no=r.json()[0]["service_request_id"])
    page = login(cw.w.alice).get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "https://12345.example.cn/m/2.jpg" in page and "photo.png" in page
    assert "<strong>None</strong>" not in page and "· None" not in page
    assert page.count(partner.name) >= 2
