"""Effects are frozen data with an idempotency key each: the base class is abstract."""

from dataclasses import dataclass

import pytest

from social.behaviors.effects import Effect, Notify, RecordActivity, ScheduleDelivery, SetFederationState


def test_effect_base_cannot_be_made():
    with pytest.raises(TypeError, match="idempotency_key"):
        Effect()


def test_effect_without_its_own_idempotency_key_cannot_be_made():
    @dataclass(frozen=True)
    class Keyless(Effect):
        kind = "keyless"
        subject: str

    with pytest.raises(TypeError, match="idempotency_key"):
        Keyless(subject="no key")


def test_effects_keys_differ_by_kind_for_the_same_activity():
    keys = {
        RecordActivity("a1", "Create", "Article", "blog", "page:1").idempotency_key,
        ScheduleDelivery("a1").idempotency_key,
        Notify(key="a1", subject="s").idempotency_key,
        SetFederationState("page:1", "live", only_if_activity="a1").idempotency_key,
    }
    assert len(keys) == 4
