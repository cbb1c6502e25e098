"""events has no Celery tasks of its own any more: its reminders, ticket refunds and waiting-list
offers are durable rows the one runner works (durable.tasks), found by the durable sweep."""
