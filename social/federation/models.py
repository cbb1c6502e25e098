"""Federation state: actors and keys, remote actors, followers, deliveries, inbox items."""
