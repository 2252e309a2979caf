"""Tests of analysis.sentiment and analysis.sentiment_validation on real data.

Real data: the seed article, the AllSides tech-policy corpus, the VADER NYT snippets. Texts marked
SYNTHETIC are written for the test.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from analysis import paths
from analysis import sentiment as S
from analysis.files import load_yaml_safe
from analysis.sentiment_validation import (
    NYT_N_ARTICLES,
    NYT_N_ROWS,
    _decode_line,
    human_ceiling_nyt,
    nyt_snippets,
)
from analysis.text import sentence_table


@pytest.fixture(scope="module")
def seed_sentences() -> pd.DataFrame:
    raw = (paths.CORPORA_DIR / "seed_article" / "ibm_facial_recognition_2020.txt").read_text(
        encoding="utf-8"
    )
    lines = [ln for ln in raw.split("\n") if ln.strip() and ln.strip() != "×"]
    title = lines[0]
    body = raw.split(title, 1)[1]
    art = pd.DataFrame({"doc_id": ["ibm"], "title": [title], "text": [body]})
    return sentence_table(art)


@pytest.fixture(scope="module")
def nyt() -> pd.DataFrame:
    return nyt_snippets()


# --------------------------------------------------------------------------- VADER call point
def test_vader_polarity_is_plain_vader(nyt):
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    texts = nyt["text"].iloc[:300].tolist()
    analyzer = SentimentIntensityAnalyzer()
    ref = [analyzer.polarity_scores(t) for t in texts]
    got = S.vader_polarity(texts)
    assert list(got.columns) == ["neg", "neu", "pos", "compound"]
    assert np.allclose(got["compound"], [r["compound"] for r in ref])
    # the token-level mirror used for explanations reproduces VADER exactly
    mirror = [S._vader_token_valences(t)[2]["compound"] for t in texts]
    assert np.allclose(mirror, got["compound"])


def test_neutralised_vader_equals_vader_without_names():
    texts = [  # SYNTHETIC sentences without names or policy vocabulary
        "The results were terrible and everyone was upset.",
        "It was a wonderful, happy day.",
        "Nothing happened.",
    ]
    assert np.allclose(S.neutralised_vader(texts)["compound"], S.vader_polarity(texts)["compound"])


# --------------------------------------------------------------------------- neutralisation
def _explained(text: str) -> dict:
    return {e["word"]: e for e in S.explain_sentence(text)}


def test_justice_department_contributes_zero():
    text = "The Justice Department said it would review the case."  # SYNTHETIC
    assert S.vader_polarity([text])["compound"][0] > 0.3  # VADER reads "Justice" as +2.4
    assert S.neutralised_vader([text])["compound"][0] == 0.0
    e = _explained(text)["Justice"]
    assert e["neutralised"] and e["news_valence"] == 0 and e["lexicon_valence"] == 2.4
    assert "Justice Department" in e["reason"]
    # also at the start of a sentence, through the curated list
    start = "Justice Department officials declined to comment."  # SYNTHETIC
    assert S.neutralised_vader([start])["compound"][0] == 0.0


def test_laws_committees_and_names_are_neutralised():
    text = "The USA FREEDOM Act went to the Senate Intelligence Committee."  # SYNTHETIC
    e = _explained(text)
    assert e["FREEDOM"]["neutralised"] and e["Intelligence"]["neutralised"]
    assert S.neutralised_vader([text])["compound"][0] == 0.0
    # capitalisation rule: a lexicon word capitalised mid-sentence is a name
    tia = _explained("I talked to Tia yesterday.")["Tia"]  # SYNTHETIC
    assert tia["neutralised"] and tia["vader_valence"] > 0
    amazon = _explained("Critics say Amazon sold the tool to police.")["Amazon"]  # SYNTHETIC
    assert amazon["neutralised"]
    # lower-case use of the same word is untouched
    assert not _explained("They said tia.")["tia"]["neutralised"]  # SYNTHETIC


def test_headline_case_switches_capitalisation_rule_off():
    text = "A Great Day For Privacy Advocates"  # SYNTHETIC headline in title case
    assert not _explained(text)["Great"]["neutralised"]
    assert S.neutralised_vader([text])["compound"][0] > 0


def test_ban_as_policy_name_vs_ban_as_verb():
    """Documented choice: "a ban on facial recognition" names a policy (neutral); the verb
    "should ban" takes a side and keeps VADER's -2.6."""
    noun = "The city council approved a ban on facial recognition."  # SYNTHETIC
    verb = "Congress should ban facial recognition."  # SYNTHETIC
    assert _explained(noun)["ban"]["neutralised"]
    assert not _explained(verb)["ban"]["neutralised"]
    assert S.vader_polarity([noun])["compound"][0] < 0
    assert S.neutralised_vader([noun])["compound"][0] > 0  # only "approved" is left
    assert S.neutralised_vader([verb])["compound"][0] == S.vader_polarity([verb])["compound"][0]


def test_entity_list_has_a_reason_per_entry():
    cfg = yaml.safe_load((paths.RESOURCES_DIR / S.ENTITIES_FILE).read_text(encoding="utf-8"))
    for key, field in (("phrases", "phrase"), ("names", "name"), ("policy_patterns", "pattern")):
        assert cfg[key], key
        for entry in cfg[key]:
            assert entry.get(field) and str(entry.get("reason", "")).strip(), entry
    assert "she" in cfg["identity_terms"]["words"]


# --------------------------------------------------------------------------- seed article
def test_seed_article_sentence_by_sentence(seed_sentences):
    scored = S.sentence_sentiment(seed_sentences, method="news")
    assert len(scored) == len(seed_sentences) and scored["compound"].between(-1, 1).all()
    by_text = dict(zip(scored["text"], scored["compound"], strict=True))
    neg = next(t for t in by_text if t.startswith("Research has shown"))
    assert by_text[neg] < 0  # "worse", "discrimination and persecution"
    krishna = next(t for t in by_text if t.startswith("“IBM firmly opposes"))
    assert by_text[krishna] < 0  # "opposes", "violations", "racial profiling"
    rekognition = next(t for t in by_text if t.startswith("Amazon's controversial"))
    assert by_text[rekognition] < 0
    vader = S.sentence_sentiment(seed_sentences, method="vader")
    bold = vader["text"].str.contains("bold one")
    assert (vader.loc[bold, "compound"] > 0).all()
    art = S.article_sentiment(scored)
    assert len(art) == 1 and art["n_quoted"].iloc[0] >= 1 and art["n_reporter"].iloc[0] >= 5
    assert not np.isnan(art["headline_compound"].iloc[0])


def test_whole_article_compound_saturates():
    """Why articles are never one VADER call: on a long real article compound saturates."""
    with gzip.open(paths.CORPORA_DIR / "allsides_techpolicy" / "articles.jsonl.gz", "rt") as fh:
        rows = [json.loads(line) for line in fh]
    longest = max(rows, key=lambda r: len(r.get("content_original") or ""))
    text = longest["content_original"]
    whole = S.vader_polarity([text])["compound"][0]
    art = pd.DataFrame({"doc_id": [longest["ID"]], "title": [""], "text": [text]})
    sents = S.sentence_sentiment(sentence_table(art), method="vader")
    assert len(sents) > 100
    assert abs(whole) > 0.99  # saturated
    assert abs(sents["compound"].mean()) < 0.5  # the sentences are far from uniformly extreme
    assert 0.1 < (sents["compound"] >= 0.05).mean() < 0.9


