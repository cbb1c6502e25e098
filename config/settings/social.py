"""social: the behavior DAG and its flow log, federation (ActivityPub), the hub, and their beat entries."""

from .celery_beat import CELERY_BEAT_SCHEDULE
from .site import env

# --- social: the behavior DAG and its flow log -------------------------------------------------
# Page models whose publish/unpublish/delete run behaviors (resolved lazily: cms never imports social).
SOCIAL_FEDERATED_PAGE_MODELS = env.list(
    "SOCIAL_FEDERATED_PAGE_MODELS", default=["cms.BlogPostPage", "events.EventPage", "commerce.MarketPage"]
)
# Objects that are not pages, by their key's kind: the function (id → payload) the runner reads them with.
# A scheduler event without a live page federates as "event:<id>" (events.federation reports its changes).
# A product federates as "product:<id>" from @market while it is available (commerce.federation).
SOCIAL_FEDERATED_SOURCES = {
    "event": "events.federation.event_source_payload",
    "product": "commerce.federation.product_source_payload",
}
# Signals on which apps that may not import social report their sources' changes (sent after commit).
SOCIAL_SOURCE_SIGNALS = ["commerce.federation.product_reported"]
# Signals on which apps that may not import social ask for a behavior (a payment's settlement), sent
# inside their own transaction; and the functions its steps' Perform effects name, by action.
SOCIAL_BEHAVIOR_SIGNALS = ["commerce.signals.behavior_wanted"]
SOCIAL_FLOW_ACTIONS = {
    "order_place": "commerce.settlement.settlement_order_place",
    "order_confirm": "commerce.settlement.settlement_order_confirm",
    "refund_owe": "commerce.settlement.settlement_refund_owe",
    "refund_tell_shopper": "commerce.settlement.settlement_refund_tell_shopper",
    "refund_mark": "commerce.refund_outcome.refund_outcome_mark",
    "refund_flag": "commerce.refund_outcome.refund_outcome_flag",
    "refund_tell": "commerce.refund_outcome.refund_outcome_tell",
    "ticket_refund_mark": "events.refund_outcome.ticket_refund_mark",
    "ticket_refund_flag": "events.refund_outcome.ticket_refund_flag",
    "ticket_refund_tell": "events.refund_outcome.ticket_refund_tell",
    "event_bookings_call_off": "events.cancellation.cancellation_bookings_call_off",
    "ticket_refunds_owe": "events.cancellation.cancellation_refunds_owe",
    "event_holders_tell": "events.cancellation.cancellation_holders_tell",
    "event_federate": "events.cancellation.cancellation_federate",
    "occurrence_bookings_call_off": "events.cancellation.cancellation_occurrence_bookings_call_off",
    "occurrence_holders_tell": "events.cancellation.cancellation_occurrence_holders_tell",
    "occurrence_federate": "events.cancellation.cancellation_occurrence_federate",
}
# Actors other apps own, by slug → profile (producers: commerce's ProducerPages), asked in turn.
SOCIAL_ACTOR_SOURCES = ["commerce.federation.producer_actor_profile"]
SOCIAL_TRIGGERS = env("SOCIAL_TRIGGERS", default="social.triggers.PageLifecycleTriggers")
# A flow that has not moved for this long is resumed by the sweep (and a step claim this old is void).
SOCIAL_FLOW_STALL_SECONDS = env.int("SOCIAL_FLOW_STALL_SECONDS", default=120)
SOCIAL_STEP_MAX_ATTEMPTS = env.int("SOCIAL_STEP_MAX_ATTEMPTS", default=5)
# Durable work the one sweep (durable.sweep, every DURABLE_SWEEP_INTERVAL_SECONDS) resumes beside its
# stateful rows: stalled flows have no beat entry of their own.
DURABLE_SWEEP_ALSO = ["social.engine.flows_resume_stalled"]
# --- federation (ActivityPub, social/federation) ----------------------------------------------
SOCIAL_AUTHOR_MODEL = env("SOCIAL_AUTHOR_MODEL", default="cms.Author")
FEDERATION_MANUAL_APPROVAL = env.bool("FEDERATION_MANUAL_APPROVAL", default=False)
FEDERATION_HOST_DEAD_AFTER = env.int("FEDERATION_HOST_DEAD_AFTER", default=7 * 24 * 3600)
FEDERATION_DELIVERY_GIVE_UP_AFTER = env.int("FEDERATION_DELIVERY_GIVE_UP_AFTER", default=3 * 24 * 3600)
# The lease of a batch of deliveries (social.federation.models.DeliveryGraph): a worker killed mid-batch
# leaves its unsent deliveries to the durable sweep after this. Longer than one batch takes (20 POSTs).
FEDERATION_DELIVERY_LEASE_SECONDS = env.int("FEDERATION_DELIVERY_LEASE_SECONDS", default=600)
FEDERATION_MAX_INBOX_BYTES = 1_000_000
# Seconds the front door keeps a public actor or object document (social.federation.views): a burst
# of servers fetching a new post costs the app one render; an edit reaches followers as an Update.
FRONT_DOOR_AP_SECONDS = env.int("FRONT_DOOR_AP_SECONDS", default=5)
# --- social hub (social/hub) ------------------------------------------------------------------
HUB_TIMELINE_RETENTION_DAYS = env.int("HUB_TIMELINE_RETENTION_DAYS", default=30)
HUB_DIGEST_EMAILS = env.list("HUB_DIGEST_EMAILS", default=[])  # empty: no email digest
HUB_WEBFINGER_ALLOW_HTTP = env.bool("HUB_WEBFINGER_ALLOW_HTTP", default=False)  # local development only
CELERY_BEAT_SCHEDULE["hub-timeline-prune"] = {
    "task": "social.hub.tasks.timeline_prune_task",
    "schedule": 3600.0,
}
CELERY_BEAT_SCHEDULE["hub-notifications-digest"] = {
    "task": "social.hub.tasks.notifications_digest_task",
    "schedule": env.float("HUB_DIGEST_INTERVAL_SECONDS", default=24 * 3600.0),
}
