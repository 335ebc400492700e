"""The container's health probe: ``python -m factcheck.healthcheck [URL]``.

Exits 0 when ``/healthz`` answers 200 (the database is reachable), 1 otherwise. It
imports nothing from Django, so polling it every 30 seconds costs a bare interpreter,
not a second copy of the application.

The request goes to the loopback address but names the first ``ALLOWED_HOSTS`` entry as
its ``Host``: Django refuses hosts it does not serve, and production does not have to
list 127.0.0.1. ``/healthz`` is exempt from the HTTPS redirect, so plain HTTP is fine.
The Dockerfile's HEALTHCHECK and .ci/smoke_production.sh both run this module.
"""

from __future__ import annotations

import os
import sys
import urllib.error
import urllib.request

DEFAULT_URL = "http://127.0.0.1:8000/healthz"


def probe_host(allowed_hosts: str) -> str:
    """The Host header to send: the first allowed host, a wildcard read as localhost."""
    first = next((h.strip() for h in allowed_hosts.split(",") if h.strip()), "localhost")
    host = first.lstrip(".")  # ".example.org" allows example.org and its subdomains
    return "localhost" if host in ("", "*") else host


def main(argv: list[str]) -> int:
    url = argv[1] if len(argv) > 1 else DEFAULT_URL
    host = probe_host(os.environ.get("ALLOWED_HOSTS", ""))
    request = urllib.request.Request(url, headers={"Host": host})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 - loopback
            ok = response.status == 200
    except (urllib.error.URLError, OSError) as exc:
        print(f"unhealthy: {exc}", file=sys.stderr)
        return 1
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
