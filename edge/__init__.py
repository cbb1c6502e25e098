"""Trust at the edges: what crosses to or from another server (guarded outbound HTTP, the one
sanitiser) and what every reader without cookies shares (the page cache, the front door's headers)."""
