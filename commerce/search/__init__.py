"""Oscar's search app, forked so the catalogue browses in SQL: no Haystack index, no index files."""
