"""What every form does, seen on the new-case form: required fields carry a mark, a title over
its limit is said while typing (not cut), and the server's message names the field plainly."""

import pytest

from tests.conftest import PASSWORD
from tests.e2e.conftest import log_in, shot
from tests.enterprises.helpers import make_enterprise

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

MARK = "el => getComputedStyle(el, '::after').content"


def test_required_mark_and_length_said_before_submit(phone, world):
    make_enterprise("固镇恒顺集团有限公司", world.grid)
    log_in(phone, "alice", PASSWORD)
    phone.goto("/cases/new/")
    title_label = phone.locator("label[for=id_title]")
    assert '"*"' in title_label.evaluate(MARK).replace(" ", "")
    assert phone.locator("label[for=id_category]").evaluate(MARK) in ("none", "normal", "")

    long_title = "企业反映二期厂房施工用电线路迟迟未接入" * 7  # 133 characters
    phone.fill("#id_title", long_title)
    assert phone.input_value("#id_title") == long_title  # nothing cut
    note = phone.locator("[data-testid=length-note]").first
    assert note.is_visible() and "最多 120 个字，现在是 133 个字" in note.inner_text()
    note.scroll_into_view_if_needed()
    shot(phone, "forms-1-title-too-long")

    phone.fill("#id_title", long_title[:100])
    assert not note.is_visible()


def test_the_figures_definition_opens_as_a_page(phone, world):
    log_in(phone, "alice", PASSWORD)
    phone.goto("/cases/figures/")
    phone.locator("[data-testid=figures-definition]").click()
    phone.wait_for_selector("[data-testid=doc-page]")
    doc = phone.locator("[data-testid=doc-page]")
    assert "企业诉求统计口径" in doc.locator("h2").first.inner_text()
    assert doc.locator("table").count() >= 1
    assert "/core/docs/cases-figures/" in phone.url
    shot(phone, "docs-1-cases-figures")
