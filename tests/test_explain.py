"""Tests of analysis.explain: KWIC, coding sheets, coded precision, highlighting.

The seed article is real data; coded sheets and texts marked SYNTHETIC are written for the test.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest
from scipy.stats import binomtest

from analysis import explain as E
from analysis import framing as F
from analysis.text import sentence_table


@pytest.fixture(scope="module")
def seed(seed_text):
    lexs = F.load_lexicons().select("evaluative")
    arts = pd.DataFrame(
        {
            "doc_id": ["ibm"],
            "title": ["IBM to stop selling facial recognition services"],
            "text": [seed_text],
            "outlet": ["seed outlet"],
            "bias_text": ["center"],
        }
    )
    sents = sentence_table(arts)
    hits = F.frame_hits(sents, lexs, articles=arts)
    return arts, sents, hits


def test_kwic_context_and_csv_roundtrip(seed, tmp_path):
    arts, _sents, hits = seed
    k = E.kwic(hits, arts, window=30, category="praise")
    row = k[k["matched"] == "bold"].iloc[0]
    assert row["left"].endswith("the decision seems to be a")
    assert row["right"].startswith("one.")
    assert row["outlet"] == "seed outlet" and row["bias_text"] == "center"
    assert set(k["category"]) == {"praise"}
    only = E.kwic(hits, arts, cue="parting shot")
    assert list(only["matched"]) == ["parting shot"] and only["voice"].iloc[0] == "reporter"
    assert len(E.kwic(hits, arts, category="evaluative.conflict")) == (
        (hits["category"] == "conflict").sum()
    )
    path = tmp_path / "kwic.csv"
    k.to_csv(path, index=False)
    back = pd.read_csv(path, keep_default_na=False)
    assert list(back["matched"]) == list(k["matched"])


def test_coding_sample_is_stratified_and_seeded(seed):
    arts, _sents, hits = seed
    k = E.kwic(hits, arts)
    sample = E.coding_sample(k, per_stratum=2, strata=("category", "bias_text"), seed=3)
    per = sample.groupby(["category", "bias_text"]).size()
    full = k.groupby(["category", "bias_text"]).size()
    assert (per == full.clip(upper=2)).all()
    assert (sample["judgement"] == "").all() and list(sample["item"]) == list(
        range(1, len(sample) + 1)
    )
    again = E.coding_sample(k, per_stratum=2, strata=("category", "bias_text"), seed=3)
    pd.testing.assert_frame_equal(sample, again)
    other = E.coding_sample(k, per_stratum=2, strata=("category", "bias_text"), seed=4)
    assert list(other["matched"]) != list(sample["matched"]) or len(sample) < 3


def test_coded_precision_single_coder(tmp_path):
    # SYNTHETIC coded sheet: praise 8 of 10 correct, conflict 3 of 4, one uncoded
    sheet = pd.DataFrame(
        {
            "item": range(1, 16),
            "category": ["praise"] * 10 + ["conflict"] * 5,
            "judgement": ["1"] * 8 + ["0", "no"] + ["yes", "y", "1", "0", "?"],
        }
    )
    path = tmp_path / "coded.csv"
    sheet.to_csv(path, index=False)
    res = E.coded_precision(path).set_index("category")
    assert res.loc["praise", "n_coded"] == 10 and res.loc["praise", "n_correct"] == 8
    assert res.loc["conflict", "n_coded"] == 4 and res.loc["conflict", "n_uncoded"] == 1
    assert res.loc["conflict", "precision"] == pytest.approx(0.75)
    ci = binomtest(8, 10).proportion_ci(method="wilson")
    assert res.loc["praise", "ci_low"] == pytest.approx(ci.low, abs=1e-6)
    assert res.loc["praise", "ci_high"] == pytest.approx(ci.high, abs=1e-6)
    assert res.loc["ALL", "n_coded"] == 14 and "alpha" not in res.columns


def test_coded_precision_two_coders_alpha():
    # SYNTHETIC: coder 1 = 1,1,0,0; coder 2 = 1,0,0,0. Nominal alpha by hand:
    # coincidences o00=4, o11=2, o01=o10=1; n0=5, n1=3, n=8
    # D_o = 2/8, D_e = 2*5*3/(8*7); alpha = 1 - D_o/D_e = 1 - 0.25/(30/56) = 0.5333...
    sheet = pd.DataFrame(
        {
            "item": [1, 2, 3, 4],
            "category": ["praise"] * 4,
            "coder_1": ["1", "1", "0", "0"],
            "coder_2": ["1", "0", "0", "0"],
        }
    )
    res = E.coded_precision(sheet).set_index("category")
    assert res.loc["praise", "alpha"] == pytest.approx(1 - 0.25 / (30 / 56))
    assert res.loc["praise", "n_coded"] == 8 and res.loc["praise", "n_correct"] == 3
    long = pd.DataFrame(
        {
            "item": [1, 2, 3, 4] * 2,
            "category": ["praise"] * 8,
            "coder": ["a"] * 4 + ["b"] * 4,
            "judgement": ["1", "1", "0", "0", "1", "0", "0", "0"],
        }
    )
    assert E.coded_precision(long).set_index("category").loc["praise", "alpha"] == pytest.approx(
        res.loc["praise", "alpha"]
    )
    agree = sheet.assign(coder_2=sheet["coder_1"])
    assert E.coded_precision(agree).set_index("category").loc["praise", "alpha"] == 1.0
    same = sheet.assign(coder_1="1", coder_2="1")  # no variation: alpha undefined
    assert math.isnan(E.coded_precision(same).set_index("category").loc["praise", "alpha"])


def test_coded_precision_rejects_sheets_without_judgements():
    with pytest.raises(ValueError, match="judgement"):
        E.coded_precision(pd.DataFrame({"category": ["a"], "x": [1]}))


def test_highlight_escapes_and_marks(seed):
    arts, sents, hits = seed
    page = E.highlight_html(arts.iloc[0], hits)
    assert page.count('<mark class="cue"') == len(hits)
    assert 'title="evaluative.praise — cue: bold"' in page
    assert "evaluative.conflict (" in page  # legend with counts
    assert "Amazon&#x27;s" in page  # apostrophes escaped too


def test_highlight_script_stays_text_and_negation_is_struck():
    text = "SYNTHETIC <script>alert('x')</script> is not bold & \"brave\" <b>here</b>."
    arts = pd.DataFrame({"doc_id": ["s"], "title": ["<i>headline</i> bold"], "text": [text]})
    sents = sentence_table(arts)
    lx = F.lexicon_from_dict(
        {
            "name": "syn",
            "version": "0",
            "description": "synthetic",
            "citation": "none",
            "licence": "CC0-1.0",
            "categories": {"praise": ["bold", "brave"]},
        }
    )
    hits = F.frame_hits(sents, lx, articles=arts)
    sents = sents.assign(compound=[0.6 if i == 0 else -0.4 for i in range(len(sents))])
    page = E.highlight_html(arts.iloc[0], hits, sents)
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "<b>" not in page and "<i>" not in page and "&lt;i&gt;" in page
    assert "line-through" in page and "(negated)" in page
    assert "rgba(0,114,178" in page and "rgba(230,159,0" in page  # sentiment shading
    assert page.count('<mark class="cue"') == 3
    html_obj = E.display_article(arts.iloc[0], hits, sents)
    assert html_obj.data == page


def test_cue_counts(seed):
    _arts, _sents, hits = seed
    counts = E.cue_counts(hits)
    assert counts["n_hits"].sum() == len(hits)
    top = counts.set_index(["category", "cue"])
    assert top.loc[("surveillance", "mass surveillance"), "n_hits"] == 2
    assert top.loc[("surveillance", "mass surveillance"), "share_quoted"] == 0.5
    assert counts["n_hits"].is_monotonic_decreasing


def test_explain_text_lists_sentences_and_hits(seed_text):
    out = E.explain_text(seed_text, F.load_lexicons().select("evaluative"))
    assert len(out["sentences"]) > 10
    assert all(-1 <= s["compound"] <= 1 for s in out["sentences"])
    bold = [h for h in out["hits"] if h["matched"] == "bold"]
    assert bold and bold[0]["category"] == "praise" and bold[0]["voice"] == "reporter"
