"""Shared fixtures."""

from __future__ import annotations

import pytest

from netsim import World
from tests.helpers import build_bridge_topology


@pytest.fixture
def world() -> World:
    return World(seed=7)


@pytest.fixture
def bridged() -> World:
    w = World(seed=7)
    build_bridge_topology(w)
    return w
