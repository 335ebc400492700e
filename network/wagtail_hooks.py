from wagtail import hooks

from .viewsets import NetworkViewSetGroup


@hooks.register("register_admin_viewset")
def register_network_viewsets() -> NetworkViewSetGroup:
    return NetworkViewSetGroup()
