from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass
class ArticleData:
    url: str
    title: str = ""
    text: str = ""
    html: str = ""  # the extracted main content as (unsanitised) HTML
    author: str = ""
    published_at: datetime | None = None
    date_source: str = ""  # 'metadata', 'hint', 'htmldate', 'label' or '' (none plausible)
    language: str = ""
    image: str = ""
    canonical_url: str = ""
