"""The data migration that folds social.FederatedObject into federation.FederatedObject keeps every state."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("social", "0002_flow_revision_id"), ("federation", "0003_domain_blocks_punycode")]
AFTER = [
    ("social", "0003_activity_and_object_moved_to_federation"),
    ("federation", "0005_object_state_from_social"),
]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def latest_schema_after():
    """Leave the database at every app's latest migration, as the rest of the suite expects: migrating
    only to AFTER left later migrations (the flow log's retry column) unapplied for the next tests."""
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_object_states_move_onto_federation_objects(latest_schema_after):
    old = migrate(BEFORE)
    LocalActor = old.get_model("federation", "LocalActor")
    blog = LocalActor.objects.create(
        username="blog", kind="blog", name="Blog", private_key_pem="k", public_key_pem="k"
    )
    old.get_model("federation", "FederatedObject").objects.create(
        object_key="page:1", actor=blog, url="http://testserver/blog/one/", data={"name": "One"}
    )
    OldState = old.get_model("social", "FederatedObject")
    OldState.objects.create(object_key="page:1", page_id=1, state="live", created_activity_id="a-1")
    OldState.objects.create(object_key="page:2", page_id=2, state="none")  # decided, never built

    new = migrate(AFTER)
    objects = {obj.object_key: obj for obj in new.get_model("federation", "FederatedObject").objects.all()}
    built, unbuilt = objects["page:1"], objects["page:2"]
    assert (built.state, built.page_id, built.created_activity_id, built.data) == (
        "live",
        1,
        "a-1",
        {"name": "One"},
    )
    assert (unbuilt.state, unbuilt.page_id, unbuilt.actor_id) == ("none", 2, None)
