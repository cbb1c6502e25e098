"""Signal receivers: small functions connected in HubConfig.ready(); the work is in inbound.py."""

import logging

from social.federation.actors import remote_actor_get

from .inbound import activity_handle

logger = logging.getLogger(__name__)


def on_activity_received(sender, item, **kwargs) -> None:
    """Federation processed (or ignored) a verified inbox activity: give the hub its look at it."""
    if item.state not in ("processed", "ignored"):
        return
    remote = remote_actor_get(item.actor_uri)
    if remote is None:
        return
    try:
        outcome = activity_handle(item.data, remote)
    except Exception:  # the hub must never turn federation's processed item into a failure
        logger.exception("hub could not handle inbox item %s", item.pk)
        return
    logger.debug("hub: inbox item %s → %s", item.pk, outcome)
