"""The regional network: partner API keys, webhooks and embeddable fact-check cards.

Depends on ``claims``, ``sources``, ``ingest`` and (through ``search/__init__.py``)
``search``; none of them imports ``network``. ``docs/network.md`` explains it.
"""
