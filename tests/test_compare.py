"""Group comparisons: bootstrap summaries, differences, periods, subtopics and their charts.

Real data: the shipped study corpus (``study_articles()``) with a real score, the number of words
of each article. Synthetic data (labelled SYNTHETIC) is used only to check interval calibration,
where the true mean must be known.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis import compare
from analysis.corpus import study_articles
from analysis.plots import RATING_ORDER


@pytest.fixture(scope="module")
def arts() -> pd.DataFrame:
    a = study_articles()
    a["n_words"] = a["text"].str.split().str.len().astype(float)
    return a


def test_summary_matches_pandas_and_ci_covers_mean(arts):
    s = compare.group_summary(arts, "n_words", "rating")
    assert list(s["rating"]) == RATING_ORDER
    assert s["n"].sum() == len(arts)
    expected = arts.groupby("rating")["n_words"].agg(["mean", "median", "count"])
    for _, row in s.iterrows():
        assert row["n"] == expected.loc[row["rating"], "count"]
        assert row["mean"] == pytest.approx(expected.loc[row["rating"], "mean"])
        assert row["median"] == pytest.approx(expected.loc[row["rating"], "median"])
        assert row["ci_low"] < row["mean"] < row["ci_high"]
        assert row["caution"] == ""
    assert s.attrs["score"] == "n_words" and s.attrs["n_boot"] == 2000


def test_bootstrap_is_reproducible_with_seed_and_changes_without(arts):
    a = compare.group_summary(arts, "n_words", "rating", seed=3)
    b = compare.group_summary(arts, "n_words", "rating", seed=3)
    c = compare.group_summary(arts, "n_words", "rating", seed=4)
    pd.testing.assert_frame_equal(a, b)
    assert not np.allclose(a["ci_low"], c["ci_low"])
    # a group's interval does not depend on which other groups are present
    left_only = compare.group_summary(arts[arts["rating"] == "left"], "n_words", "rating", seed=3)
    assert left_only["ci_low"].iloc[0] == a.loc[a["rating"] == "left", "ci_low"].iloc[0]


def test_bootstrap_ci_calibration_on_synthetic_groups():
    # SYNTHETIC: 300 independent groups of 60 skewed (exponential) values with true mean 1.0.
    rng = np.random.default_rng(11)
    df = pd.DataFrame(
        {"g": np.repeat([f"g{i:03d}" for i in range(300)], 60), "x": rng.exponential(1.0, 18000)}
    )
    s = compare.group_summary(df, "x", "g", n_boot=1000, seed=0)
    coverage = ((s["ci_low"] <= 1.0) & (s["ci_high"] >= 1.0)).mean()
    assert 0.86 <= coverage <= 0.99  # nominal 0.95; percentile intervals under-cover a little


def test_caution_flags_thin_groups(arts):
    s = compare.group_summary(arts, "n_words", "outlet", min_n=20)
    thin = s["n"] < 20
    assert thin.any() and (~thin).any()
    assert (s.loc[thin, "caution"] == "n < 20").all()
    assert (s.loc[~thin, "caution"] == "").all()
    one = s[s["n"] == 1]
    assert len(one) and (one["ci_low"] == one["mean"]).all() and one["sd"].isna().all()


def test_periods_keep_unknown_dates(arts):
    p = compare.add_period(arts, "year")
    assert (p["year"] == "unknown").sum() == arts["date"].isna().sum()
    m = compare.add_period(arts, "month")
    known = m.loc[arts["date"].notna(), "month"]
    assert known.str.fullmatch(r"\d{4}-\d{2}").all()
    s = compare.group_summary(arts, "n_words", ["rating", "year"])
    assert s["n"].sum() == len(arts)
    assert s.loc[s["year"] == "unknown", "n"].sum() == arts["date"].isna().sum()
    assert s.groupby("rating", sort=False)["year"].last().eq("unknown").all()  # unknown last


def test_subtopic_groups_overlap(arts):
    s = compare.group_summary(arts, "n_words", "subtopic")
    assert s.attrs["overlapping_groups"] is True
    for _, row in s.iterrows():
        flag = f"sub_{row['subtopic']}"
        if flag in arts.columns:
            assert row["n"] == int(arts[flag].sum())
    assert s["n"].sum() > len(arts)  # some articles sit in several subtopics


def test_missing_scores_are_dropped(arts):
    df = arts.copy()
    df.loc[df.index[:10], "n_words"] = np.nan
    s = compare.group_summary(df, "n_words", "rating")
    assert s["n"].sum() == len(arts) - 10


def test_differences_are_antisymmetric(arts):
    vs_center = compare.group_differences(arts, "n_words", "rating", reference="center")
    vs_left = compare.group_differences(arts, "n_words", "rating", reference="left")
    a = vs_center.set_index("group_a").loc["left"]
    b = vs_left.set_index("group_a").loc["center"]
    assert a["diff"] == pytest.approx(-b["diff"])
    assert a["diff_ci_low"] == pytest.approx(-b["diff_ci_high"])
    assert a["diff_ci_high"] == pytest.approx(-b["diff_ci_low"])
    assert a["cohens_d"] == pytest.approx(-b["cohens_d"])
    assert a["d_ci_low"] == pytest.approx(-b["d_ci_high"])
    assert a["mw_p"] == pytest.approx(b["mw_p"])


def test_differences_values(arts):
    d = compare.group_differences(arts, "n_words", "rating")
    assert list(zip(d["group_a"], d["group_b"])) == [
        ("left", "center"),
        ("left", "right"),
        ("center", "right"),
    ]
    row = d.iloc[1]
    left = arts.loc[arts["rating"] == "left", "n_words"].to_numpy()
    right = arts.loc[arts["rating"] == "right", "n_words"].to_numpy()
    pooled = np.sqrt(
        ((len(left) - 1) * left.var(ddof=1) + (len(right) - 1) * right.var(ddof=1))
        / (len(left) + len(right) - 2)
    )
    assert row["diff"] == pytest.approx(left.mean() - right.mean())
    assert row["cohens_d"] == pytest.approx((left.mean() - right.mean()) / pooled)
    assert row["diff_ci_low"] < row["diff"] < row["diff_ci_high"]
    assert row["d_ci_low"] < row["cohens_d"] < row["d_ci_high"]
    assert (d["n_a"] + d["n_b"] > 0).all() and d["mw_p"].between(0, 1).all()
    assert (d["mw_p_holm"] >= d["mw_p"] - 1e-15).all()
    thin = compare.group_differences(arts, "n_words", "outlet", reference="Fox News")
    flagged = thin["caution"] != ""
    assert flagged.any()
    assert (thin.loc[flagged, "n_a"] < 20).all()


def test_plots_state_finding_and_n(arts):
    s = compare.group_summary(arts, "n_words", "rating")
    fig = compare.plot_group_summary(s, "Words per article")
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert all("n = " in lab for lab in labels)
    hi = s.loc[s["mean"].idxmax(), "rating"]
    assert f"highest in {hi}" in fig.get_suptitle().replace("\n", " ")
    t = compare.group_summary(arts, "n_words", ["rating", "year"])
    fig2 = compare.plot_over_time(t, "Words per article")
    assert "year" in fig2.axes[0].get_xlabel()
    assert "unknown" not in [x.get_text() for x in fig2.axes[0].get_xticklabels()]


def test_explode_subtopics_on_synthetic_rows():
    # SYNTHETIC rows: two subtopics, one article without any.
    df = pd.DataFrame({"doc_id": ["a", "b", "c"], "subtopics": ["ai;privacy", "ai", ""], "x": 1})
    ex = compare.explode_subtopics(df)
    assert sorted(zip(ex["doc_id"], ex["subtopic"])) == [
        ("a", "ai"),
        ("a", "privacy"),
        ("b", "ai"),
        ("c", "none"),
    ]


def test_differences_forest_plot(arts):
    d = compare.group_differences(arts, "n_words", "rating")
    fig = compare.plot_group_differences(d, "words per article")
    ax = fig.axes[0]
    assert len(ax.get_yticklabels()) == 3
    clear = ((d["diff_ci_low"] > 0) | (d["diff_ci_high"] < 0)).sum()
    assert fig.get_suptitle().replace("\n", " ").startswith(f"words per article: {clear} of 3")


def test_bootstrap_mean_table_stacks_group_summaries(arts):
    df = arts.assign(title_words=arts["title"].fillna("").str.split().str.len().astype(float))
    t = compare.bootstrap_mean_table(df, ["n_words", "title_words"], "rating", n_boot=500, seed=2)
    summary_cols = ["rating", "group", "n", "mean", "median", "sd", "ci_low", "ci_high", "caution"]
    assert list(t.columns) == ["score", *summary_cols]
    assert list(dict.fromkeys(t["score"])) == ["n_words", "title_words"]
    for score in ("n_words", "title_words"):
        alone = compare.group_summary(df, score, "rating", n_boot=500, seed=2)
        part = t[t["score"] == score].drop(columns="score").reset_index(drop=True)
        pd.testing.assert_frame_equal(part, alone, check_exact=True)
    # a score's numbers do not depend on the other scores or their order
    rev = compare.bootstrap_mean_table(df, ["title_words", "n_words"], "rating", n_boot=500, seed=2)
    pd.testing.assert_frame_equal(
        rev[rev["score"] == "n_words"].reset_index(drop=True),
        t[t["score"] == "n_words"].reset_index(drop=True),
        check_exact=True,
    )
    assert t.attrs["scores"] == ["n_words", "title_words"] and t.attrs["by"] == ["rating"]
    assert t.attrs["overlapping_groups"] is False
    sub = compare.bootstrap_mean_table(df, ["n_words"], "subtopic", n_boot=200)
    assert sub.attrs["overlapping_groups"] is True
    with pytest.raises(ValueError, match="at least one"):
        compare.bootstrap_mean_table(df, [], "rating")
    with pytest.raises(ValueError, match="score"):
        compare.bootstrap_mean_table(df.assign(score="x"), ["n_words"], "score")
    with pytest.raises(KeyError, match="nope"):
        compare.bootstrap_mean_table(df, ["n_words", "nope"], "rating")


def test_holm_adjust_matches_the_step_down_rule(arts):
    # real p-values: every pair of publication years compared on words per article (this family
    # separates Holm from Bonferroni and from a step-down without the running maximum)
    p = compare.group_differences(arts, "n_words", "year", n_boot=50)["mw_p"].to_numpy()
    p = p[np.isfinite(p)]
    assert len(p) > 20
    adj = compare.holm_adjust(p)
    assert ((adj >= p) & (adj <= 1)).all()
    order = np.argsort(p, kind="stable")
    assert (np.diff(adj[order]) >= 0).all()  # monotone in the raw p-values
    m = len(p)
    for alpha in np.geomspace(1e-6, 0.5, 60):
        # Holm rejects H_(k) iff p_(j) <= alpha / (m - j + 1) for every j <= k (1-based)
        ok = p[order] <= alpha / (m - np.arange(m))
        rejected = np.zeros(m, bool)
        rejected[order] = np.logical_and.accumulate(ok)
        assert ((adj <= alpha) == rejected).all()
    # NaN stays NaN and does not count as a test
    with_nan = compare.holm_adjust(np.concatenate([[np.nan], p, [np.nan]]))
    assert np.isnan(with_nan[[0, -1]]).all()
    np.testing.assert_array_equal(with_nan[1:-1], adj)
