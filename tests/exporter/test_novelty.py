"""Range and pattern novelty: block features, the nearest earlier pattern, values beyond the past range."""

from __future__ import annotations

import math

import numpy as np

from generator.exporter.novelty import block_features, nearest_past_distance, range_novelty


def test_block_features_are_mean_max_and_min_of_the_last_blocks() -> None:
    x = np.array([1.0, 2.0, 3.0, 4.0, math.nan, 6.0])
    features = block_features(x, block_steps=2, blocks=2)
    assert features.shape == (6, 6)
    assert np.isnan(features[:2]).any(axis=1).all()  # an older block lies wholly before the first sample
    np.testing.assert_array_equal(features[3], [1.5, 3.5, 2.0, 4.0, 1.0, 3.0])
    np.testing.assert_array_equal(features[5], [3.5, 6.0, 4.0, 6.0, 3.0, 6.0])  # the gap is skipped


def test_nearest_past_distance_matches_brute_force() -> None:
    rng = np.random.default_rng(3)
    features = rng.normal(0, 1, (120, 4))
    features[50] = np.nan
    found = nearest_past_distance(features, stride=3, exclusion=5)
    for i in range(120):
        earlier = [j for j in range(0, i - 5 + 1, 3) if np.isfinite(features[j]).all()]
        if not earlier or not np.isfinite(features[i]).all():
            assert math.isnan(found[i])
            continue
        expected = min(np.sqrt(((features[i] - features[j]) ** 2).sum()) for j in earlier)
        assert found[i] == np.float64(expected) or abs(found[i] - expected) < 1e-12


def test_range_novelty_is_the_distance_beyond_the_past_range() -> None:
    x = np.array([10.0, 20.0, 15.0, 30.0, math.nan, 5.0, 12.0])
    novelty = range_novelty(x, warmup=2)
    assert math.isnan(novelty[0]) and math.isnan(novelty[1])  # warming up
    assert novelty[2] == 0.0
    assert novelty[3] == 1.0  # 10 above a range of 10
    assert math.isnan(novelty[4])
    assert novelty[5] == 0.25  # 5 below a range of 20
    assert novelty[6] == 0.0
