"""Tests of analysis.case_study on synthetic tables (labelled SYNTHETIC) and on the real seed
article and shipped study corpus."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from analysis import case_study as cs  # noqa: E402
from analysis.corpus import load_corpus, study_articles  # noqa: E402


# SYNTHETIC articles written for these tests (not corpus text)
def synthetic_articles() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "doc_id": ["tagged", "two_terms", "one_body", "title_term", "off", "june", "undated"],
            "title": ["Police tech", "Privacy", "Net vote", "Clearview sued", "Budget", "X", "Y"],
            "text": [
                "A story with no matching term.",
                "Face-recognition tools and Amazon Rekognition were discussed.",
                "One passing mention of facial recognition only.",
                "The company was sued.",
                "Nothing to see.",
                "facial recognition and face recognition at the same time.",
                "FACIAL RECOGNITION twice: facial  recognition.",
            ],
            "subtopics": ["facial_recognition;privacy", "privacy", "", "", "ai", "", None],
            "date": pd.to_datetime(
                [
                    "2019-03-01",
                    "2020-01-05",
                    "2020-06-10",
                    "2018-02-01",
                    "2020-06-11",
                    "2020-06-30",
                    None,
                ]  # fmt: skip
            ),
            "rating": ["left", "right", "center", "left", "left", "center", ""],
            "outlet": ["A", "B", "C", "D", "E", "F", "G"],
        }
    )


def test_fr_rule_subtopic_or_two_terms_or_title():
    case = cs.facial_recognition_articles(synthetic_articles())
    assert case["doc_id"].tolist() == ["tagged", "two_terms", "title_term", "june", "undated"]
    rules = dict(zip(case["doc_id"], case["rule"]))
    assert rules["tagged"] == "subtopic"
    assert rules["two_terms"] == "terms"
    assert dict(zip(case["doc_id"], case["n_terms"]))["undated"] == 2


def test_fr_rule_without_subtopics_column_uses_terms_only():
    arts = synthetic_articles().drop(columns=["subtopics"])
    case = cs.facial_recognition_articles(arts)
    assert "tagged" not in set(case["doc_id"])
    assert set(case["rule"]) == {"terms"}


def test_case_groups_are_nested_windows_and_seed():
    case = cs.facial_recognition_articles(synthetic_articles())
    groups = cs.case_groups(case, ["seed1"])
    by = groups.groupby("group")["doc_id"].apply(set).to_dict()
    assert by[cs.ALL_DATES] == set(case["doc_id"])
    assert by[cs.YEARS_GROUP] == {"tagged", "two_terms", "june"}  # 2018 and undated excluded
    assert by[cs.JUNE_GROUP] == {"june"}  # 30 June is inside the window
    assert by[cs.SEED_GROUP] == {"seed1"}


def test_case_article_table_sorted_with_flags():
    table = cs.case_article_table(cs.facial_recognition_articles(synthetic_articles()))
    assert table["doc_id"].tolist() == ["title_term", "tagged", "two_terms", "june", "undated"]
    assert table.loc[table["doc_id"] == "june", "in_june_2020"].item()
    assert not table.loc[table["doc_id"] == "undated", "in_2019_2020"].item()
    assert list(table.columns[:4]) == ["date", "outlet", "rating", "title"]


# SYNTHETIC mentions and hits
def synthetic_mentions() -> pd.DataFrame:
    rows = [
        ("d1", 0, "IBM", "reporter", 0.5, "positive"),
        ("d1", 0, "IBM", "reporter", 0.3, "positive"),  # same sentence twice
        ("d1", 1, "Amazon", "quoted", -0.6, "negative"),
        ("d2", 0, "IBM", "reporter", -0.2, "neutral"),
        ("d2", 3, "Apple", "reporter", 0.9, "positive"),  # not a case actor
    ]
    return pd.DataFrame(rows, columns=["doc_id", "sent_idx", "actor", "voice", "score", "label"])


def synthetic_hits() -> pd.DataFrame:
    rows = [
        ("d1", 0, "praise", "evaluative", False),
        ("d1", 1, "controversy", "evaluative", True),  # negated: not counted
        ("d2", 0, "strategic_motive", "evaluative", False),
        ("d2", 0, "praise", "generic_frames", False),  # other lexicon: not counted
    ]
    return pd.DataFrame(rows, columns=["doc_id", "sent_idx", "category", "lexicon", "negated"])


def test_mention_cue_table_joins_hits_by_sentence():
    docs = pd.DataFrame({"doc_id": ["d1", "d2"], "rating": ["left", None]})
    t = cs.mention_cue_table(synthetic_mentions(), synthetic_hits(), docs)
    assert set(t["actor"]) == {"IBM", "Amazon"}
    d1_ibm = t[(t["doc_id"] == "d1") & (t["actor"] == "IBM")]
    assert d1_ibm["cue_praise"].tolist() == [1, 1]
    amazon = t[t["actor"] == "Amazon"].iloc[0]
    assert amazon["cue_controversy"] == 0
    d2 = t[t["doc_id"] == "d2"].iloc[0]
    assert (d2["cue_strategic_motive"], d2["cue_praise"]) == (1, 0)
    assert d2["rating"] == "unknown" and d1_ibm["rating"].iloc[0] == "left"


def test_cluster_bootstrap_ci():
    rng = np.random.default_rng(1)
    lo, hi = cs.cluster_bootstrap_ci(np.full(10, 0.3), np.repeat(list("abcde"), 2), 500, rng)
    assert lo == pytest.approx(0.3) and hi == pytest.approx(0.3)
    assert np.isnan(cs.cluster_bootstrap_ci(np.array([1.0, 2.0]), np.array(["a", "a"]))[0])
    vals = rng.normal(size=60)
    clusters = np.repeat(np.arange(12), 5)
    lo, hi = cs.cluster_bootstrap_ci(vals, clusters, 1000, np.random.default_rng(3))
    assert lo < vals.mean() < hi
    again = cs.cluster_bootstrap_ci(vals, clusters, 1000, np.random.default_rng(3))
    assert (lo, hi) == again


def _many_article_table(n_docs: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    # SYNTHETIC: n_docs articles, each with two IBM mentions in one sentence
    docs = [f"d{i}" for i in range(n_docs)]
    t = pd.DataFrame(
        {
            "doc_id": np.repeat(docs, 2),
            "sent_idx": 0,
            "actor": "IBM",
            "voice": "reporter",
            "score": np.tile([0.2, -0.4], n_docs),
            "label": np.tile(["positive", "negative"], n_docs),
            "cue_praise": np.repeat([1] + [0] * (n_docs - 1), 2),
            "cue_strategic_motive": 0,
            "cue_controversy": 0,
            "rating": "left",
        }
    )
    groups = pd.DataFrame({"doc_id": docs, "group": cs.ALL_DATES})
    return t, groups


def test_actor_sentiment_summary_counts_and_ci_threshold():
    for n_docs, has_ci in ((cs.MIN_CI_ARTICLES - 1, False), (cs.MIN_CI_ARTICLES + 3, True)):
        t, groups = _many_article_table(n_docs)
        s = cs.actor_sentiment_summary(t, groups, n_boot=200)
        row = s.iloc[0]
        assert (row["n_articles"], row["n_mentions"]) == (n_docs, 2 * n_docs)
        assert row["mean"] == pytest.approx(-0.1)
        assert row["share_negative"] == pytest.approx(0.5)
        assert pd.notna(row["ci_low"]) == has_ci
        assert ("too few" in row["note"]) == (not has_ci)


def test_cue_rate_summary_counts_sentences_once():
    t, groups = _many_article_table(8)
    c = cs.cue_rate_summary(t, groups, n_boot=200)
    praise = c[c["category"] == "praise"].iloc[0]
    assert (praise["n_sentences"], praise["n_with_cue"]) == (8, 1)
    assert praise["mean"] == pytest.approx(1 / 8)
    assert c["category"].tolist() == list(cs.CUE_CATEGORIES)


def test_seed_comparison_verdicts():
    summary = pd.DataFrame(
        {
            "group": [cs.ALL_DATES, cs.JUNE_GROUP, cs.SEED_GROUP, cs.ALL_DATES],
            "actor": ["IBM", "IBM", "IBM", "Amazon"],
            "n_articles": [10, 2, 1, 7],
            "mean": [0.0, 0.1, 0.5, 0.2],
            "ci_low": [-0.1, np.nan, np.nan, 0.1],
            "ci_high": [0.1, np.nan, np.nan, 0.3],
        }
    )
    out = cs.seed_comparison(summary).set_index(["actor", "group"])
    assert out.loc[("IBM", cs.ALL_DATES), "seed_vs_interval"] == "above"
    assert out.loc[("IBM", cs.JUNE_GROUP), "seed_vs_interval"] == "no interval"
    assert out.loc[("Amazon", cs.ALL_DATES), "seed_vs_interval"] == "seed has no value"
    assert out.loc[("IBM", cs.ALL_DATES), "seed_minus_corpus"] == pytest.approx(0.5)


def test_plot_intervals_labels_n():
    t, groups = _many_article_table(6)
    s = cs.actor_sentiment_summary(t, groups, n_boot=100)
    fig = cs.plot_intervals(s, panel="actor", xlabel="x", title="t")
    texts = [x.get_text() for ax in fig.axes for x in ax.texts]
    assert "6/12" in texts
    plt.close(fig)


def test_real_seed_article_is_a_case_article():
    seed, _ = load_corpus("seed_article")
    case = cs.facial_recognition_articles(seed)
    assert len(case) == 1 and case["n_terms"].iloc[0] >= cs.MIN_TERM_MATCHES


def test_real_case_set_follows_the_rule():
    study = study_articles()
    case = cs.facial_recognition_articles(study)
    assert 0 < len(case) < len(study)
    tagged = study["subtopics"].fillna("").str.split(";").apply(lambda x: cs.FR_SUBTOPIC in x)
    assert set(study.loc[tagged, "doc_id"]) <= set(case["doc_id"])
    by_terms = case[case["rule"] == "terms"]
    assert (by_terms["n_terms"] >= 1).all()


def test_sentiment_finding_ignores_thin_actors():
    summary = pd.DataFrame(
        {
            "group": [cs.ALL_DATES] * 3,
            "actor": ["IBM", "Amazon", "police/law enforcement"],
            "n_articles": [2, 6, 9],
            "mean": [0.9, 0.0, -0.3],
            "ci_low": [np.nan, -0.2, -0.4],
            "ci_high": [np.nan, 0.1, -0.25],
        }
    )
    title = cs.sentiment_finding(summary, cs.ALL_DATES)
    assert "IBM" not in title and "do not overlap" in title
    assert title.startswith(f"{cs.ALL_DATES}: police/law enforcement framed most negatively")
    thin = cs.sentiment_finding(summary.iloc[[0, 1]], cs.ALL_DATES)
    assert "too few articles" in thin
