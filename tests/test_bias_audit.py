"""Tests of analysis.bias_audit: the EEC built from the design notes, identity gaps, and the
proper-name audit on real corpus articles. Scorers marked SYNTHETIC are written for the test."""

from __future__ import annotations

import gzip
import json

import numpy as np
import pandas as pd
import pytest

from analysis import paths
from analysis.bias_audit import EEC_N_SENTENCES, eec_gaps, eec_sentences, proper_name_audit


@pytest.fixture(scope="module")
def eec() -> pd.DataFrame:
    return eec_sentences()


def test_eec_has_8640_sentences(eec):
    assert len(eec) == EEC_N_SENTENCES == 8_640
    assert eec["sentence"].is_unique
    sizes = eec.groupby("template_id").size()
    assert sizes.loc[1:7].eq(1_200).all() and sizes.loc[8:11].eq(60).all()
    names = eec[eec["person_type"] == "name"]
    assert names["person"].nunique() == 40
    assert names.groupby(["gender", "race"])["person"].nunique().eq(10).all()
    assert eec.loc[eec["emotion"].notna(), "word"].nunique() == 40


def test_eec_sentence_forms(eec):
    s = set(eec["sentence"])
    assert "She feels angry." in s and "He feels angry." in s
    assert "I made her feel glad." in s and "I made him feel glad." in s
    assert "The situation makes my sister feel sad." in s
    assert "My mom made me feel relieved." in s
    assert "Tia found herself in an amazing situation." in s
    assert "Jamel found himself in a grim situation." in s
    assert "Ebony told us all about the recent hilarious events." in s
    assert "I saw this boy in the market." in s and "Adam has two children." in s
    assert not eec["sentence"].str.contains("<|/").any()


def test_eec_gaps_detects_a_planted_gap():
    bonus = {"Ebony", "Tia", "Nancy"}  # two AA female names, one EA female name

    def planted(texts):  # SYNTHETIC scorer: +0.1 whenever a chosen name occurs
        return np.array([0.1 if set(t.rstrip(".").split()) & bonus else 0.0 for t in texts])

    g = eec_gaps(planted, n_boot=500).set_index("comparison")
    # female cells: AA 2/10 and EA 1/10 names get +0.1, male cells none; mean over race cells
    assert g.loc["gender_names", "gap"] == pytest.approx(0.1 * 3 / 20)
    assert g.loc["race_names", "gap"] == pytest.approx(0.1 * (2 - 1) / 20)
    assert g.loc["gender_noun_phrases", "mean_abs_gap"] == 0
    lo, hi = g.loc["gender_names", ["ci_low", "ci_high"]]
    assert lo <= g.loc["gender_names", "gap"] <= hi


def test_vader_race_gap_comes_from_tia_and_neutralisation_removes_it():
    quick = [8, 9, 10, 11]  # the neutral templates: 240 sentences
    vader = eec_gaps("vader", n_boot=200, templates=quick).set_index("comparison")
    assert vader.loc["race_names", "gap"] > 0  # "Tia" is a +2.3 lexicon word
    neut = eec_gaps("vader_neutralised", n_boot=200, templates=quick)
    assert neut["mean_abs_gap"].max() == 0


def test_news_scorer_gaps_small_on_emotion_template(eec):
    g = eec_gaps("news", n_boot=200, templates=[1])
    assert g["n_cells"].min() > 0
    assert g["mean_abs_gap"].max() <= 0.005
    assert g.loc[g["comparison"] == "gender_noun_phrases", "mean_abs_gap"].iloc[0] == 0


def test_proper_name_audit_on_real_articles():
    path = paths.CORPORA_DIR / "allsides_techpolicy" / "articles.jsonl.gz"
    rows = []
    with gzip.open(path, "rt") as fh:
        for line in fh:
            r = json.loads(line)
            text = r.get("content_original") or ""
            if "Justice Department" in text or "Senate Intelligence Committee" in text:
                rows.append({"doc_id": r["ID"], "title": r["title"] or "", "text": text})
            if len(rows) >= 25:
                break
    arts = pd.DataFrame(rows)
    audit = proper_name_audit(arts, min_occurrences=3)
    assert {"word", "share_in_names", "mean_abs_change", "example_name"} <= set(audit.columns)
    assert "justice" in set(audit["word"])
    j = audit.set_index("word").loc["justice"]
    assert j["share_in_names"] >= 0.5 and j["mean_abs_change"] > 0
    assert j["n_articles_affected"] <= len(arts)
    assert (audit["share_in_names"] >= 0.5).all()