# --------------------------------------------------------------------------- aggregation
def test_article_aggregation_arithmetic():
    # SYNTHETIC scored sentence table
    t = pd.DataFrame(
        {
            "doc_id": ["a", "a", "a", "a", "b", "b"],
            "part": ["title", "body", "body", "body", "body", "body"],
            "voice": ["reporter", "reporter", "quoted", "reporter", "reporter", "reporter"],
            "compound": [0.5, -0.2, 0.8, 0.0, 0.04, -0.06],
        }
    )
    out = S.article_sentiment(t).set_index("doc_id")
    a, b = out.loc["a"], out.loc["b"]
    assert a["n_sentences"] == 4 and b["n_sentences"] == 2
    assert a["compound_mean"] == pytest.approx((0.5 - 0.2 + 0.8 + 0.0) / 4)
    assert a["share_pos"] == pytest.approx(2 / 4) and a["share_neg"] == pytest.approx(1 / 4)
    assert a["headline_compound"] == 0.5 and np.isnan(b["headline_compound"])
    assert a["body_compound_mean"] == pytest.approx(0.6 / 3)
    assert a["reporter_compound_mean"] == pytest.approx(-0.1) and a["n_reporter"] == 2
    assert a["quoted_compound_mean"] == pytest.approx(0.8) and a["n_quoted"] == 1
    assert np.isnan(b["quoted_compound_mean"]) and b["n_quoted"] == 0
    assert b["share_pos"] == 0 and b["share_neg"] == pytest.approx(0.5)
    assert (out["pos_threshold"] == 0.05).all()
    strict = S.article_sentiment(t, pos_threshold=0.6, neg_threshold=-0.1).set_index("doc_id")
    assert strict.loc["a", "share_pos"] == pytest.approx(1 / 4)
    assert strict.attrs["neg_threshold"] == -0.1


# --------------------------------------------------------------------------- bad input
def test_score_texts_bad_rows_get_a_status():
    junk = bytes(range(256)).decode("latin-1") * 4  # SYNTHETIC binary junk
    huge = "The committee met again. " * 420_000  # SYNTHETIC, ~10 MB
    texts = [
        "",
        None,
        junk,
        huge,
        "...",
        42,
        "A wonderful result. A terrible failure.",
        b"\xff\xfe",
    ]
    out = S.score_texts(texts, method="vader")
    assert list(out["row"]) == list(range(len(texts)))
    assert list(out["status"]) == [
        "empty_text",
        "empty_text",
        "not_text",
        "too_long_truncated",
        "no_sentences",
        "not_text",
        "ok",
        "not_text",
    ]
    assert out.loc[out["status"] != "ok", "compound"].iloc[[0, 1, 2, 4]].isna().all()
    assert out.loc[3, "n_sentences"] > 0 and not np.isnan(out.loc[3, "compound"])
    ok = out.loc[6]
    assert ok["n_sentences"] == 2
    both = S.vader_polarity(["A wonderful result.", "A terrible failure."])["compound"].mean()
    assert ok["compound"] == pytest.approx(both)
    news = S.score_texts(["A wonderful result.", ""], method="news")
    assert list(news["status"]) == ["ok", "empty_text"]


# --------------------------------------------------------------------------- trained layer
def test_shipped_model_is_json_with_provenance(nyt):
    model = S.load_news_model()
    assert model is not None and model["format"] == S.MODEL_FORMAT
    gt = paths.VALIDATION_DIR / "vader_nyt" / "nytEditorialSnippets_GroundTruth.txt"
    assert model["training_data"]["sha256"] == hashlib.sha256(gt.read_bytes()).hexdigest()
    assert model["training_data"]["n_sentences"] == NYT_N_ROWS
    assert model["cv"]["news"]["pearson_r"] > 0.5
    ent = (paths.RESOURCES_DIR / S.ENTITIES_FILE).read_bytes()
    assert model["neutralisation_sha256"] == hashlib.sha256(ent).hexdigest()
    # in-sample fit of the shipped layer is better than VADER (sanity, not the CV figure)
    sample = nyt.iloc[::10]
    pred = S.news_polarity(sample["text"].tolist())["compound"]
    vader = S.vader_polarity(sample["text"].tolist())["compound"]
    assert (
        np.corrcoef(pred, sample["rater_mean"])[0, 1]
        > np.corrcoef(vader, sample["rater_mean"])[0, 1]
    )


def test_stored_cv_figure_is_reproduced_by_the_grouped_cv(nyt):
    """The r stored in the shipped JSON (and reported in RESULTS_sentiment.md) is what the
    grouped CV gives now: vocabularies, scalers and ridge refitted per fold, deterministic."""
    from scipy import stats

    model = S.load_news_model()
    layer = model["variants"]["news"]
    assert layer["dense_names"] == S.DENSE_FEATURES and len(S.DENSE_FEATURES) == 17 + 61
    assert model["settings"] == S._SETTINGS
    cv = S.news_scorer_cv(nyt)
    groups = cv.groupby("article")["id"].count()
    assert len(cv) == NYT_N_ROWS and len(groups) == nyt["article"].nunique()
    r = stats.pearsonr(cv["pred"], cv["rater_mean"]).statistic
    # 1e-5: the ridge solves go through BLAS, whose summation order depends on the thread count
    # of the machine/process (seen: 2e-6 apart under pytest -n 2); the stored figure has 7 digits
    assert r == pytest.approx(model["cv"]["news"]["pearson_r"], abs=1e-5)
    assert r > 0.6  # the bundled-lexicon features: 0.589 without them


def test_news_context_uses_other_sentences():
    texts = ["The plan was announced on Monday.", "It is a disaster and a disgrace."]  # SYNTHETIC
    alone = S.news_polarity(texts)["compound"]
    ctx = S.news_polarity(texts, groups=["d", "d"])["compound"]
    assert alone[0] != ctx[0]
    # the negative neighbour pulls the neutral sentence down in the context variant
    far = S.news_polarity([texts[0], "A wonderful, happy success."], groups=["d", "d"])
    assert ctx[0] < far["compound"][0]


# --------------------------------------------------------------------------- validation data
def test_nyt_loader_count_and_decoding(nyt):
    assert len(nyt) == NYT_N_ROWS == 5_190
    assert nyt["article"].nunique() == NYT_N_ARTICLES  # 498 distinct ids (upstream says 500)
    assert sum(nyt.attrs["decoding"].values()) == NYT_N_ROWS
    assert nyt["text"].str.len().min() > 0 and nyt["rater_mean"].between(-4, 4).all()
    c: Counter = Counter()
    assert _decode_line("caf\u00e9".encode("cp1252"), c) == "café" and c["cp1252"] == 1


def test_human_ceiling_rows():
    hc = human_ceiling_nyt()
    assert len(hc) == 21 and hc["scorer"].iloc[-1] == "mean"
    assert (hc["n"] == NYT_N_ROWS).all()
    assert 0 < hc["pearson_r"].iloc[-1] < 1


