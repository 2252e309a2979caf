"""Convergent validity of lexicon categories against human sentiment (analysis.lexicon_validity).

Synthetic numbers below are made up for the test (labelled as such); the last tests read the
real NYT snippets and NewsMTSC train split shipped in data/validation.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis import lexicon_validity as lv


def _synthetic(n_clusters: int = 60, per: int = 5, seed: int = 0):
    """SYNTHETIC: human values for texts in clusters; ``up`` texts score +1 higher, ``down``
    texts 1 lower, ``noise`` presence is unrelated to the value."""
    rng = np.random.default_rng(seed)
    n = n_clusters * per
    clusters = np.repeat(np.arange(n_clusters), per)
    up = rng.random(n) < 0.3
    down = ~up & (rng.random(n) < 0.3)
    noise = rng.random(n) < 0.3
    y = rng.normal(0, 0.5, n) + up * 1.0 - down * 1.0
    presence = pd.DataFrame({"x.up": up, "x.down": down, "x.noise": noise, "x.flat": noise})
    return y, presence, clusters


def test_verdicts_follow_the_sign_and_the_interval():
    y, presence, clusters = _synthetic()
    expected = {"x.up": 1, "x.down": 1, "x.noise": -1}  # x.flat: not listed -> not valenced
    t = lv.cue_sentiment_table(y, presence, clusters, "synthetic", expected=expected, n_boot=500)
    v = t.set_index("category")["verdict"]
    assert v["x.up"] == "as expected"
    assert v["x.down"] == "contradicts"
    assert v["x.noise"] == "no clear difference"
    assert v["x.flat"] == "not valenced"
    row = t.set_index("category").loc["x.up"]
    has = presence["x.up"].to_numpy()
    assert row["n_with"] == has.sum()
    assert row["difference"] == pytest.approx(y[has].mean() - y[~has].mean())
    assert row["ci_low"] < row["difference"] < row["ci_high"]
    assert list(t.columns) == lv.COLUMNS


def test_cluster_bootstrap_is_wider_when_clusters_are_internally_alike():
    """Cluster resampling: the same 300 values give a wider CI when each cluster's texts share
    one value (fewer independent units) than when every text is its own cluster."""
    rng = np.random.default_rng(1)
    base = rng.normal(0, 1, 30)
    y = np.repeat(base, 10)
    has = np.tile(np.r_[np.ones(5, bool), np.zeros(5, bool)], 30) & np.repeat(base > 0, 10)
    lo_c, hi_c = lv.clustered_difference_ci(y, has, np.repeat(np.arange(30), 10), n_boot=1000)
    lo_i, hi_i = lv.clustered_difference_ci(y, has, np.arange(300), n_boot=1000)
    assert hi_c - lo_c > 1.5 * (hi_i - lo_i)
    assert lv.clustered_difference_ci(y, has, np.zeros(300), n_boot=100) == (
        pytest.approx(np.nan, nan_ok=True),
        pytest.approx(np.nan, nan_ok=True),
    )


def test_bad_input_is_named():
    y, presence, clusters = _synthetic()
    with pytest.raises(ValueError, match="synthetic: human"):
        lv.cue_sentiment_table(y[:-1], presence, clusters, "synthetic")
    y = y.copy()
    y[7] = np.nan
    with pytest.raises(ValueError, match="row 7"):
        lv.cue_sentiment_table(y, presence, clusters, "synthetic")


def test_cue_presence_reads_the_seed_phrases():
    texts = [
        "The decision seems to be a bold one.",
        "Amazon's controversial Rekognition service is not well thought of.",
        "The weather was mild on Tuesday.",
    ]
    p = lv.cue_presence(texts)
    assert p.loc[0, "evaluative.praise"]
    assert p.loc[1, "evaluative.controversy"]
    assert not p.loc[2].any()
    assert {c.split(".")[0] for c in p.columns} == set(lv.DEFAULT_LEXICONS)


def test_finding_names_the_categories():
    t = pd.DataFrame(
        {
            "dataset": ["a", "a", "b", "b"],
            "category": ["evaluative.praise", "evaluative.rights"] * 2,
            "expected": [1, -1, 1, -1],
            "verdict": ["as expected", "no clear difference", "as expected", "as expected"],
        }
    )
    assert lv.cue_validity_finding(t) == (
        "Human sentiment differs in the expected direction for praise in both datasets; "
        "rights in 1 of 2 datasets"
    )


def test_real_nyt_snippets_hear_praise_and_controversy():
    """Real data: the 5,190 NYT snippets and their human rater means."""
    t = lv.nyt_cue_validity(n_boot=300).set_index("category")
    assert (t["n_texts"] == 5190).all()
    assert t.loc["evaluative.praise", "ci_low"] > 0
    assert t.loc["evaluative.controversy", "ci_high"] < 0
    assert t.loc["evaluative.praise", "verdict"] == "as expected"


def test_real_newsmtsc_train_targets():
    """Real data: every NewsMTSC train target is counted once."""
    t = lv.newsmtsc_cue_validity(n_boot=300).set_index("category")
    assert (t["n_texts"] == 8739).all()
    assert t.loc["evaluative.conflict", "verdict"] == "as expected"
    assert (t.loc[t["expected"] == 0, "verdict"] == "not valenced").all()


def test_plot_has_one_panel_per_dataset_and_states_the_finding():
    y, presence, clusters = _synthetic()
    expected = {"x.up": 1, "x.down": 1}
    t = pd.concat(
        [
            lv.cue_sentiment_table(y, presence, clusters, f"set {k} (units)", expected, 200)
            for k in "ab"
        ],
        ignore_index=True,
    )
    from analysis.framing_report import plot_cue_validity

    fig = plot_cue_validity(t)
    axes = [ax for ax in fig.axes if ax.get_yticklabels()]
    assert [ax.get_title() for ax in axes] == ["set a", "set b"]
    assert "up in both datasets; down in 0 of 2 datasets" in fig.texts[0].get_text().replace(
        "\n", " "
    )
