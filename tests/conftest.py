import pytest

from core.clock import FakeClock
from kernbot.harness import BotHarness
from programme.demo import DEMO_NOW


@pytest.fixture
def clock():
    return FakeClock(DEMO_NOW)


@pytest.fixture
async def bot(tmp_path, clock):
    async with BotHarness.start(tmp_path, clock=clock) as harness:
        yield harness
