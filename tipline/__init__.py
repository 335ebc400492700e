"""A messaging tipline: readers ask "is this true?" in a messenger (Telegram first).

``tipline.backends.Tipline`` is the small interface a messenger implements (parse an
update, send a reply, connect the webhook); ``tipline.telegram`` is the Telegram Bot API
backend and ``tipline.services`` the conversation: match against published debunks,
ask consent, hand a tip to the claim queue, tell the sender when the fact-check is out.
Privacy and the other backends: docs/network.md ("Tipline").
"""