def test_shipped_features_match_scikit_learn_analyzers():
    """The JSON model re-implements TF-IDF and char_wb n-grams; they must equal sklearn's."""
    from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer

    tokens = ["the", "ban", "a", "surveillance", "law", "the"]  # SYNTHETIC tokens
    wb = CountVectorizer(analyzer="char_wb", ngram_range=(2, 5), lowercase=False).build_analyzer()
    assert sorted(S._char_grams(tokens, 2, 5)) == sorted(wb(" ".join(tokens)))
    docs = [["a", "b", "a"], ["b", "c"], ["c", "c", "d"]]  # SYNTHETIC documents
    vec = TfidfVectorizer(analyzer=lambda d: d, sublinear_tf=True).fit(docs)
    vocab = {t: i for i, t in enumerate(vec.get_feature_names_out())}
    df = S._doc_freq(docs)
    mine = S._tfidf(docs, vocab, S._idf(df, list(vocab), len(docs))).toarray()
    assert np.allclose(mine, vec.transform(docs).toarray())


# --------------------------------------------------------------------------- batch path
@pytest.fixture(scope="module")
def corpus_sample() -> list[str]:
    """Real sentences: a seeded sample of the tech-policy corpus (titles and bodies)."""
    with gzip.open(paths.CORPORA_DIR / "allsides_techpolicy" / "articles.jsonl.gz", "rt") as fh:
        rows = [json.loads(line) for line in fh]
    rng = np.random.default_rng(7)
    pick = rng.choice(len(rows), size=12, replace=False)
    art = pd.DataFrame(
        {
            "doc_id": [str(rows[i]["ID"]) for i in pick],
            "title": [rows[i].get("title") or "" for i in pick],
            "text": [rows[i].get("content_original") or "" for i in pick],
        }
    )
    return sentence_table(art)["text"].tolist()


def test_batch_scores_equal_one_by_one(nyt, seed_sentences, corpus_sample):
    texts = nyt["text"].iloc[::100].tolist() + seed_sentences["text"].tolist()[:30]
    texts += corpus_sample[:40]
    texts += texts[:5] + ["", "  ", "Hello 😀 world!"]  # repeats; SYNTHETIC edge cases
    batch = S.news_polarity(texts)
    single = pd.concat([S.news_polarity([t]) for t in texts], ignore_index=True)
    pd.testing.assert_frame_equal(batch, single)
    nv = S.neutralised_vader(texts)
    nv_single = pd.concat([S.neutralised_vader([t]) for t in texts], ignore_index=True)
    pd.testing.assert_frame_equal(nv, nv_single)
    assert (batch["compound"].iloc[-8:-3].to_numpy() == batch["compound"].iloc[:5]).all()
    # the context variant: a batch of two documents equals each document scored alone
    a, b = texts[:6], texts[6:10]
    both = S.news_polarity(a + b, groups=["a"] * 6 + ["b"] * 4)["compound"].to_numpy()
    alone = np.r_[
        S.news_polarity(a, groups=["a"] * 6)["compound"],
        S.news_polarity(b, groups=["b"] * 4)["compound"],
    ]
    assert np.array_equal(both, alone)


def test_batch_neutralisation_equals_explained_tokens(nyt, seed_sentences, corpus_sample):
    """The batch pass decides names and neutralised words exactly as ``neutralised_tokens``
    (which ``explain_sentence`` shows), and its VADER numbers are VADER's on the masked text."""
    texts = nyt["text"].iloc[::10].tolist() + seed_sentences["text"].tolist() + corpus_sample
    texts += [  # SYNTHETIC sentences exercising every rule
        "The USA FREEDOM Act went to the Senate Intelligence Committee.",
        "IBM To Stop Selling Facial Recognition",
        "Justice Kennedy wrote that the city council approved a ban on facial recognition.",
        "He met U.S. Trade Representative Robert Lighthizer and the Bank of America team.",
        "“Hope Hicks said national security was a joke,” he said; Free Press agreed!!",
    ]
    dense = S._features_table(texts)["dense"]
    n_neutralised = 0
    for i, text in enumerate(texts):
        ref = S.neutralised_tokens(S._demojize(text))
        fast = S._fast_token_flags(text)
        assert fast == [(r["name"], r["neutralised"]) for r in ref], text
        n_neutralised += sum(r["neutralised"] for r in ref)
        _, _, scores = S._vader_token_valences(S._masked_text(S._demojize(text), ref))
        got = dict(zip(["compound", "pos", "neg", "neu"], dense[i, :4], strict=True))
        assert got == {k: scores[k] for k in got}, text
    assert n_neutralised > 50  # the rules did fire on these sentences


def test_vader_polarity_equals_reference_exactly(corpus_sample):
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    analyzer = SentimentIntensityAnalyzer()
    texts = corpus_sample[:300]
    ref = pd.DataFrame([analyzer.polarity_scores(t) for t in texts])[S.SCORE_COLUMNS]
    pd.testing.assert_frame_equal(S.vader_polarity(texts), ref.astype(float))


def test_fast_feature_blocks_equal_reference_formulas(corpus_sample):
    """Char n-gram counts via distinct words equal scikit-learn's char_wb counts per sentence,
    and the shortcut dot products equal the TF-IDF matrices times the coefficients."""
    from sklearn.feature_extraction.text import CountVectorizer

    toks = S._features_table(corpus_sample[:200])["tokens"]
    layer = S.load_news_model()["variants"]["news"]
    ix = S._layer_index(layer)
    vec = CountVectorizer(
        analyzer="char_wb", ngram_range=(2, 5), lowercase=False, vocabulary=ix["char"]
    )
    ref = vec.transform([" ".join(t) for t in toks])
    mine = S._char_counts(toks, ix["char"])
    assert ref.nnz > 10_000 and abs(mine - ref).max() == 0
    grams = [S._ngrams(t, 2) for t in toks]
    W = S._tfidf(grams, ix["word"], ix["word_idf"])
    assert np.allclose(
        S._tfidf_dot(S._word_counts(toks, ix["word"]), ix["word_idf"], ix["word_coef"]),
        W @ ix["word_coef"],
    )
    C = S._tfidf([S._char_grams(t, 2, 5) for t in toks], ix["char"], ix["char_idf"])
    assert np.allclose(
        S._tfidf_dot(mine, ix["char_idf"], ix["char_coef"], summed=True), C @ ix["char_coef"]
    )


