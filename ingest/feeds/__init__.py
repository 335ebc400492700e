"""RSS, Atom and JSON Feed: fetched by ``ingest.http``, parsed by feedparser / json."""
