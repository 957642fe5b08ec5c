"""The collector paused while lists are read and clustered is given back as it was."""

from __future__ import annotations

import gc

import pandas as pd
import pytest

from dalil.linkage.clusters import cluster
from dalil.linkage.gcpause import paused_gc


def test_paused_gc_restores_the_collector_also_after_an_error() -> None:
    assert gc.isenabled()
    with paused_gc():
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(KeyError), paused_gc():
        raise KeyError("x")
    assert gc.isenabled()
    gc.disable()
    try:
        with paused_gc():
            pass
        assert not gc.isenabled()  # was off before: stays off
    finally:
        gc.enable()


def test_clustering_leaves_the_collector_on() -> None:
    pairs = pd.DataFrame({"unique_id_l": ["a"], "unique_id_r": ["b"], "match_probability": [0.9]})
    assert cluster(["a", "b"], pairs, 0.5).cluster_of == {"a": "a", "b": "a"}
    assert gc.isenabled()
    with pytest.raises(ValueError):
        cluster(["a", "b"], pairs.assign(match_probability=["x"]), 0.5)
    assert gc.isenabled()