# --------------------------------------------------------------------------- compiled loop
# SYNTHETIC sentences for the compiled per-sentence loop: every VADER rule (boosters before and
# two/three words before, negations incl. "n't", "never so", "without doubt", "least"/"at
# least", "no", "kind of" and the other idioms, ALL-CAPS differential, "but" with repeated
# values), names and runs, listed entries and policy patterns, emoji, non-ASCII tokens, empty.
TRICKY = [
    "",
    "   ",
    "!!!",
    "GREAT",
    "The deal is GREAT but the terms are TERRIBLE!!!",
    "THE DEAL IS GREAT BUT THE TERMS ARE TERRIBLE",
    "It was extremely good, very very bad and quite awful.",
    "It was EXTREMELY good and not at all bad.",
    "It isn't good, wasn't bad, and doesn't help; aint nothing great.",
    "He never so much as smiled; this is never so good; never this bad.",
    "Without doubt the plan is good, without any doubt it fails.",
    "At least it works, very least it helps, least good of all, the least bad.",
    "No good deed; no, good; no problem or crisis; no help nor hope.",
    "It is kind of bad and sort of good, kind words though.",
    "The cut-throat policy bombed, a real kiss of death, yeah right, the bomb.",
    "He is a bad ass who will die hard; the shit hit the fan; enough is enough.",
    "Good good good but good good bad bad but bad.",
    "The good, the bad, but the ugly and the good.",
    "Regulators were not happy, but the deal is good???",
    "Apple and Google praised the bill 😀 while critics called it a disaster 😡!",
    "İSTANBUL courts BANNED the app; users were furious!",
    "“Hope Hicks said national security was a joke,” he said; Free Press agreed!!",
    "The USA FREEDOM Act went to the Senate Intelligence Committee.",
    "IBM To Stop Selling Facial Recognition",
    "Justice Kennedy wrote that the city council approved a ban on facial recognition.",
    "He met U.S. Trade Representative Robert Lighthizer and the Bank of America team.",
    "Senator Joy Hope said the Liberty Act would kill innovation.",
    "The Federal Trade Commission and the Department of Justice sued Amazon's unit.",
    "A ban on facial recognition is safe, the party said; security care is free.",
    "Smart, Honest and Brave Inc. hired Great Wall (Happy) Ltd. as counsel.",
    "“Great” news: ‘Trust’ (Love) [Hope] 'Joy' \"Happy\" — good.",
    "Sales rose 42% in 2020, 3.5x the 1999 figure: 100!",
    "naïve café owners loved the résumé; Zoë hated it.",
    "Men and women, his wife and her husband, were happy.",
    "He's a well-known, self-made, good-hearted man; don't-care attitude.",
    "AMAZING!!! Absolutely AMAZING!!! But sad?",
    "OK ok Ok :) :( :D <3 lol LOL",
]


def _same_features(a: dict, b: dict) -> None:
    assert a["dense"].shape == b["dense"].shape
    assert np.array_equal(a["dense"].view(np.int64), b["dense"].view(np.int64))  # bit for bit
    assert [list(d.items()) for d in a["lex"]] == [list(d.items()) for d in b["lex"]]  # + order
    assert a["tokens"] == b["tokens"]
    assert a["plain"].dtype == b["plain"].dtype and np.array_equal(a["plain"], b["plain"])
    for f in (a, b):  # the word ids handed to the n-gram blocks spell the returned tokens
        words, uid, lens = f["token_ids"]
        spelled = np.array(words + [""], dtype=object)[uid].tolist()
        assert lens.tolist() == [len(t) for t in f["tokens"]]
        assert spelled == [w for t in f["tokens"] for w in t]


def test_compiled_extension_is_built():
    """The compiled loop is part of the package (``pip install -e .`` builds it): a missing
    extension fails here instead of silently running the slower Python loop."""
    from analysis import _newscore

    assert S._newscore is _newscore
    assert _newscore.__file__.endswith((".so", ".pyd"))
    # built from the .pyx in the tree (a stale build would be refused at run time)
    pyx = Path(S.__file__).with_name("_newscore.pyx").read_bytes()
    assert hashlib.sha256(pyx).hexdigest() == _newscore.SOURCE_SHA256
    assert S._compiled_is_current()


def test_stale_compiled_extension_is_not_used(monkeypatch):
    """A build whose source hash differs from the .pyx on disk is refused with a warning and the
    Python loop (identical output) runs instead."""

    class Stale:
        SOURCE_SHA256 = "0" * 64

    monkeypatch.setattr(S, "_newscore", Stale)
    S._compiled_is_current.cache_clear()
    try:
        with pytest.warns(RuntimeWarning, match="older analysis/_newscore.pyx"):
            assert not S._compiled_is_current()
        assert S._newscore is None
        assert S._compiled() is None  # every compiled call site asks _compiled()
        out = S._batch_features(["A SYNTHETIC sentence: great news, but not so good."])
        assert out["dense"].shape[0] == 1
    finally:
        S._compiled_is_current.cache_clear()


@pytest.fixture(scope="module")
def pool_sentences() -> list[str]:
    """A few thousand real sentences of the shipped pool (seeded article sample)."""
    from analysis.corpus import study_articles

    texts = sentence_table(study_articles(sample=70, seed=3))["text"].tolist()
    return list(dict.fromkeys(texts))


def test_compiled_features_equal_python_loop(pool_sentences):
    texts = pool_sentences + TRICKY
    assert len(pool_sentences) > 2000
    _same_features(S._batch_features_c(texts), S._batch_features_py(texts))
    # one sentence at a time too (each batch has its own token and word ids)
    for t in TRICKY:
        _same_features(S._batch_features_c([t]), S._batch_features_py([t]))


def test_split_ids_fast_equals_split_ids(pool_sentences):
    """The token splitter with its own hash table gives ``split_ids``' texts, token ids,
    offsets and new tokens, batch after batch with one growing index: pool sentences, the
    SYNTHETIC tricky ones, SYNTHETIC texts with every kind of white space (and characters that
    are not: zero-width space, BOM) between ASCII, Latin-1, BMP and astral characters, and
    50,000 SYNTHETIC distinct tokens (the table grows several times)."""
    from analysis.vader_fast import demojize

    ws = [" ", "\t", "\n", "\x0b", "\x0c", "\r", "\x1c", "\x1f", "\x85", "\xa0", "\u1680"]
    ws += ["\u2000", "\u2028", "\u2029", "\u202f", "\u3000", "\u200b", "\ufeff"]
    synthetic = ["abc é abc", "é", "\u0100bc \u00e9 bc", "x \U00010000 x", "\U00010000"]
    for w in ws:
        synthetic += [f"a{w}b", f"{w}x{w}", f"café{w}café", f"\u0100{w}abc{w}\u0100"]
        synthetic += [f"\U0001f600{w}ok", w, w * 3 + "z", f"été{w}ete{w}été"]
    many = [" ".join(f"w{k}x{j}" for j in range(50)) for k in range(1000)]
    batches = [pool_sentences[::2], TRICKY, synthetic, pool_sentences[1::2], many, synthetic]
    index, distinct = {}, []
    fast_index, fast_distinct = S._newscore.TokenIndex(), []
    emoji = S._emoji_bitmap()
    for b in batches:
        ref = S._newscore.split_ids(b, index, distinct, demojize, emoji)
        got = S._newscore.split_ids_fast(b, fast_index, fast_distinct, demojize, emoji)
        assert got[0] == ref[0] and got[1].dtype == ref[1].dtype
        assert np.array_equal(got[1], ref[1]) and np.array_equal(got[2], ref[2])
        assert fast_distinct == distinct and len(fast_index) == len(distinct)
    assert len(distinct) > 50_000


def test_compiled_token_table_equals_token_props(pool_sentences):
    """The C analysis of ASCII tokens and of tokens with curly quotes, dashes or the ellipsis
    gives what ``_token_props`` gives, on every token of the pool sample and on SYNTHETIC
    tokens (each such character before, after, around and inside words, alone, doubled; other
    non-ASCII tokens go through ``_token_props``)."""
    distinct = list(dict.fromkeys(w for t in pool_sentences + TRICKY for w in t.split()))
    distinct += ["a", "I", "I'm", "n't", "don't", "...", "--", "A.", "U.S.", "X-1", "'s", "9"]
    bases = ["don't", "Hello", "US", "A", "I", "a", "good", "GOOD", "not", "Trump", "of", "9"]
    bases += ["x-ray", "U.S.", "''", "!", "?!", "ok!", "Justice", "isn’t", "can’t", "«no»"]
    for q in "’‘“”—–…":
        for w in bases:
            distinct += [q + w, w + q, q + w + q, w.replace("'", q), q, q + q, w + q + "s"]
            distinct += [w[:1] + q + w[1:], '"' + q + w + '."', "(" + q + w, w.upper() + q]
    distinct = list(dict.fromkeys(distinct))
    fast = S._token_arrays(distinct)
    ref = S._token_arrays(distinct, ascii_fast=False)
    assert sum(t.isascii() for t in distinct) > 0.5 * len(distinct)
    assert sum(not t.isascii() for t in distinct) > 500
    for key, value in ref.items():
        if isinstance(value, np.ndarray):
            assert np.array_equal(fast[key], value), key
        else:
            assert fast[key] == value, key


