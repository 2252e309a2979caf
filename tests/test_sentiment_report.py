"""Tables of the sentiment chapter (analysis.sentiment_report) on real data: the seed article, the
shipped corpus (a seeded sample), the NYT snippets and the EEC templates."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis import sentiment_report as sr
from analysis.corpus import load_corpus, study_articles
from analysis.pipeline import score_corpus
from analysis.text import sentence_table


@pytest.fixture(scope="module")
def seed_scores():
    seed, _ = load_corpus("seed_article")
    return seed, score_corpus(seed)


@pytest.fixture(scope="module")
def sample_scores():
    study = study_articles(sample=40, seed=3)
    return score_corpus(study, jobs=1)


def test_seed_table_has_every_sentence_with_voice_and_both_scores(seed_scores):
    seed, scores = seed_scores
    table = sr.seed_sentence_table(scores.sentences)
    expected = sentence_table(seed)
    assert len(table) == len(expected)
    assert table["sent_idx"].tolist() == sorted(expected["sent_idx"].tolist())
    assert table["text"].tolist() == expected.sort_values("sent_idx")["text"].tolist()
    assert set(table["voice"]) == {"reporter", "quoted"}
    for col in ("vader_compound", "news_compound"):
        assert table[col].between(-1, 1).all()
    # quoted sentences name who speaks
    assert table.loc[table["voice"] == "quoted", "speaker"].ne("").all()


def test_seed_table_explains_the_scores(seed_scores):
    _, scores = seed_scores
    table = sr.seed_sentence_table(scores.sentences)
    # a sentence without any lexicon word with valence has a VADER compound of exactly 0
    silent = table[table["vader_words"] == ""]
    assert len(silent) > 0
    assert (silent["vader_compound"] == 0).all()
    moved = table[table["vader_compound"] != 0]
    assert moved["vader_words"].ne("").all()
    racism = table[table["text"].str.contains("systemic racism")].iloc[0]
    assert "racism -3.10" in racism["vader_words"]
    assert "Black Lives Matter" in racism["neutralised"]
    assert "Matter" not in racism["news_words"]  # neutralised: valence 0 for the news scorer


def test_seed_word_table_is_the_long_form(seed_scores):
    _, scores = seed_scores
    table = sr.seed_sentence_table(scores.sentences)
    words = sr.seed_word_table(scores.sentences)
    assert len(words) == table["n_lexicon_words"].sum()
    per = words.groupby("sent_idx").size()
    assert (
        per.to_dict() == table.set_index("sent_idx")["n_lexicon_words"][lambda s: s > 0].to_dict()
    )
    assert (words.loc[words["neutralised"], "news_valence"] == 0).all()


def test_voice_table_counts_add_up(sample_scores):
    docs = sample_scores.docs
    voices = sr.voice_table(docs, "news", "rating", n_boot=300)
    assert set(voices["voice"]) == {"reporter", "quoted"}
    for voice in ("reporter", "quoted"):
        v = voices[voices["voice"] == voice].set_index("group")
        expected = docs.groupby("rating")[f"news_{voice}_compound_mean"].count()
        expected = expected[expected > 0]
        assert v["n"].to_dict() == expected.to_dict()
        assert v["n"].sum() == docs[f"news_{voice}_compound_mean"].notna().sum()
    assert ((voices["ci_low"] <= voices["mean"]) & (voices["mean"] <= voices["ci_high"])).all()
    # reruns are identical (seeded bootstrap)
    pd.testing.assert_frame_equal(voices, sr.voice_table(docs, "news", "rating", n_boot=300))


def test_voice_gap_is_paired_within_articles(sample_scores):
    docs = sample_scores.docs
    gap = sr.voice_gap_table(docs, "vader", "rating", n_boot=300)
    both = docs["vader_reporter_compound_mean"].notna() & docs["vader_quoted_compound_mean"].notna()
    assert gap["n"].sum() == both.sum()
    d = docs[both]
    manual = (d["vader_quoted_compound_mean"] - d["vader_reporter_compound_mean"]).groupby(
        d["rating"]
    )
    assert np.allclose(gap.set_index("group")["mean"].sort_index(), manual.mean().sort_index())


def test_without_ratings_everything_is_one_group(sample_scores):
    docs = sample_scores.docs.drop(columns=["rating"])
    voices = sr.voice_table(docs, "news", "rating", n_boot=200)
    assert set(voices["group"]) == {sr.ALL_GROUP}
    assert (
        voices.set_index("voice").loc["reporter", "n"]
        == docs["news_reporter_compound_mean"].notna().sum()
    )
    actors = sr.actor_group_table(sample_scores.actors, docs, min_articles=3, n_boot=200)
    assert set(actors["group"]) <= {sr.ALL_GROUP}


def test_actor_table_counts_articles_per_actor_and_rating(sample_scores):
    acts, docs = sample_scores.actors, sample_scores.docs
    table = sr.actor_group_table(acts, docs, "rating", names=None, min_articles=5, n_boot=300)
    counts = acts.groupby("actor")["doc_id"].nunique()
    assert set(table["actor"]) == set(counts[counts >= 5].index)
    assert len(table) > 0
    merged = acts.merge(docs[["doc_id", "rating"]], on="doc_id")
    expected = merged.groupby(["actor", "rating"]).size()
    for r in table.itertuples():
        assert r.n == expected[(r.actor, r.group)]
    per_actor = table.groupby("actor")["n"].sum()
    assert (per_actor == table.groupby("actor")["n_articles_actor"].first()).all()
    # ordered by how many articles mention the actor
    firsts = table.groupby("actor", sort=False)["n_articles_actor"].first().to_numpy()
    assert (np.diff(firsts) <= 0).all()
    # cells below the threshold are flagged
    assert (table.loc[table["n"] < 5, "caution"] != "").all()


def test_actor_table_keeps_only_named_actors(sample_scores):
    table = sr.actor_group_table(
        sample_scores.actors, sample_scores.docs, names=["Congress", "NSA"], min_articles=1
    )
    assert set(table["actor"]) <= {"Congress", "NSA"}


@pytest.fixture(scope="module")
def nyt_table():
    return sr.nyt_validation_table(recompute=False)


def test_nyt_validation_table_uses_stored_cv_with_fisher_intervals(nyt_table):
    table = nyt_table.set_index("scorer")
    assert list(table.index) == ["vader", "vader_neutralised", "news", "news_context"]
    assert table.loc["vader", "source"] == "computed now"
    assert table.loc["news", "source"].startswith("stored CV")
    assert (table["n"] == 5190).all()
    assert (
        (table["r_ci_low"] < table["pearson_r"]) & (table["pearson_r"] < table["r_ci_high"])
    ).all()
    # the Fisher interval used for stored r reproduces scipy's interval for the computed row
    lo, hi = sr.fisher_ci(table.loc["vader", "pearson_r"], 5190)
    assert lo == pytest.approx(table.loc["vader", "r_ci_low"], abs=1e-6)
    assert hi == pytest.approx(table.loc["vader", "r_ci_high"], abs=1e-6)
    # the default scorer correlates better with the raters than plain VADER
    assert table.loc["news", "r_ci_low"] > table.loc["vader", "r_ci_high"]


def test_human_ceiling_is_above_every_scorer(nyt_table):
    ceiling = sr.human_ceiling()
    table = nyt_table
    assert 0 < table["pearson_r"].max() < ceiling["pearson_r"] < 1


def test_eec_gap_table_flags_intervals_against_the_target():
    table = sr.eec_gap_table(("vader", "news"), n_boot=300, seed=0)
    assert len(table) == 6
    assert set(table["scorer"]) == {"vader", "news"}
    inside = (table["ci_low"] >= -sr.EEC_TARGET) & (table["ci_high"] <= sr.EEC_TARGET)
    assert (table["within_target"] == inside).all()
    assert table["pair"].str.contains("cells").all()
    # plain VADER reads some first names as sentiment (e.g. "Tia"); the news scorer does not
    vader_names = table[(table["scorer"] == "vader") & table["pair"].str.startswith("race")]
    assert not vader_names["within_target"].iloc[0]
