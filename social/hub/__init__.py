"""The social hub: follow, read, write and get notified on the fediverse from inside the Wagtail admin."""
