"""ActivityPub federation: actors, discovery, HTTP signatures, inbox processing and delivery."""
