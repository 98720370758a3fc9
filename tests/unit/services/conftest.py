"""Service tests run on in-memory fakes: no emulator, and no sockets (tests/unit/conftest.py)."""
from __future__ import annotations

import pytest

from tests.fakes.world import World, build_world


@pytest.fixture
def world() -> World:
    return build_world()
