"""Shared fixtures. No test touches the network: sockets to anything but loopback are refused."""

from __future__ import annotations

import ipaddress
import socket
from pathlib import Path

import pytest

RESOURCES = Path(__file__).parent / "resources"

_real_connect = socket.socket.connect


def _is_loopback(address) -> bool:
    if isinstance(address, tuple) and address:
        host = address[0]
    else:  # unix sockets (PostgreSQL on a socket path) are local
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def _guarded_connect(self, address):
    if self.family in (socket.AF_INET, socket.AF_INET6) and not _is_loopback(address):
        raise OSError(f"tests may not reach non-loopback address {address!r}")
    return _real_connect(self, address)


@pytest.fixture(autouse=True)
def _block_network(monkeypatch):
    monkeypatch.setattr(socket.socket, "connect", _guarded_connect)


@pytest.fixture
def resources() -> Path:
    return RESOURCES
