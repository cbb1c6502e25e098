"""Migrating inside a test: to a past state of the schema and back to the latest.

A data migration is tested by moving the database to the migration before it, writing rows through
the historical models of that state, then migrating forward and reading what became of them. The
`latest_schema_after` fixture (tests/conftest.py) puts the schema back for the tests that follow.
"""

from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.state import StateApps

MigrationTargets = list[tuple[str, str]]


def migrate(targets: MigrationTargets) -> StateApps:
    """Move the database to `targets` and return the models as they stood there."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()  # what the last call applied or unapplied
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def migrate_to_latest() -> None:
    """Every app at its latest migration, as the rest of the suite expects."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
