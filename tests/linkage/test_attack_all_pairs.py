"""Attack: linkage compared every pair (issue 18, break 11). When no blocking rule fit
the pair budget, the model compared all pairs: 22,000 records drove the database engine
to 18.8 GiB and a crash. It now refuses in one line and says which fields would help."""

from __future__ import annotations

import time
import tracemalloc

import pytest

from dalil.errors import InputError
from dalil.linkage.link import link_records


def test_22000_uninformative_records_are_refused_not_compared_pairwise() -> None:
    records = [{"record_id": str(i), "full_name": "Fictional Name"} for i in range(22_000)]
    tracemalloc.start()
    t0 = time.perf_counter()
    try:
        with pytest.raises(InputError) as e:
            link_records(records)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    msg = str(e.value)
    assert msg.startswith("linkage: no blocking rule fits 22000 records within")
    assert "father's name" in msg and "year of birth" in msg and "\n" not in msg
    # Refused before any pair is built: far below the 242 million pairs' memory.
    assert peak < 300 * 1024 * 1024, peak
    assert time.perf_counter() - t0 < 120


def test_a_small_uninformative_list_is_still_linked() -> None:
    """All pairs of a handful of records fit the budget: no refusal."""
    records = [{"record_id": str(i), "full_name": "Fictional Name"} for i in range(6)]
    out = link_records(records)
    assert len(out.clustering.cluster_of) == 6
