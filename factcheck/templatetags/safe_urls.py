"""``{{ value|http_url }}``: the URL if it may be an ``href``, else "".

The last line of the rule in ``sources.urls`` ("a URL we store or link is http(s)
only"): every template that turns a stored URL into a link passes it through this
filter, so a ``javascript:``/``data:`` value, one with credentials or control
characters, or a protocol-relative ``//host`` that reached the database some other
way is shown as text at most, never as a live link. Use it as

    {% with href=value.url|http_url %}{% if href %}<a href="{{ href }}">...</a>{% endif %}{% endwith %}
"""

from __future__ import annotations

from django import template

from sources.urls import safe_http_url

register = template.Library()


@register.filter
def http_url(value: object) -> str:
    return safe_http_url(value)
