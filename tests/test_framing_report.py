"""Tests of analysis.framing_report (notebook 03's tables and charts).

Real data: the seed article, the shipped lexicons, the shipped frame model's stored CV scores and
the Narrative Frames annotations. Tables built inline from numbers (docs, KWIC rows,
predictions) are SYNTHETIC and labelled so; they exist to check arithmetic.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from analysis import framing_report as fr  # noqa: E402
from analysis.explain import highlight_html  # noqa: E402
from analysis.framing import list_lexicons, match_text  # noqa: E402

FRAMES = ("conflict", "economic", "human_interest", "moral", "resolution")


# --------------------------------------------------------------------------- seed article
@pytest.fixture(scope="module")
def seed_hits(seed_text):
    return match_text(seed_text, doc_id="seed")


def test_seed_hit_table_has_bold_praise_and_parting_shot_conflict(seed_hits):
    table = fr.article_hit_table(seed_hits, "seed")
    assert list(table.columns) == list(fr.HIT_TABLE_COLUMNS)
    assert len(table) == len(seed_hits)
    rows = {(r.category, r.cue) for r in table.itertuples()}
    assert ("evaluative.praise", "bold") in rows
    assert ("evaluative.conflict", "parting shot") in rows
    body = table[table["part"] == "body"]
    assert body["start"].is_monotonic_increasing
    assert table["negated"].dtype == bool
    # another document's hits are excluded
    assert fr.article_hit_table(seed_hits, "not-there").empty


def test_standalone_html_escapes_synthetic_markup():
    # SYNTHETIC article whose text contains markup that must not survive as HTML
    art = {"doc_id": "x", "title": "A <b>bold</b> plan", "text": "They praised <script>x</script>."}
    hits = match_text(art["text"], title=art["title"], doc_id="x")
    page = fr.standalone_html(highlight_html(art, hits), "<title>")
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "<title>&lt;title&gt;</title>" in page
    assert page.startswith("<!DOCTYPE html>") and 'charset="utf-8"' in page


def test_display_row_drops_missing_metadata_and_lexicon_hits_filters(seed_hits):
    row = {"doc_id": "a", "title": "T", "text": "x", "date": pd.NaT, "outlet": "", "n": np.nan}
    assert fr.display_row(pd.Series(row)) == {"doc_id": "a", "title": "T", "text": "x"}
    ev = fr.lexicon_hits(seed_hits, "evaluative")
    assert len(ev) > 0 and ev["lexicon"].eq("evaluative").all()
    assert len(ev) < len(seed_hits)


def test_sentences_with_compound_copies_the_chosen_method():
    sents = pd.DataFrame({"vader_compound": [0.5, -0.2], "news_compound": [0.1, 0.0]})
    assert fr.sentences_with_compound(sents)["compound"].tolist() == [0.5, -0.2]
    assert fr.sentences_with_compound(sents, "news")["compound"].tolist() == [0.1, 0.0]
    with pytest.raises(KeyError):
        fr.sentences_with_compound(sents, "other")


# --------------------------------------------------------------------------- lexicons
def test_lexicon_inventory_matches_registry():
    reg = list_lexicons()
    inv = fr.lexicon_inventory()
    assert inv["name"].tolist() == reg["name"].tolist()
    assert inv["n_cues"].tolist() == reg["n_cues"].tolist()
    n_listed = inv["categories"].str.split("; ").map(len)
    assert n_listed.tolist() == inv["n_categories"].tolist()
    assert inv["citation"].str.len().gt(10).all()
    assert not inv["path"].str.startswith("/").any()  # relative: same CSV on every checkout


# --------------------------------------------------------------------------- validation
def test_frame_validation_table_arithmetic_on_synthetic_scores():
    # SYNTHETIC scores: the classifier at 0.5 on every frame, the ceiling at 0.8 / 0.6
    cv = [
        {"model": "frame_classifier", **dict.fromkeys(FRAMES, 0.5), "macro_f1": 0.5, "note": "cv"},
        {"model": "lexicon_only", **dict.fromkeys(FRAMES, 0.3), "macro_f1": 0.3, "note": "cv"},
    ]
    ceiling = pd.DataFrame({"frame": FRAMES, "f1_pooled": [0.8, 0.6, 0.8, 0.6, 0.8]})
    alpha = pd.DataFrame(
        {"frame": FRAMES, "alpha": [0.1, 0.2, 0.3, 0.4, 0.5], "positive_rate": [0.5] * 5}
    )
    t = fr.frame_validation_table(cv, alpha, ceiling)
    assert set(t["model"]) == {"frame_classifier", "lexicon_only", fr.HUMAN}
    row = t[(t["frame"] == "economic") & (t["model"] == "frame_classifier")].iloc[0]
    assert row["share_of_ceiling"] == pytest.approx(0.5 / 0.6)
    macro = t[(t["frame"] == "macro") & (t["model"] == fr.HUMAN)].iloc[0]
    assert macro["f1"] == pytest.approx(0.72)
    assert macro["alpha"] == pytest.approx(0.3)
    assert "better than the lexicon on 5 of 5 frames" in fr.validation_finding(t)


def test_frame_validation_on_shipped_model_agrees_with_agreement_module():
    from analysis.agreement import frame_alpha, human_ceiling
    from analysis.frame_classifier import frame_model_metadata

    cv = frame_model_metadata()["cv_scores"]
    t = fr.frame_validation_table(cv, frame_alpha(), human_ceiling())
    stored = {r["model"]: r for r in cv}
    for model in ("frame_classifier", "lexicon_only", "tfidf_logreg_plain", fr.HUMAN):
        got = t[(t["model"] == model) & (t["frame"] == "macro")]["f1"].iloc[0]
        # the ceiling is recomputed from the annotations: it must equal the stored one
        assert got == pytest.approx(stored[model]["macro_f1"], abs=1e-6)
    fig = fr.plot_frame_validation(t)
    assert fig._suptitle.get_text().startswith("Supervised classifier: macro-F1")
    plt.close(fig)


# --------------------------------------------------------------------------- KWIC
def _synthetic_kwic() -> pd.DataFrame:
    # SYNTHETIC KWIC rows: 3 rows with the focus cue, 7 with other cues
    cues = ["parting shot"] * 3 + ["slammed"] * 7
    return pd.DataFrame(
        {
            "doc_id": [f"d{i}" for i in range(10)],
            "cue": cues,
            "left": "l",
            "matched": cues,
            "right": "r",
            "voice": "reporter",
            "negated": False,
        }
    )


def test_kwic_examples_prefers_focus_cue_and_tops_up():
    k = _synthetic_kwic()
    ex = fr.kwic_examples(k, n=5, seed=1, focus_cues=["parting shot"])
    assert len(ex) == 5
    assert (ex["selected"] == "focus cue").sum() == 3
    assert ex.loc[ex["selected"] == "focus cue", "cue"].eq("parting shot").all()
    assert ex["doc_id"].tolist() == sorted(ex["doc_id"], key=lambda d: int(d[1:]))
    assert ex.equals(fr.kwic_examples(k, n=5, seed=1, focus_cues=["parting shot"]))
    assert len(fr.kwic_examples(k, n=50)) == 10
    assert fr.kwic_examples(k.iloc[0:0], n=5).empty


# --------------------------------------------------------------------------- rates
def _synthetic_docs() -> pd.DataFrame:
    # SYNTHETIC document table: rating "left" has rate 2.0 on every article, "right" 4.0
    n = 30
    rating = ["left"] * n + ["right"] * n
    rate = [2.0] * n + [4.0] * n
    words = np.full(2 * n, 1000)
    rep_words = np.full(2 * n, 800)
    count = np.array([2] * n + [4] * n)
    rep_count = np.array([2] * n + [0] * n)  # left: all hits in reporter prose; right: all quoted
    return pd.DataFrame(
        {
            "doc_id": [f"d{i}" for i in range(2 * n)],
            "rating": rating,
            "date": pd.to_datetime(["2019-01-01"] * n + ["2020-01-01"] * n),
            "n_words": words,
            "n_words_reporter": rep_words,
            "evaluative.praise.rate": rate,
            "evaluative.praise.count": count,
            "evaluative.praise.reporter_count": rep_count,
        }
    )


def test_rates_by_group_recovers_synthetic_means():
    docs = _synthetic_docs()
    t = fr.rates_by_group(docs, "rating", n_boot=200)
    assert t["category"].unique().tolist() == ["evaluative.praise"]  # others are absent
    m = t.set_index("group")["mean"]
    assert m["left"] == pytest.approx(2.0) and m["right"] == pytest.approx(4.0)
    assert fr.separated_categories(t) == ["evaluative.praise"]
    one = fr.rates_by_group(docs, None, n_boot=200)
    assert one["group"].tolist() == [fr.ALL_GROUP] and one["mean"].iloc[0] == pytest.approx(3.0)
    by_year = fr.rates_by_group(docs, "year", n_boot=200)
    assert by_year["group"].tolist() == ["2019", "2020"]
    fig = fr.plot_rates_by_group(t, "outlet rating")
    assert "1 of 1 categories separate" in fig._suptitle.get_text()
    plt.close(fig)


def test_voice_rates_pooled_arithmetic_and_paired_difference():
    docs = _synthetic_docs()
    t = fr.voice_rates(docs, categories=["evaluative.praise"], n_boot=300).set_index("voice")
    # reporter: 60 hits / 48,000 words; quoted: 120 hits / 12,000 words (per 1,000 words)
    assert t.loc["reporter", "mean"] == pytest.approx(1000 * 60 / 48000)
    assert t.loc["quoted", "mean"] == pytest.approx(1000 * 120 / 12000)
    diff = t.loc["quoted - reporter"]
    assert diff["mean"] == pytest.approx(10.0 - 1.25)
    for _, r in t.iterrows():
        assert r["ci_low"] <= r["mean"] <= r["ci_high"]
    assert diff["ci_low"] > 0
    assert "1 is denser in quoted speech" in fr.voice_finding(t.reset_index())
    again = fr.voice_rates(docs, categories=["evaluative.praise"], n_boot=300)
    assert again.set_index("voice")["ci_low"].equals(t["ci_low"])


# --------------------------------------------------------------------------- classifier shares
def test_frame_shares_by_group_ignores_missing_labels():
    # SYNTHETIC predictions: one article without text (labels NA)
    pred = pd.DataFrame(
        {
            "doc_id": ["a", "b", "c", "d"],
            "frame_conflict": pd.array([1, 0, 1, pd.NA], dtype="Int64"),
            "frame_conflict_prob": [0.9, 0.1, 0.8, np.nan],
        }
    )
    meta = pd.DataFrame(
        {"doc_id": ["a", "b", "c", "d"], "rating": ["left", "left", "right", "right"]}
    )
    t = fr.frame_shares_by_group(pred, meta, "rating", n_boot=100).set_index("group")
    assert t.loc["left", "mean"] == pytest.approx(0.5) and t.loc["left", "n"] == 2
    assert t.loc["right", "mean"] == pytest.approx(1.0) and t.loc["right", "n"] == 1
    allg = fr.frame_shares_by_group(pred, meta, None, n_boot=100)
    assert allg["n"].tolist() == [3] and allg["mean"].iloc[0] == pytest.approx(2 / 3)


def test_frame_prediction_table_joins_title_and_flags_empty_text(seed_text):
    # the seed article (real) plus a SYNTHETIC empty article
    arts = pd.DataFrame({"doc_id": ["seed", "empty"], "title": ["", " "], "text": [seed_text, ""]})
    pred = fr.frame_prediction_table(arts)
    assert pred["doc_id"].tolist() == ["seed", "empty"]
    assert pred["status"].tolist() == ["ok", "empty_text"]
    assert pred.loc[0, [f"frame_{f}_prob" for f in FRAMES]].between(0, 1).all()
    assert pred.loc[1, "frame_conflict"] is pd.NA


def test_rate_differences_holm_over_all_rows():
    docs = _synthetic_docs()
    # SYNTHETIC second category with no difference between the ratings
    docs["evaluative.conflict.rate"] = np.tile([1.0, 3.0], len(docs) // 2)
    d = fr.rate_differences(docs, "rating", n_boot=200)
    assert d["category"].tolist() == ["evaluative.praise", "evaluative.conflict"]
    praise, conflict = d.iloc[0], d.iloc[1]
    assert praise["diff"] == pytest.approx(-2.0)  # left minus right
    assert conflict["diff"] == pytest.approx(0.0)
    assert praise["mw_p_holm"] == pytest.approx(min(1.0, 2 * praise["mw_p"]))
    assert (d["mw_p_holm"] >= d["mw_p"]).all()
