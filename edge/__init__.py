"""Trust at the edges: what crosses to or from another server (guarded outbound HTTP, the one sanitiser)."""
