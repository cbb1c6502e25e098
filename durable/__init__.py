"""One runner for durable state: graphs declared as data, one claim/lease, one sweep, one retry policy."""
