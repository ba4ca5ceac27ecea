"""Engine test fixtures; the reference model lives in tests/reference (put on the path here)."""
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "reference"))

from engine.commands import DefineInstrument  # noqa: E402
from engine_blotter import BTC_USDT, REFERENCE_PRICE_TICKS, Blotter  # noqa: E402


@pytest.fixture
def blotter() -> Blotter:
    blotter = Blotter()
    blotter.apply(DefineInstrument(instrument=BTC_USDT, reference_price_ticks=REFERENCE_PRICE_TICKS))
    return blotter
