"""A fake SumUp server of ours: the checkout API, a hosted pay page and signed webhooks on 127.0.0.1."""

from commerce.sumup_fake.server import FakeSumUp

__all__ = ["FakeSumUp"]
