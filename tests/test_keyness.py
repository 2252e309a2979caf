"""Fightin' Words keyness: a hand-computed example, invariances, the term-table route, real data."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from analysis import keyness
from analysis.corpus import study_articles

# SYNTHETIC texts, made up for the hand computation below.
SYNTH_TEXTS = ["cat cat dog", "dog dog bird"]
SYNTH_GROUPS = ["a", "b"]


def test_hand_computed_example():
    # Counts: a = {cat 2, dog 1}, b = {dog 2, bird 1}; n_a = n_b = 3, n = 6.
    # alpha0 = 6 makes the prior a_w = 6 * y_w / 6 = y_w: cat 2, dog 3, bird 1.
    t = keyness.keyness(SYNTH_TEXTS, SYNTH_GROUPS, alpha0=6, stop_words=None)
    a = t[t["group"] == "a"].set_index("term")
    # cat in a: log((2+2)/(3+6-2-2)) - log((0+2)/(3+6-0-2)) = log(4/5) - log(2/7) = log(2.8)
    assert a.loc["cat", "log_odds"] == pytest.approx(math.log(2.8))
    assert a.loc["cat", "z"] == pytest.approx(math.log(2.8) / math.sqrt(1 / 4 + 1 / 2))
    # dog in a: log((1+3)/(9-1-3)) - log((2+3)/(9-2-3)) = log(4/5) - log(5/4) = 2 log(0.8)
    assert a.loc["dog", "log_odds"] == pytest.approx(2 * math.log(0.8))
    assert a.loc["dog", "z"] == pytest.approx(2 * math.log(0.8) / math.sqrt(1 / 4 + 1 / 5))
    # bird in a: log((0+1)/(9-0-1)) - log((1+1)/(9-1-1)) = log(1/8) - log(2/7) = log(7/16)
    assert a.loc["bird", "log_odds"] == pytest.approx(math.log(7 / 16))
    assert a.loc["bird", "z"] == pytest.approx(math.log(7 / 16) / math.sqrt(1 / 1 + 1 / 2))
    assert list(a.sort_values("rank").index) == ["cat", "dog", "bird"]
    assert a.loc["cat", "count_group"] == 2 and a.loc["cat", "count_rest"] == 0
    assert t.attrs["alpha0"] == 6.0 and t.attrs["tokens"] == 6


def test_two_groups_are_mirror_images():
    t = keyness.keyness(SYNTH_TEXTS, SYNTH_GROUPS, alpha0=6, stop_words=None)
    a = t[t["group"] == "a"].set_index("term").sort_index()
    b = t[t["group"] == "b"].set_index("term").sort_index()
    np.testing.assert_allclose(a["z"], -b["z"])
    np.testing.assert_allclose(a["log_odds"], -b["log_odds"])


# SYNTHETIC three-group corpus for the invariance tests.
SYNTH3 = pd.DataFrame(
    {
        "doc_id": [f"s{i}" for i in range(9)],
        "text": [
            "privacy data privacy users consent",
            "users data breach privacy",
            "privacy regulators data fine",
            "national security surveillance terror",
            "surveillance warrant court security",
            "security agency phone records",
            "market competition antitrust giants",
            "antitrust breakup competition",
            "market power giants data",
        ],
        "group": ["x", "x", "x", "y", "y", "y", "z", "z", "z"],
    }
)


def test_result_does_not_depend_on_document_or_group_order():
    base = keyness.keyness(SYNTH3["text"], SYNTH3["group"], alpha0=10)
    shuffled = SYNTH3.sample(frac=1, random_state=5)
    again = keyness.keyness(shuffled["text"].tolist(), shuffled["group"].tolist(), alpha0=10)
    pd.testing.assert_frame_equal(base, again)
    assert base.attrs["groups"] == ["x", "y", "z"]
    # each group's rank runs 1..V over the whole vocabulary
    for _, g in base.groupby("group"):
        assert sorted(g["rank"]) == list(range(1, len(g) + 1))
    x = base[base["group"] == "x"].set_index("term")
    assert x.loc["privacy", "rank"] == 1  # used 4 times in x, never elsewhere


def test_terms_table_route_matches_text_route():
    tokens = SYNTH3.assign(term=SYNTH3["text"].str.split()).explode("term")[["doc_id", "term"]]
    groups = SYNTH3.set_index("doc_id")["group"]
    from_terms = keyness.keyness_from_terms(tokens, groups, alpha0=10)
    from_text = keyness.keyness(SYNTH3["text"], SYNTH3["group"], alpha0=10, stop_words=None)
    cols = ["group", "term", "count_group", "count_rest", "rank"]
    pd.testing.assert_frame_equal(from_terms[cols], from_text[cols])
    np.testing.assert_allclose(from_terms["z"], from_text["z"])
    # documents without a group are left out and counted
    extra = pd.concat([tokens, pd.DataFrame({"doc_id": ["nogroup"], "term": ["privacy"]})])
    t2 = keyness.keyness_from_terms(extra, SYNTH3[["doc_id", "group"]], alpha0=10)
    assert t2.attrs["unmatched_rows"] == 1
    pd.testing.assert_frame_equal(t2[cols], from_terms[cols])


def test_real_corpus_by_rating():
    arts = study_articles(sample=300, seed=2)
    t = keyness.keyness(arts["title"] + "\n" + arts["text"], arts["rating"])
    assert t.attrs["groups"] == ["left", "center", "right"]
    sizes = t.groupby("group").size()
    assert sizes.nunique() == 1  # every term scored for every group
    corpus_count = (t["count_group"] + t["count_rest"]).groupby(t["term"])
    assert (corpus_count.min() == corpus_count.max()).all()  # same total seen from every group
    assert (t.groupby("term")["count_group"].sum() == corpus_count.min()).all()
    tok = t.attrs["tokens_per_group"]
    n = sum(tok.values())
    for group, g in t.groupby("group"):
        top = g.sort_values("rank").iloc[0]
        rate_in = top["count_group"] / tok[group]
        rate_out = top["count_rest"] / (n - tok[group])
        assert top["z"] > 1.96 and top["log_odds"] > 0 and rate_in > rate_out
    assert "the" not in set(t["term"])  # stop words removed by default
    fig = keyness.plot_keyness(t, top_n=10)
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert len(visible) == 3
    assert all(len(ax.get_yticklabels()) == 10 for ax in visible)
