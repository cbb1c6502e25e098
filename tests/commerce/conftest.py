"""Commerce fixtures: a fake SumUp server per test, with settings pointing the SDK at it."""

import pytest

from commerce.sumup_fake import FakeSumUp


@pytest.fixture
def fake_sumup(settings):
    fake = FakeSumUp(api_key="sup_sk_test", webhook_secret="whsec-test").start()
    settings.SUMUP_API_URL = fake.url
    settings.SUMUP_API_KEY = "sup_sk_test"
    settings.SUMUP_MERCHANT_CODE = "MTEST001"
    settings.SUMUP_WEBHOOK_SECRET = "whsec-test"
    yield fake
    fake.wait_for_webhooks()
    fake.stop()
