"""Following partner newsrooms: ``claimreview`` channels (fetch, then sync)."""
