"""The dispatch office takes an enterprise off the key list only after confirming it: a slip of
the thumb on "取消重点企业" changes nothing."""

import pytest
from django.utils import timezone

from tests.conftest import PASSWORD
from tests.e2e.conftest import log_in, shot
from tests.enterprises.helpers import make_enterprise
from zhuqi.enterprises import services
from zhuqi.enterprises.models import KeyDesignation

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_revoking_a_key_enterprise_asks_first(page, world):
    ent = make_enterprise("固镇恒顺集团有限公司", world.grid)
    year = timezone.localdate().year
    services.set_key(ent, year, actor=world.alice)
    log_in(page, "alice", PASSWORD)
    page.goto(f"/enterprises/{ent.pk}/")
    button = page.locator("[data-testid=key-toggle]")
    assert button.inner_text() == "取消重点企业"

    asked = []

    def dismiss(dialog):
        asked.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", dismiss)
    button.click()
    page.wait_for_timeout(300)
    assert asked and "固镇恒顺集团有限公司" in asked[0]
    assert KeyDesignation.objects.filter(enterprise=ent, year=year).exists()
    shot(page, "enterprises-key-1-still-key")

    page.once("dialog", lambda dialog: dialog.accept())
    button.click()
    page.wait_for_selector("text=已取消")
    assert page.locator("[data-testid=key-toggle]").inner_text() == "认定为重点企业"
    assert not KeyDesignation.objects.filter(enterprise=ent, year=year).exists()
    shot(page, "enterprises-key-2-revoked")
