"""Article pages: main text and metadata via trafilatura, with date sanity checks.

newspaper4k is not offered as an alternative: it needs ``fetch_images=False`` to
stay offline, has no ``bs``/``sq`` support and scored lower on Balkan pages
(research/ingest-libraries.md §2); trafilatura covers every field we store.
"""
