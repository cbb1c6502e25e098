"""Home: the site root page, Site synchronisation and demo content."""