def test_compiled_rule_engine_exercised_and_fallbacks_rare(pool_sentences):
    """The C rule engine scores most sentences; the Python callbacks (listed-name / policy
    regexes, VADER's multi-word idioms) stay a minority, and every branch is reached."""
    seen = {}
    orig = S._newscore.sentence_pass

    def spy(*args, **kwargs):
        out = orig(*args, **kwargs)
        seen["fallbacks"] = out[6]
        return out

    S._newscore.sentence_pass = spy
    try:
        S._batch_features_c(pool_sentences)
    finally:
        S._newscore.sentence_pass = orig
    names, idioms = seen["fallbacks"]
    n = len(pool_sentences)
    assert 0 < names < 0.35 * n and 0 < idioms < 0.05 * n


def test_compiled_layer_helpers_equal_python(pool_sentences):
    feats = S._batch_features(pool_sentences)
    ix = S._shipped_index("news")
    ref = S._count_matrix(feats["lex"], ix["lex"], values=True) @ ix["lex_coef"]
    assert np.array_equal(S._lex_dot(feats["lex"], ix["lex"], ix["lex_coef"]), ref)
    words, uid, lens = S._token_ids(feats["tokens"])
    w2, u2, l2 = S._token_ids_py(feats["tokens"])
    assert words == w2 and np.array_equal(uid, u2) and np.array_equal(lens, l2)


def test_l2_rows_equal_scikit_learn_normalize(pool_sentences):
    from sklearn.preprocessing import normalize

    feats = S._batch_features(pool_sentences[:1500])
    ix = S._shipped_index("news")
    for counts, idf in [
        (S._word_counts(feats["tokens"], ix["word"]), ix["word_idf"]),
        (S._char_counts(feats["tokens"], ix["char"], ix["char_table"]), ix["char_idf"]),
    ]:
        m = counts.tocsr(copy=True)
        m.sum_duplicates()
        m.data = (1.0 + np.log(m.data)) * idf[m.indices]
        ref = normalize(m.copy(), norm="l2")
        mine = S._l2_rows(m.copy())
        assert ref.nnz > 10_000
        assert np.array_equal(mine.indptr, ref.indptr)
        assert np.array_equal(mine.indices, ref.indices)
        assert np.array_equal(mine.data.view(np.int64), ref.data.view(np.int64))


