"""Public search and match endpoints under /api/v1/ (registered by factcheck.api_urls)."""
