API_PREFIX = "/api/v1/"


def public_api_only(endpoints):
    """drf-spectacular hook: document the public API, not Wagtail's admin endpoints."""
    return [endpoint for endpoint in endpoints if endpoint[0].startswith(API_PREFIX)]