def test_news_scoring_does_not_import_scikit_learn():
    import subprocess
    import sys

    code = (
        "import sys; from analysis import sentiment as S; "
        "S.vader_and_news_polarity(['The deal is good.', 'Justice Department sued.']); "
        "print(sorted(m for m in sys.modules if m.startswith('sklearn')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_compiled_plain_vader_of_neutralised_sentences(pool_sentences):
    """The compiled pass's plain-VADER scores of sentences with a neutralised word equal
    ``vader_polarity`` (FastVader, itself equal to vaderSentiment) bit for bit."""
    texts = pool_sentences + TRICKY
    feats = S._batch_features_c(texts, plain_vader=True)
    rows = feats["redo_rows"]
    assert len(rows) > 100 and np.array_equal(rows, np.flatnonzero(~feats["plain"]))
    S._fast_vader().clear_cache()
    ref = S.vader_polarity([texts[i] for i in rows]).to_numpy()
    assert np.array_equal(feats["redo_scores"].view(np.int64), ref.view(np.int64))


def test_python_fallback_gives_the_same_scores(pool_sentences, monkeypatch):
    """Without the extension (simulated) every scorer runs the Python loop and returns the same
    tables bit for bit (so the extension only changes speed)."""
    texts = pool_sentences[:600] + TRICKY
    S._fast_vader().clear_cache()
    vader_c, news_c = S.vader_and_news_polarity(texts)
    monkeypatch.setattr(S, "_newscore", None)
    S._fast_vader().clear_cache()
    vader_py, news_py = S.vader_and_news_polarity(texts)
    S._fast_vader().clear_cache()
    for a, b in [(vader_c, vader_py), (news_c, news_py)]:
        assert list(a.columns) == list(b.columns)
        assert np.array_equal(a.to_numpy().view(np.int64), b.to_numpy().view(np.int64))


def test_compiled_spans_tokens_equal_python(pool_sentences):
    import random

    rng = random.Random(5)
    texts = pool_sentences[:800] + TRICKY + ["a\tb\u00a0c\u2009d  e\n f", " x ", "\u3000y z"]
    for text in texts:
        n = len(text)
        spans = [tuple(sorted(rng.randrange(n + 1) for _ in range(2))) for _ in range(3)]
        spans += [(0, n), (n, n)]
        assert S._newscore.spans_tokens(text, spans) == S._spans_tokens(text, spans), text


def test_compiled_tfidf_terms_equal_numpy(pool_sentences, monkeypatch):
    """The compiled TF-IDF terms give the same predictions as the numpy formula, bit for bit."""
    feats = S._batch_features(pool_sentences)
    ix = S._shipped_index("news")
    toks = feats["tokens"]
    blocks = [
        (S._word_counts(toks, ix["word"]), ix["word_idf"], ix["word_coef"], False),
        (S._char_counts(toks, ix["char"], ix["char_table"]), ix["char_idf"], ix["char_coef"], True),
    ]
    fast = [S._tfidf_dot(*b) for b in blocks]
    monkeypatch.setattr(S, "_newscore", None)
    ref = [S._tfidf_dot(*b) for b in blocks]
    for a, b in zip(fast, ref, strict=True):
        assert np.count_nonzero(b) > 1000
        assert np.array_equal(a.view(np.int64), b.view(np.int64))


def test_batch_pass_restores_the_garbage_collector_state():
    import gc

    texts = TRICKY[3:8]  # SYNTHETIC
    assert gc.isenabled()
    S.vader_and_news_polarity(texts)
    S.neutralised_vader(texts)
    assert gc.isenabled()
    gc.disable()
    try:
        S.vader_and_news_polarity(texts)
        assert not gc.isenabled()
    finally:
        gc.enable()


def _python_round(x, digits: int) -> np.ndarray:
    return np.array([round(v, digits) for v in np.asarray(x, dtype=float).tolist()], dtype=float)


def test_round_like_python_equals_round_on_ties():
    """SYNTHETIC values: exact half-way decimals, their 8 neighbouring doubles on each side,
    random values, decimals with more digits, and special values; bit for bit (sign of zero and
    NaN included) equal to Python's ``round``."""
    rng = np.random.default_rng(0)
    for digits in (3, 4):
        ties = (np.arange(-20000, 20001) + 0.5) / 10**digits
        cases = [
            ties,
            rng.uniform(-1, 1, 200_000),
            rng.integers(-(10**7), 10**7, 100_000) / 10 ** (digits + 3),
            np.array([0.0, -0.0, np.nan, np.inf, -np.inf, 1e300, -1e300, 5e-324, 1e16, 1.0, -1.0]),
            np.array([0.0005, 0.00015, 0.12345, -0.00005, 2.675, 0.9999499999, -0.99995]),
        ]
        up, down = ties.copy(), ties.copy()
        for _ in range(8):
            up, down = np.nextafter(up, np.inf), np.nextafter(down, -np.inf)
            cases += [up, down]
        for x in cases:
            assert S._round_like_python(x, digits).tobytes() == _python_round(x, digits).tobytes()


def test_vader_columns_rounded_as_python_round_on_pool(pool_sentences, monkeypatch):
    fast = S._batch_features(pool_sentences + TRICKY)["dense"]
    monkeypatch.setattr(S, "_round_like_python", _python_round)
    ref = S._batch_features(pool_sentences + TRICKY)["dense"]
    assert np.count_nonzero(ref[:, :4]) > 4000
    assert fast.tobytes() == ref.tobytes()


def test_per_process_tables_give_the_same_results(pool_sentences, monkeypatch):
    """The token table of the compiled pass and the char n-gram rows are kept per process and
    extended call by call: batches scored one after another (warm tables) give exactly what
    each batch gives with fresh tables, also when a table starts again at its size bound."""
    batches = [pool_sentences[k::3] for k in range(3)] + [TRICKY, pool_sentences[:40]]

    def fresh():
        S._token_state.cache_clear()
        S._char_state.cache_clear()

    def run(texts):
        table, vader, plain = S._news_scores(texts, plain_vader=True)
        return table.to_numpy().tobytes(), vader.tobytes(), plain.tobytes()

    fresh()
    warm = [run(b) for b in batches]
    n_tokens = len(S._token_state()["distinct"])
    assert n_tokens > len({w for b in batches[:1] for t in b for w in t.split()})
    for b, w in zip(batches, warm, strict=True):
        fresh()
        assert run(b) == w
    fresh()
    monkeypatch.setattr(S, "_TOKEN_TABLE_MAX", 3000)
    monkeypatch.setattr(S, "_CHAR_TABLE_MAX", 2000)
    assert [run(b) for b in batches] == warm
    assert len(S._token_state()["distinct"]) < n_tokens
    # the char count matrix itself, entry by entry and in the same order, against _char_counts
    ix = S._shipped_index("news")
    for b in batches:
        toks = S._batch_features(b)["tokens"]
        ids = S._token_ids(toks)
        a = S._char_counts_cached(toks, ix, ids)
        r = S._char_counts(toks, ix["char"], ix["char_table"], ids)
        assert r.nnz > 0 and np.array_equal(a.indptr, r.indptr)
        assert np.array_equal(a.indices, r.indices) and a.data.tobytes() == r.data.tobytes()
    fresh()


def test_word_numbering_does_not_change_predictions(pool_sentences):
    """The compiled pass numbers the learned words by their per-process ids, not in first-seen
    order as ``_token_ids``: the prediction is the same bit for bit (the blocks read each
    token's word, never the order of the ids)."""
    feats = S._batch_features(pool_sentences + TRICKY)
    ix = S._shipped_index("news")
    layer = S.load_news_model()["variants"]["news"]
    own = S._predict_layer(feats, layer, index=ix)
    first_seen = {k: v for k, v in feats.items() if k != "token_ids"}
    assert own.tobytes() == S._predict_layer(first_seen, layer, index=ix).tobytes()
    assert feats["token_ids"][0] != S._token_ids(feats["tokens"])[0]  # another numbering


def test_reduceat_sums_equal_numpy():
    """The compiled twin of ``np.add.reduceat`` (numpy's pairwise summation of each segment
    after its first term) gives the same bits: SYNTHETIC segments of 1..700 values of mixed
    magnitude, with signed zeros."""
    rng = np.random.default_rng(7)
    for trial in range(400):
        n = int(rng.integers(1, 700))
        a = rng.standard_normal(n) * 10.0 ** rng.integers(-6, 6, n)
        a[rng.random(n) < (0.3 if trial % 3 == 0 else 0.0)] = -0.0
        a[rng.random(n) < (0.3 if trial % 4 == 0 else 0.0)] = 0.0
        starts = np.unique(np.r_[0, rng.choice(n, int(rng.integers(0, 30)))]).astype(np.int64)
        ref = np.add.reduceat(a, starts)
        assert ref.tobytes() == S._newscore.reduceat_sums(a, starts).tobytes()
    for v in ([-0.0], [-0.0, -0.0], [0.0, -0.0], [-0.0] * 9, [-0.0] * 200, [1e16, 1.0, -1e16]):
        a = np.array(v)
        one = np.zeros(1, dtype=np.int64)
        assert np.add.reduceat(a, one).tobytes() == S._newscore.reduceat_sums(a, one).tobytes()


def test_char_tfidf_dot_equals_the_sparse_route(pool_sentences):
    """The char block's prediction term from the compiled pass over the cached word rows equals
    the sparse route (count matrix ``S @ G``, then ``_tfidf_dot``) bit for bit: pool sentences,
    the SYNTHETIC tricky ones, repeated words, and a word repeated past the log table (the
    compiled pass then declines and the sparse route is taken)."""
    ix = S._shipped_index("news")
    long = [["reform"] * 5000 + ["bill"], ["reform", "reform", "bill"], []]
    batches = [pool_sentences, TRICKY, long]
    S._char_state.cache_clear()
    for b in batches:
        toks = S._batch_features(b)["tokens"] if b is not long else b
        ids = S._token_ids(toks)
        fast = S._char_tfidf_dot(toks, ix, ids)
        counts = S._char_counts_cached(toks, ix, ids)
        ref = S._tfidf_dot(counts, ix["char_idf"], ix["char_coef"], summed=True)
        assert fast.tobytes() == ref.tobytes() and (fast != 0).sum() > 1
        G, gid = S._char_rows_cached(ix, ids[0])
        off = np.r_[0, np.cumsum(ids[2])].astype(np.longlong)
        got = S._newscore.char_tfidf_dot(
            gid[ids[1]].astype(np.longlong),
            off,
            G.indptr,
            G.indices,
            G.data,
            ix["char_idf"],
            ix["char_coef"],
            S._log_table(),
        )
        assert (got is None) == (b is long)
    S._char_state.cache_clear()


def test_word_tfidf_dot_equals_the_sparse_route(pool_sentences):
    """The word block's prediction term from the compiled pass (unigram and bigram columns
    sorted and counted per sentence) equals ``_tfidf_dot(_word_counts(...))`` bit for bit:
    pool sentences, the SYNTHETIC tricky ones and SYNTHETIC repeats (a bigram twice, a word
    past the log table: the compiled pass declines and the sparse route is taken)."""
    ix = S._shipped_index("news")
    a, b = next(t.split() for t in ix["word"] if " " in t)
    synthetic = [[a, b, a, b, a], [a] * 5000, [], [b]]
    for toks in (S._batch_features(pool_sentences)["tokens"], S._batch_features(TRICKY)["tokens"]):
        ids = S._token_ids(toks)
        fast = S._word_tfidf_dot(toks, ix, ids)
        ref = S._tfidf_dot(S._word_counts(toks, ix["word"], ids), ix["word_idf"], ix["word_coef"])
        assert fast.tobytes() == ref.tobytes() and (fast != 0).sum() > 1
    ids = S._token_ids(synthetic)
    fast = S._word_tfidf_dot(synthetic, ix, ids)
    ref = S._tfidf_dot(S._word_counts(synthetic, ix["word"], ids), ix["word_idf"], ix["word_coef"])
    assert fast.tobytes() == ref.tobytes() and fast[0] != 0
    col = np.array([ix["word"].get(w, -1) for w in ids[0]], dtype=np.longlong)[ids[1]]
    comp = np.array([ix["word_pairs"]["comp"].get(w, -1) for w in ids[0]], np.longlong)[ids[1]]
    pairs = ix["word_pairs"]
    args = (pairs["codes"], pairs["cols"], pairs["k"], ix["word_idf"], ix["word_coef"])
    off = np.r_[0, np.cumsum(ids[2])].astype(np.longlong)
    assert S._newscore.word_tfidf_dot(col, comp, off, *args, S._log_table()) is None
    got = S._newscore.word_tfidf_dot(col[:5], comp[:5], off[:2], *args, S._log_table())
    assert got[1].tobytes() != np.zeros(1).tobytes()


def _scipy_csr(row, col, shape):
    from scipy import sparse

    return sparse.csr_matrix((np.ones(len(row)), (row, col)), shape=shape)


def _same_csr(mine, ref) -> None:
    assert mine.shape == ref.shape
    for name in ("indptr", "indices", "data"):
        a, b = getattr(mine, name), getattr(ref, name)
        assert a.dtype == b.dtype, name
        assert a.tobytes() == b.tobytes(), name


def test_char_gram_matrix_equals_scipy_csr_on_every_pool_word(shipped_corpus):
    """The word x n-gram matrix is built with numpy as the arrays scipy's
    ``csr_matrix((ones, (row, col)), shape)`` holds (canonical: sorted columns, duplicates
    summed; int32 indices): equal array for array, dtypes included, for every distinct
    lower-cased white-space token of the pool's articles (~150k words, n-grams repeated within
    a word among them), and for SYNTHETIC shuffled coordinates with duplicates."""
    ix = S._shipped_index("news")
    vocab, table = ix["char"], ix["char_table"]
    words = sorted({w for t in shipped_corpus[0]["text"].str.lower() for w in t.split()})
    assert len(words) > 100_000
    rows, cols = [], []
    for k, w in enumerate(words):  # the n-grams of each word, listed (the reference route)
        got = [j for j in map(vocab.get, S._char_grams((w,), 2, 5)) if j is not None]
        cols += got
        rows += [k] * len(got)
    ref = _scipy_csr(rows, cols, (len(words), len(vocab)))
    assert ref.data.max() > 1  # repeated n-grams within a word are summed
    _same_csr(S._char_gram_matrix(words, vocab, table), ref)
    _same_csr(S._char_gram_matrix(words[:5000], vocab, None), ref[:5000])  # listing fallback
    rng = np.random.default_rng(11)
    for n_rows, n_cols, nnz in [(1, 1, 0), (5, 3, 40), (300, 50, 2000), (2, 70_000, 9)]:
        r = rng.integers(0, n_rows, nnz)
        c = rng.integers(0, n_cols, nnz)
        _same_csr(S._canonical_csr(r, c, n_rows, n_cols), _scipy_csr(r, c, (n_rows, n_cols)))
    # the scipy matrix of the arrays, for the sparse fallbacks
    m = S._char_gram_matrix(words[:50], vocab, table)
    assert (m.tosparse() != ref[:50]).nnz == 0


def test_scoring_a_chunk_imports_no_scipy():
    """The pipeline's scoring of a chunk (and the news scorer) never imports scipy: a
    ``sys.meta_path`` finder run in a fresh interpreter records and refuses any scipy import
    (and is shown to catch one at the end). Why: importing scipy.sparse cost each worker
    ~0.2 s of start-up."""
    import subprocess
    import sys

    code = """
import sys
from analysis.corpus import load_corpus
import analysis.pipeline as P
tried = []
class Trap:
    def find_spec(self, name, path=None, target=None):
        if name == "scipy" or name.startswith("scipy."):
            tried.append(name)
            raise ImportError("scipy trapped: " + name)
        return None
arts = load_corpus("allsides_techpolicy")[0].iloc[600:640]
assert "scipy" not in sys.modules
sys.meta_path.insert(0, Trap())
res = P.score_chunk(arts, None, None, None, P.lexicon_versions(None))
from analysis import sentiment as S
S.vader_and_news_polarity(["The deal is good.", "Not a bad ruling, but unfair."])
assert len(res.sentences) > 500, len(res.sentences)
print("tried", tried, "loaded", "scipy" in sys.modules)
try:
    import scipy.sparse
except ImportError:
    print("control", tried)
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.splitlines() == ["tried [] loaded False", "control ['scipy']"]


def _same_json(a, b) -> bool:
    """Equal JSON values, types and float bits included."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same_json(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same_json(x, y) for x, y in zip(a, b, strict=True))
    return a.hex() == b.hex() if isinstance(a, float) else a == b


def test_shipped_layer_is_the_json_loaded_layer(tmp_path, monkeypatch):
    """The scoring path parses only the members up to its layer: the same objects as
    ``json.load`` of the whole file (float bits, types, key order) for both layers; files it
    cannot read that way (SYNTHETIC: the format after the layers, white space, a malformed or
    unknown format, a missing variant, no file) behave as :func:`load_news_model`."""
    model = S.load_news_model()
    for variant in ("news", "news_context"):
        assert _same_json(S._shipped_layer(variant), model["variants"][variant])

    def run(text: str | None):
        S._shipped_layer.cache_clear()
        S.load_news_model.cache_clear()
        if text is not None:
            (tmp_path / S.MODEL_FILE).write_text(text, encoding="utf-8")
        try:
            return S._shipped_layer("news")
        except (ValueError, KeyError) as e:  # load_news_model's own errors
            return type(e).__name__

    layer = {"context": False, "x": [1.5, -0.0, 2], "s": ["a b", 'q"\\u00e9']}
    good = {"format": S.MODEL_FORMAT, "cv": {"news": 1}, "variants": {"other": [], "news": layer}}
    monkeypatch.setattr(paths, "MODELS_DIR", tmp_path)
    try:
        assert run(None) is None
        assert _same_json(run(json.dumps(good)), layer)
        assert _same_json(run(json.dumps(good, indent=2)), layer)  # white space
        late = {"variants": {"news": layer}, "format": S.MODEL_FORMAT}  # whole-file route
        assert _same_json(run(json.dumps(late)), layer)
        assert run(json.dumps({**good, "format": "other"})) == "ValueError"
        assert run(json.dumps({**late, "format": "other"})) == "ValueError"
        assert run(json.dumps({"format": S.MODEL_FORMAT, "variants": {}})) == "KeyError"
        assert run(json.dumps(good)[:-30]) == "JSONDecodeError"
    finally:
        S._shipped_layer.cache_clear()
        S.load_news_model.cache_clear()


def _char_codes_loop(vocab: dict[str, int]) -> np.ndarray:
    """The per-character loop the vectorised code table replaced (its reference)."""
    alpha = {ch: k + 1 for k, ch in enumerate(sorted({ch for g in vocab for ch in g}))}
    codes = np.zeros(len(vocab), dtype=np.uint64)
    for g, j in vocab.items():
        c = 0
        for ch in g:
            c = c * (len(alpha) + 1) + alpha[ch]
        codes[j] = c
    return codes


def test_char_code_table_equals_the_per_character_loop():
    """Vectorised n-gram codes: equal to the loop on the shipped vocabulary, on it with its
    columns shuffled, and on a SYNTHETIC vocabulary with an empty gram (the loop's route)."""
    ix = S._shipped_index("news")
    rng = np.random.default_rng(5)
    grams = list(ix["char"])
    shuffled = dict(zip(grams, rng.permutation(len(grams)).tolist(), strict=True))
    odd = {"ab": 0, " \ud800x": 1, "zz": 2}  # SYNTHETIC: a lone surrogate
    for vocab in (ix["char"], shuffled, odd, {"ab": 2, "": 0, " é": 1, "zzz": 3}):
        t = S._char_code_table(vocab)
        ref = _char_codes_loop(vocab)
        order = np.argsort(ref, kind="stable")
        assert t["codes"].dtype == np.uint64 and t["codes"].tobytes() == ref[order].tobytes()
        assert np.array_equal(t["cols"], order) and len(set(ref.tolist())) == len(vocab)
    assert ix["char_table"]["codes"].tobytes() == S._char_code_table(ix["char"])["codes"].tobytes()


def test_char_rows_grow_like_stacked_parts(pool_sentences):
    """The per-process word x n-gram matrix, grown batch by batch in its buffers, equals the
    rows of all its words built at once (same entries, same order), and ``ids_of`` numbers
    new words after the known ones."""
    ix = S._shipped_index("news")
    S._char_state.cache_clear()
    seen: dict[str, int] = {}
    for k in range(4):
        toks = S._batch_features(pool_sentences[k::4])["tokens"]
        words = S._token_ids(toks)[0]
        G, gid = S._char_rows_cached(ix, words)
        for w in words:
            seen.setdefault(w, len(seen))
        assert gid.tolist() == [seen[w] for w in words]
    ref = S._char_gram_matrix(list(seen), ix["char"], ix["char_table"])
    assert G.shape == ref.shape and np.array_equal(G.indptr, ref.indptr)
    assert np.array_equal(G.indices, ref.indices) and G.data.tobytes() == ref.data.tobytes()
    index = {"a": 0}
    assert S._newscore.ids_of(["b", "a", "c"], index).tolist() == [1, 0, 2]
    assert index == {"a": 0, "b": 1, "c": 2}
    S._char_state.cache_clear()


def test_word_counts_equal_listed_ngrams(pool_sentences):
    """The vectorised word 1-2-gram counts (pair codes from the layer's bigram table) equal
    counting the listed n-grams of each sentence, entry for entry."""
    toks = S._batch_features(pool_sentences + TRICKY)["tokens"]
    ix = S._shipped_index("news")
    ref = S._count_matrix([S._ngrams(t, 2) for t in toks], ix["word"])
    ref.sort_indices()
    bigrams = {j for term, j in ix["word"].items() if " " in term}
    assert len(set(ref.indices) & bigrams) > 500
    ids = S._token_ids(toks)
    for mine in (
        S._word_counts(toks, ix["word"]),
        S._word_counts(toks, ix["word"], ids, ix["word_pairs"]),
    ):
        assert np.array_equal(mine.indptr, ref.indptr)
        assert np.array_equal(mine.indices, ref.indices)
        assert mine.data.tobytes() == ref.data.tobytes()


def test_entity_list_loaded_once_and_as_by_the_python_parser():
    """The entity list is read with libyaml's safe loader when available: the same objects as
    PyYAML's pure-Python SafeLoader (values and types, recursively); the trigger table uses the
    one cached configuration (no second parse)."""
    import yaml

    from analysis import paths

    text = (paths.RESOURCES_DIR / S.ENTITIES_FILE).read_text(encoding="utf-8")
    ref = yaml.load(text, Loader=yaml.SafeLoader)

    def typed(x):
        if isinstance(x, dict):
            return [(typed(k), typed(v)) for k, v in x.items()]
        if isinstance(x, list):
            return [typed(v) for v in x]
        return (type(x).__name__, x)

    assert typed(load_yaml_safe(text)) == typed(ref)
    assert typed(S._entity_config()["raw"]) == typed(ref) and len(ref["names"]) > 5
    S._entity_config.cache_clear()
    S._triggers.cache_clear()
    try:
        S._triggers()
        assert S._entity_config.cache_info().currsize == 1
    finally:
        S._entity_config.cache_clear()
        S._triggers.cache_clear()


def test_listed_scan_regex_finds_the_listed_regex_matches(pool_sentences):
    """The faster listed-name regex (first-character look-ahead, alternatives grouped by first
    character) gives the same match spans as the listed regex, on pool sentences and on
    SYNTHETIC texts holding every listed entry in different contexts."""
    cfg = S._entity_config()
    values = [
        str(e[kind])
        for kind, key in (("phrase", "phrases"), ("name", "names"))
        for e in cfg["raw"].get(key) or []
    ]
    synthetic = []
    for v in values:
        spaced = "  ".join(v.split())
        synthetic += [
            f"said {v} today",
            f"{v}-led",
            f"x{v}",
            f"({v}), and {spaced} Then",
            f"{v} Report",
            f"{v}, Inc",
            f"the {v}s",
            f"{v}{v} {v}",
            v.upper(),
            f"{v.split()[0]} of {v}",
        ]
    texts = pool_sentences + TRICKY + synthetic
    found = 0
    for t in texts:
        ref = [m.span() for m in cfg["listed"].finditer(t)]
        assert [m.span() for m in cfg["listed_scan"].finditer(t)] == ref, t
        found += bool(ref)
    assert found > len(values) * 3


def test_per_process_tables_shared_by_threads(pool_sentences):
    """Calls from several threads extend the shared tables under a lock: each thread's scores
    equal the scores of the same batch computed alone with fresh tables."""
    from concurrent.futures import ThreadPoolExecutor

    batches = [pool_sentences[k::4] for k in range(4)] + [TRICKY]

    def run(texts):
        table, vader, plain = S._news_scores(texts, plain_vader=True)
        return table.to_numpy().tobytes(), vader.tobytes(), plain.tobytes()

    alone = []
    for b in batches:
        S._token_state.cache_clear()
        S._char_state.cache_clear()
        alone.append(run(b))
    S._token_state.cache_clear()
    S._char_state.cache_clear()
    with ThreadPoolExecutor(max_workers=4) as ex:
        assert list(ex.map(run, batches * 2)) == alone * 2


def test_gc_paused_restores_the_collector_state_also_on_error():
    """The shared pause (news scorer, lexicon block, target featurisation) turns the cyclic
    collector off inside and puts back whatever state it found, when the block raises too."""
    import gc

    from analysis.gcpause import gc_paused

    assert gc.isenabled()
    with pytest.raises(ValueError), gc_paused():
        assert not gc.isenabled()
        raise ValueError("SYNTHETIC failure inside the pass")
    assert gc.isenabled()
    gc.disable()
    try:
        with gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # it was off before: stays off
    finally:
        gc.enable()
