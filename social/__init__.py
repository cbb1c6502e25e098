"""Social: ActivityPub federation, the behavior DAG and its flow log."""
