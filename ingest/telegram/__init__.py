"""Public Telegram channels through their web preview (``t.me/s/<channel>``); no API key.

The preview HTML is undocumented and may change; the parser is covered by a
recorded fixture (tests/resources/ingest/telegram/) so breakage shows up in tests.
"""
