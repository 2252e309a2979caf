"""Tests of the framing lexicon engine (analysis.framing).

The seed article (real data) is the acceptance test. Everything marked SYNTHETIC is text or a
lexicon written for the test only.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import warnings
from itertools import islice

import numpy as np
import pandas as pd
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis import framing as F
from analysis import paths
from analysis.text import line_quote_pairs, quote_spans, sentence_table, span_voice


def lex(categories: dict, name: str = "synthetic", window: int = 3, **extra) -> F.Lexicon:
    """A SYNTHETIC lexicon built in memory."""
    data = {
        "name": name,
        "version": "0",
        "description": "synthetic test lexicon",
        "citation": "none (test)",
        "licence": "CC0-1.0",
        "negation_window": window,
        "categories": categories,
        **extra,
    }
    return F.lexicon_from_dict(data)


def _corpus_rows(n: int) -> list[dict]:
    """The first ``n`` raw rows of the shipped corpus file (its own field names)."""
    path = paths.corpus_dir("allsides_techpolicy") / "articles.jsonl.gz"
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return [json.loads(line) for line in islice(fh, n)]


def _corpus_articles(n: int) -> pd.DataFrame:
    """The first ``n`` corpus articles as ``doc_id, title, text`` (no load rules applied)."""
    rows = _corpus_rows(n)
    return pd.DataFrame(
        {
            "doc_id": [str(r["ID"]) for r in rows],
            "title": [r["title"] or "" for r in rows],
            "text": [r["content_original"] or "" for r in rows],
        }
    )


def spans(hits: pd.DataFrame) -> set[tuple]:
    return set(zip(hits["start"], hits["end"], hits["category"], hits["cue"], strict=True))


# --------------------------------------------------------------------------- acceptance


@pytest.fixture(scope="module")
def shipped():
    return F.load_lexicons()


@pytest.fixture(scope="module")
def seed_hits(seed_text, shipped):
    return F.match_text(seed_text, shipped.select("evaluative")), seed_text


def _hit_in(hits, text, phrase, category):
    """Hits of ``category`` inside the first occurrence of ``phrase`` in ``text``."""
    at = text.index(phrase)
    sel = hits[
        (hits["category"] == category)
        & (hits["start"] >= at)
        & (hits["end"] <= at + len(phrase))
        & (hits["part"] == "body")
    ]
    return sel


def test_seed_article_acceptance(seed_hits):
    hits, text = seed_hits
    praise = _hit_in(hits, text, "seems to be a bold one", "praise")
    assert list(praise["matched"]) == ["bold"] and list(praise["voice"]) == ["reporter"]
    assert not praise["negated"].any()
    assert len(_hit_in(hits, text, "something of a parting shot to those in the field", "conflict"))
    contr = _hit_in(
        hits,
        text,
        "Amazon's controversial Rekognition service is not well thought of",
        "controversy",
    )
    assert set(contr["cue"]) == {"controversial", "not well thought of"}
    assert not contr["negated"].any()  # the cue's own "not" does not negate it
    assert len(_hit_in(hits, text, "do not bring in much revenue for IBM", "strategic_motive"))
    assert len(_hit_in(hits, text, "a major customer", "strategic_motive"))
    unc = _hit_in(hits, text, "it is unclear whether", "uncertainty")
    assert len(unc) and not unc["negated"].any()
    quote = "mass surveillance, racial profiling, violations of basic human rights"
    surv = _hit_in(hits, text, quote, "surveillance")
    rights = _hit_in(hits, text, quote, "rights")
    assert list(surv["matched"]) == ["mass surveillance"]
    assert set(rights["matched"]) == {"racial profiling", "human rights"}
    assert set(surv["voice"]) == {"quoted"} and set(rights["voice"]) == {"quoted"}
    # offsets index the article text and the matched text is what is there
    for r in hits.itertuples():
        assert text[r.start : r.end] == r.matched


def test_seed_rates(seed_hits, seed_text, shipped):
    hits, _ = seed_hits
    arts = pd.DataFrame({"doc_id": ["text"], "title": [""], "text": [seed_text]})
    sents = sentence_table(arts)
    rates = F.article_frame_rates(hits, sents, shipped.select("evaluative"))
    row = rates.iloc[0]
    n_words = sents["n_words"].sum()
    assert row["n_words"] == n_words
    for cat in ("praise", "conflict", "uncertainty", "rights", "surveillance"):
        k = int(((hits["category"] == cat) & ~hits["negated"]).sum())
        assert row[f"evaluative.{cat}.count"] == k
        assert row[f"evaluative.{cat}.rate"] == pytest.approx(k * 1000 / n_words)
    rep = hits[(hits["category"] == "rights") & (hits["voice"] == "reporter")]
    assert row["evaluative.rights.reporter_count"] == len(rep)


# --------------------------------------------------------------------------- shipped lexicons


def test_shipped_registry():
    table = F.list_lexicons()
    assert {"evaluative", "generic_frames", "policy_frames"} <= set(table["name"])
    assert table[["name", "version", "citation", "licence", "path"]].notna().all().all()
    lexs = F.load_lexicons()
    ev = lexs["evaluative"]
    expected = {
        "praise",
        "conflict",
        "controversy",
        "uncertainty",
        "strategic_motive",
        "rights",
        "surveillance",
    }
    assert expected <= set(ev.categories)
    assert min(len(ev.categories[c]) for c in expected) >= 24  # dozens, not five
    assert set(lexs["generic_frames"].categories) == {
        "conflict",
        "human_interest",
        "economic",
        "morality",
        "responsibility",
    }
    assert len(lexs["policy_frames"].categories) == 15


def test_user_folder_overrides_are_reported(tmp_path, monkeypatch):
    user = tmp_path / "lexicons"
    user.mkdir()
    (user / "evaluative.yml").write_text(
        yaml.safe_dump(
            {
                "name": "evaluative",
                "version": "9",
                "description": "analyst's version (synthetic)",
                "citation": "test",
                "licence": "CC0-1.0",
                "categories": {"praise": ["stellar"]},
            }
        ),
        encoding="utf-8",
    )
    monkeypatch.setattr(paths, "USER_LEXICON_DIR", user)
    with pytest.warns(UserWarning, match="overridden"):
        lexs = F.load_lexicons()
    assert lexs["evaluative"].version == "9"
    assert lexs.overrides[0]["name"] == "evaluative"
    table = F.list_lexicons()
    assert table.set_index("name").loc["evaluative", "overrides"].endswith("evaluative.yml")


def test_read_lexicon_rereads_an_edited_file_and_returns_independent_copies(tmp_path):
    """Parsed files are memoised by path, mtime and size: an edit is always seen."""
    f = tmp_path / "mine.yml"
    doc = {
        "name": "mine",
        "version": "1",
        "description": "synthetic test lexicon",
        "citation": "test",
        "licence": "CC0-1.0",
        "categories": {"praise": ["stellar"]},
    }
    f.write_text(yaml.safe_dump(doc), encoding="utf-8")
    first = F.read_lexicon(f)
    first.categories["praise"].clear()  # a caller mutating its copy ...
    again = F.read_lexicon(f)
    assert [c.text for c in again.categories["praise"]] == ["stellar"]  # ... does not leak
    doc["categories"] = {"praise": ["stellar", "superb choice"]}
    f.write_text(yaml.safe_dump(doc), encoding="utf-8")
    os.utime(f, ns=(f.stat().st_atime_ns, f.stat().st_mtime_ns + 10**9))
    edited = F.read_lexicon(f)
    assert [c.text for c in edited.categories["praise"]] == ["stellar", "superb choice"]
    one = pd.DataFrame({"doc_id": ["a"], "title": [""], "text": ["A superb choice, stellar."]})
    hits = F.frame_hits(sentence_table(one), [edited])
    assert sorted(hits["cue"]) == ["stellar", "superb choice"]


# --------------------------------------------------------------------------- errors


def test_malformed_file_names_file_key_and_line(tmp_path):
    bad = tmp_path / "bad.yml"
    bad.write_text(
        "name: bad\nversion: '1'\ndescription: d\ncitation: c\nlicence: l\n"
        "categories:\n  praise:\n    - bold\n    - [not, a, cue]\n",
        encoding="utf-8",
    )
    with pytest.raises(F.LexiconError) as err:
        F.read_lexicon(bad)
    msg = str(err.value)
    assert "bad.yml" in msg and "line 9" in msg and "categories.praise.1" in msg

    syntax = tmp_path / "syntax.yml"
    syntax.write_text("name: x\ncategories: [unclosed\n", encoding="utf-8")
    with pytest.raises(F.LexiconError, match=r"syntax.yml, line \d"):
        F.read_lexicon(syntax)

    missing = tmp_path / "missing.yml"
    missing.write_text("name: x\nversion: '1'\ncategories: {a: [b]}\n", encoding="utf-8")
    with pytest.raises(F.LexiconError, match="missing required key 'description'"):
        F.read_lexicon(missing)


@pytest.mark.parametrize("cue", ["", "   ", "*", "!!!", "* *", "{1,2}", "a*", "took *"])
def test_cues_that_would_match_everything_are_errors(cue):
    with pytest.raises(F.LexiconError, match="cue"):
        lex({"c": ["fine", cue]})


def test_empty_cue_in_file_names_its_line(tmp_path):
    f = tmp_path / "empty.yml"
    f.write_text(
        "name: e\nversion: '1'\ndescription: d\ncitation: c\nlicence: l\n"
        "categories:\n  a:\n    - ok\n    - ''\n",
        encoding="utf-8",
    )
    with pytest.raises(F.LexiconError, match=r"line 9.*empty cue"):
        F.read_lexicon(f)


# --------------------------------------------------------------------------- matching rules


def test_case_rules_and_boundaries():
    lx = lex({"a": ["PR", "Big Brother", "bold", "war", "slam*"]})
    text = (
        "SYNTHETIC. The PR team. Not pr. A big brother helps. Big Brother watches. "
        "Bold move, boldly. Software toward war. Islam; they slammed it; slam."
    )
    got = [m for m in F.match_text(text, lx)["matched"]]
    assert got == ["PR", "Big Brother", "Bold", "war", "slammed", "slam"]


def test_hyphen_and_apostrophe_equivalence_and_line_breaks():
    lx = lex({"a": ["well thought of", "it's unclear", "parting shot"]})
    text = "SYNTHETIC: well-thought-of. It’s unclear. A parting\nshot. A parting  shot."
    hits = F.match_text(text, lx)
    assert list(hits["matched"]) == ["well-thought-of", "It’s unclear", "parting  shot"]


def test_gap_patterns():
    lx = lex({"c": ["took * aim at", "swipe {1,2} at"]})
    text = (
        "SYNTHETIC. She took aim at A. He took direct aim at B. They took very, very careful "
        "aim at C. We took aim. At D. A swipe at E. A swipe directly at F."
    )
    hits = F.match_text(text, lx)
    assert list(hits["matched"]) == [
        "took aim at",
        "took direct aim at",
        "took very, very careful aim at",
        "swipe directly at",
    ]


def test_overlaps_longest_match_and_order_independence():
    cats = {
        "surv": ["surveillance", "mass surveillance", "mass"],
        "rights": ["human rights", "rights", "violations of basic human rights"],
        "other": ["basic human", "surveillance"],  # same span as surv's cue: both kept
    }
    text = "SYNTHETIC: for mass surveillance, violations of basic human rights and rights."
    hits = F.match_text(text, lex(cats))
    got = sorted(spans(hits))
    assert ("mass surveillance", "surv") in {(h[3], h[2]) for h in got}
    assert [h for h in got if h[3] == "surveillance"] == []  # nested in the longer match
    assert {(h[3], h[2]) for h in got if h[3].startswith("violations")} == {
        ("violations of basic human rights", "rights")
    }
    assert sum(1 for h in got if h[3] == "rights") == 1  # the last, standalone "rights"
    # reversing cue order and category order changes nothing
    rev = {k: list(reversed(v)) for k, v in reversed(list(cats.items()))}
    assert spans(F.match_text(text, lex(rev))) == spans(hits)
    # an equal span in two categories counts once per category
    both = F.match_text("SYNTHETIC: surveillance.", lex(cats))
    assert sorted(both["category"]) == ["other", "surv"]


def test_partial_overlap_tie_break_is_earliest_start():
    lx = lex({"x": ["alpha beta"], "y": ["beta gamma"]})
    hits = F.match_text("SYNTHETIC: alpha beta gamma.", lx)
    assert list(hits["cue"]) == ["alpha beta"]


def test_negation_rules():
    lx = lex({"p": ["bold", "clear sign", "it is not clear", "not well thought of"]})
    cases = {
        "SYNTHETIC. This is not bold.": True,
        "SYNTHETIC. There is no clear sign.": True,
        "SYNTHETIC. It was never a very bold plan.": True,
        "SYNTHETIC. It isn't bold.": True,
        "SYNTHETIC. It is not a very, bold plan.": False,  # comma stops the window
        "SYNTHETIC. Not at all a very bold plan.": False,  # 4 tokens back
        "SYNTHETIC. No. Bold.": False,
        "SYNTHETIC. It is not clear.": False,  # the cue's own negation
        "SYNTHETIC. The idea is not well thought of.": False,
        "SYNTHETIC. Knot bold.": False,
    }
    for text, expected in cases.items():
        hits = F.match_text(text, lx)
        assert len(hits) == 1, text
        assert bool(hits["negated"].iloc[0]) is expected, text
    # a window of 0 (topical lexicons) never negates
    assert not F.match_text("SYNTHETIC: not bold.", lex({"p": ["bold"]}, window=0))["negated"].any()


def test_exclusions_constrain_a_cue():
    lx = lex({"p": ["bold"]}, exclude=["bold print", "in bold"])
    hits = F.match_text("SYNTHETIC: a bold plan, in bold print, shown in bold.", lx)
    assert list(hits["start"]) == [13]


def test_voice_of_hits_in_mixed_sentences():
    lx = lex({"s": ["surveillance", "bold"]})
    text = "SYNTHETIC: The bold chief said “we oppose surveillance” today."
    hits = F.match_text(text, lx).set_index("matched")
    assert hits.loc["surveillance", "voice"] == "quoted"
    assert hits.loc["bold", "voice"] == "reporter"


def test_no_sentences_and_empty_texts(shipped):
    empty = F.match_text("", shipped)
    assert list(empty.columns) == list(F.HIT_COLUMNS) and len(empty) == 0
    assert len(F.match_text("   \n\n ", shipped)) == 0
    sents = sentence_table(pd.DataFrame({"doc_id": ["a"], "title": [""], "text": [" "]}))
    assert len(F.frame_hits(sents, shipped)) == 0
    rates = F.article_frame_rates(F.frame_hits(sents, shipped), sents, shipped)
    assert len(rates) == 0


def test_ten_megabyte_text():
    """Documented behaviour: no size limit; the text is scanned once like any other and every
    hit is found with correct offsets. (The sentence table is built here from line spans to keep
    the test fast; analysis.text cuts run-on sentences at MAX_SENTENCE_CHARS.)"""
    para = "SYNTHETIC filler words " * 40 + "and a bold plan under fire, not bold at all.\n"
    n = 10_000_000 // len(para) + 1
    text = para * n
    assert len(text) >= 10_000_000
    starts = range(0, len(text), len(para))
    sents = pd.DataFrame(
        {
            "doc_id": "big",
            "sent_idx": range(n),
            "part": "body",
            "start": list(starts),
            "end": [s + len(para) - 1 for s in starts],
            "text": para[:-1],
            "voice": "reporter",
            "quoted_share": 0.0,
            "n_words": len(para.split()),
        }
    )
    arts = pd.DataFrame({"doc_id": ["big"], "title": [""], "text": [text]})
    hits = F.frame_hits(sents, lex({"p": ["bold"], "c": ["under fire"]}), articles=arts)
    assert len(hits) == 3 * n
    assert hits["negated"].sum() == n
    last = hits.iloc[-1]
    assert text[last["start"] : last["end"]] == "bold" and last["sent_idx"] == n - 1


def test_rebuilt_texts_give_the_same_hits_on_the_corpus(shipped):
    arts = _corpus_articles(40)
    sents = sentence_table(arts)
    a = F.frame_hits(sents, shipped, articles=arts)
    b = F.frame_hits(sents, shipped)
    assert len(a) > 100
    cols = ["doc_id", "part", "start", "end", "category", "lexicon", "negated", "sent_idx"]
    pd.testing.assert_frame_equal(a[cols], b[cols])
    texts = dict(zip(arts["doc_id"], arts["text"], strict=True))
    # hit voice in mixed sentences equals analysis.text's own rule on the full text
    share = sents.set_index(["doc_id", "sent_idx"])["quoted_share"]
    is_mixed = [0 < share.loc[(d, i)] < 1 for d, i in zip(a["doc_id"], a["sent_idx"], strict=True)]
    mixed = a[np.array(is_mixed) & (a["part"] == "body").to_numpy()]
    assert len(mixed) > 20
    spans_of = {d: quote_spans(t) for d, t in texts.items()}
    expected = [
        span_voice(s, e, spans_of[d])
        for d, s, e in zip(mixed["doc_id"], mixed["start"], mixed["end"], strict=True)
    ]
    assert list(mixed["voice"]) == expected
    body = a[a["part"] == "body"]
    assert all(
        texts[d][s:e] == m
        for d, s, e, m in zip(
            body["doc_id"], body["start"], body["end"], body["matched"], strict=True
        )
    )


# --------------------------------------------------------------------------- properties

WORDS = [
    "bold",
    "brave",
    "bravely",
    "mass",
    "surveillance",
    "human",
    "rights",
    "not",
    "no",
    "parting",
]
FILLER = ["the", "a", "plan", "shot", "was", "it", "x"]
SEPS = [" ", " ", " ", ", ", ". ", "-", "\n"]
PROP_CUES = {
    "praise": ["bold", "brave", "bold plan", "brav*"],
    "surv": ["surveillance", "mass surveillance"],
    "rights": ["human rights", "rights", "mass"],
    "conflict": ["parting shot", "shot"],
}


def naive_hits(text: str, cues: dict, window: int = 3) -> set[tuple]:
    """Reference matcher: one regex per cue over the lower-cased text, then longest-first."""
    low = text.lower().replace("-", " ")
    cands = []
    for cat, items in cues.items():
        for cue in items:
            body = re.escape(cue).replace(r"\*", r"\w*")  # a glob: word characters
            pat = re.compile(r"(?<!\w)(?=(" + body + r"))")
            for m in pat.finditer(low):
                s, e = m.start(1), m.end(1)
                if e < len(low) and (low[e].isalnum() or low[e] == "_"):
                    continue
                cands.append((s, e, cat, cue))
    cands.sort(key=lambda c: (-(c[1] - c[0]), c[0], c[3].count("*"), c[2], c[3]))
    accepted: list[tuple] = []
    for c in cands:
        clash = any(
            c[0] < a[1] and a[0] < c[1] and not (c[:2] == a[:2] and c[2] != a[2]) for a in accepted
        )
        if not clash:
            accepted.append(c)
    out = set()
    for s, e, cat, cue in accepted:
        clause = re.split(r"[.,;:!?()\[\]\"“”—–\n]", low[:s])[-1]
        neg = any(t in F.NEGATORS or t.endswith("n't") for t in clause.split()[-window:])
        out.add((s, e, cat, cue, neg))
    return out


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(st.sampled_from(WORDS + FILLER), st.sampled_from(SEPS)), min_size=1, max_size=40
    )
)
def test_engine_matches_naive_reference(tokens):
    text = "SYNTHETIC " + "".join(w + sep for w, sep in tokens)
    lx = lex(PROP_CUES)
    hits = F.match_text(text, lx)
    got = set(
        zip(hits["start"], hits["end"], hits["category"], hits["cue"], hits["negated"], strict=True)
    )
    assert got == naive_hits(text, PROP_CUES)


def reference_quote_pairs(text: str, headline: bool = False) -> list[tuple[int, int]]:
    """The original character-by-character quote scanner, kept as the reference."""
    pairs: list[tuple[int, int]] = []
    for pm in re.finditer(r"[^\n]+", text):
        p0, para = pm.start(), pm.group(0)
        i, n = 0, len(para)
        open_at: int | None = None
        kind = ""
        while i < n:
            ch = para[i]
            if open_at is None:
                if ch == "“":
                    open_at, kind = i, "curly"
                elif ch == '"':
                    open_at, kind = i, "straight"
                elif ch == "‘" and (i == 0 or not para[i - 1].isalnum()):
                    open_at, kind = i, "single"
                elif (
                    headline
                    and ch == "'"
                    and (i == 0 or para[i - 1] in " (:")
                    and i + 1 < n
                    and para[i + 1].isalnum()
                ):
                    open_at, kind = i, "hsingle"
            else:
                close = (
                    (kind == "curly" and ch in "”“")
                    or (kind == "straight" and ch == '"')
                    or (
                        kind == "single" and ch == "’" and (i + 1 == n or not para[i + 1].isalpha())
                    )
                    or (
                        kind == "hsingle"
                        and ch == "'"
                        and (i + 1 == n or not para[i + 1].isalpha())
                    )
                )
                if close and ch == "“" and kind == "curly":
                    # a new opening quote before the close: treat previous as running to here
                    pairs.append((p0 + open_at + 1, p0 + i))
                    open_at = i
                    i += 1
                    continue
                if close:
                    if i > open_at + 1:
                        pairs.append((p0 + open_at + 1, p0 + i))
                    open_at = None
            i += 1
        if open_at is not None and kind in ("curly", "straight") and n - open_at > 1:
            pairs.append((p0 + open_at + 1, p0 + n))  # rule 2: runs to end of paragraph
    return pairs


QUOTE_CHARS = ["“", "”", '"', "‘", "’", "'", " ", "a", "b", "(", ":"]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(QUOTE_CHARS), max_size=40), st.booleans())
def test_fast_quote_pairs_equal_reference(line, headline):
    expected = reference_quote_pairs(line, headline=headline)
    assert line_quote_pairs(line, headline) == expected
    assert [(q.start, q.end) for q in quote_spans(line, headline=headline)] == expected


def test_fast_quote_pairs_on_corpus_paragraphs():
    rows = _corpus_rows(60)
    n = 0
    for r in rows:
        for para in (r["content_original"] or "").split("\n"):
            if para:
                assert line_quote_pairs(para) == reference_quote_pairs(para)
                n += 1
    assert n > 100


def test_no_warnings_on_plain_load():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        F.load_lexicons()


def test_text_category_rates_one_row_per_text(shipped):
    texts = ["SYNTHETIC: a bold and brave plan.", "", "SYNTHETIC: nothing here."]
    out = F.text_category_rates(texts, shipped.select("evaluative"))
    assert len(out) == 3 and list(out["n_words"]) == [6, 0, 3]
    assert out.loc[0, "evaluative.praise"] == pytest.approx(2 * 1000 / 6)
    assert out.loc[2, "evaluative.praise"] == 0 and pd.isna(out.loc[1, "evaluative.praise"])


# --------------------------------------------------------------------------- fast paths (issue #7)


def reference_normalise(text: str) -> tuple[str, np.ndarray, np.ndarray, np.ndarray]:
    """The earlier string-operation normaliser, kept as the reference for the table-based one:
    (lower, code points at original length, run points, run deleted)."""
    low = text.lower()
    if len(low) != len(text):
        low = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    for code in F._SPACE_CODES:
        low = low.replace(chr(code), " ")
    runs = []
    i = low.find("  ")
    while i >= 0:
        j = i + 2
        while j < len(low) and low[j] == " ":
            j += 1
        runs.append((i + 1, j))
        i = low.find("  ", j)
    for code in F._HYPHEN_CODES:
        low = low.replace(chr(code), " ")
    for code in F._APOS_CODES:
        low = low.replace(chr(code), "'")
    codes = np.frombuffer(low.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    pieces, prev, deleted, points, cum = [], 0, 0, [], []
    for a, b in runs:
        pieces.append(low[prev:a])
        points.append(a - deleted)
        deleted += b - a
        cum.append(deleted)
        prev = b
    pieces.append(low[prev:])
    return "".join(pieces), codes, np.asarray(points, int), np.asarray(cum, int)


# SYNTHETIC characters: capital sigma (its lower case depends on context), dotted capital I
# (lower case is two characters), astral letters and symbols, a lone surrogate, every space,
# hyphen and apostrophe the normaliser replaces, quote marks, line breaks
NORM_CHARS = list("aB _-\t\r\u00a0\u2003\u3000\u2010\u2011\u2019\u02bc'‘“”\"\n.,ΣσİẞΩK")
NORM_CHARS += ["\U0001d400", "\U00010400", "\U0001f600", "\ud800", "x", "1", "é"]


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.sampled_from(NORM_CHARS), max_size=40))
def test_table_normaliser_equals_string_operations(text):
    lower, codes, points, deleted = reference_normalise(text)
    nt = F._normalise(text)
    assert nt.lower == lower
    assert np.array_equal(nt.codes, codes)
    assert np.array_equal(nt.run_points, points) and np.array_equal(nt.run_deleted, deleted)
    assert np.array_equal(
        nt.original, np.frombuffer(text.encode("utf-32-le", "surrogatepass"), np.uint32)
    )
    word = [c.isalnum() or c == "_" for c in lower]
    assert nt.scan == " " + "".join(c if w else " " for c, w in zip(lower, word)) + " "
    # with the characters of an automaton's keys, other word characters read as one stand-in
    keys = frozenset(" ab1é")
    scan = F._normalise(text, keys).scan
    assert len(scan) == len(nt.scan)
    for got, want in zip(scan, nt.scan, strict=True):
        assert got == want if (want in keys) else (got == " ") == (want == " ")
        assert got in keys or got == F._STAND_INS[0]
    # keys beyond one byte per character: the scan text keeps every word character
    assert F._normalise(text, frozenset(" abσ")).scan == nt.scan


def test_table_normaliser_on_corpus_text():
    rows = _corpus_rows(200)
    text = "\n\n".join((r["title"] or "") + "\n\n" + (r["content_original"] or "") for r in rows)
    lower, codes, points, deleted = reference_normalise(text)
    nt = F._normalise(text, F.load_lexicons().compiled().key_chars)
    assert nt.lower == lower and np.array_equal(nt.codes, codes)
    assert np.array_equal(nt.run_points, points) and np.array_equal(nt.run_deleted, deleted)


@settings(max_examples=200, deadline=None)
@given(
    st.text(alphabet=st.sampled_from(NORM_CHARS[:-5] + ["\U0001f600", "é", "x"]), max_size=30),
    st.lists(st.tuples(st.integers(0, 30), st.integers(0, 30)), max_size=8),
)
def test_slices_equal_python_slicing(text, bounds):
    spans_ = [(min(a, b, len(text)), min(max(a, b), len(text))) for a, b in bounds]
    start = np.asarray([a for a, _ in spans_], dtype=np.int64)
    end = np.asarray([b for _, b in spans_], dtype=np.int64)
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    assert list(F._slices(text, codes, start, end)) == [text[a:b] for a, b in spans_]


def test_segments_rebuilt_with_arrays_equal_the_loop():
    """SYNTHETIC sentence tables with gaps, overlaps, unsorted rows and titles, and the first
    corpus articles: the array version rebuilds exactly the texts of the loop."""
    rng = np.random.default_rng(7)
    tables = []
    for _ in range(300):
        rows = [
            (f"d{d}", part, int(rng.integers(0, 12)), "".join(rng.choice(list("ab "), 5)))
            for d in range(int(rng.integers(1, 4)))
            for part in ("body", "title")
            for _ in range(int(rng.integers(0, 4)))
        ]
        if rows:
            rng.shuffle(rows)
            tables.append(pd.DataFrame(rows, columns=["doc_id", "part", "start", "text"]))
    arts = _corpus_articles(30)
    tables.append(sentence_table(arts))
    for sents in tables:
        doc, _ = pd.factorize(sents["doc_id"], sort=False)
        part = (sents["part"] != "title").to_numpy(dtype=np.int64)
        loop = F._segments_from_sentences(sents.assign(_doc_order=doc, _part_order=part))
        assert F._segments_from_sorted(sents, doc.astype(np.int64) * 2 + part) == loop


def test_cues_with_punctuation_and_stand_in_letters():
    """The automaton scans a copy of the text with every non-word character as a space and
    letters no cue uses as one stand-in: cues with punctuation must still match only their own
    spelling, and letters outside the cues must not join or split words (SYNTHETIC)."""
    lx = lex({"a": ["u.s. policy", "it's", "so-called", "naïve plan", "café"]})
    text = (
        "SYNTHETIC: U.S. policy, u s policy, u.s policy. It's, it s, its. So called, so, called."
        " A naïve plan, a naive plan, a naïveplan. Café, cafés, ŝcafé, 𝐀café, café𝐀."
    )
    got = list(F.match_text(text, lx)["matched"])
    assert got == ["U.S. policy", "It's", "So called", "naïve plan", "Café"]


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 40), st.lists(st.tuples(st.integers(0, 40), st.integers(1, 4)), max_size=8))
def test_drop_ranges(n, cuts):
    arr = np.arange(n, dtype=np.uint32)
    mask = np.ones(n, dtype=bool)
    starts, ends = [], []
    for a, k in sorted(cuts):
        if (not ends or a > ends[-1]) and a + k <= n:
            starts.append(a)
            ends.append(a + k)
            mask[a : a + k] = False
    s, e = np.asarray(starts, dtype=np.int64), np.asarray(ends, dtype=np.int64)
    for max_pieces in (0, 10_000):  # both ways of cutting
        assert np.array_equal(F._drop(arr, s, e, max_pieces), arr[mask])


ONE_BYTE_CHARS = NORM_CHARS + ["\u2014", "\u2013", "\u2005", "\x85", "\x81"]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(ONE_BYTE_CHARS), max_size=40))
def test_one_byte_alphabet_maps_each_character(text):
    """With a stand-in letter, the matching text is the exact normalised text written in the
    one-byte alphabet, character by character (SYNTHETIC characters)."""
    full = F._normalise(text)
    small = F._normalise(text, stand_in=ord("µ"))
    assert small.lower == "".join(chr(F._reduce(ord(c), ord("µ"))) for c in full.lower)
    assert np.array_equal(small.codes, [F._reduce(int(c), ord("µ")) for c in full.codes])
    assert small.scan == full.scan


def test_one_byte_alphabet_gives_the_same_hits():
    """A lexicon set with a cue beyond Latin-1 matches on the full text; the same cues without
    it on the one-byte text: the hits of the common lexicon are identical (SYNTHETIC text with
    curly quotes, dashes, unusual spaces, C1 controls, astral letters and negations)."""
    cats = {
        "p": ["bold", "bold plan", "brav*", "naïve", "it's"],
        "c": ["took * aim at", "swipe {1,2} at", "mass surveillance", "surveillance"],
    }
    text = (
        "SYNTHETIC “not a bold plan” — they took\u2005very careful aim at it; ‘never bold’. "
        "No\x85bold plan, no—bold – plan. He didn’t “swipe at” it; a naïve 𝐀 bold\x81plan. "
        "Not once did they took ŝome aim at mass\u2003surveillance, “hardly surveillance”.\n"
        "It's a brave, braver, bravely İstanbul plan without mass surveillance."
    )
    one = lex(cats, name="one")
    greek = lex({"g": ["σίγμα"]}, name="greek")
    assert F.resolve_lexicons([one]).compiled().stand_in is not None
    assert F.resolve_lexicons([one, greek]).compiled().stand_in is None
    small = F.match_text(text, [one])
    full = F.match_text(text, [one, greek])
    assert len(small) > 10 and small["negated"].any() and (small["voice"] == "quoted").any()
    pd.testing.assert_frame_equal(small, full[full["lexicon"] == "one"].reset_index(drop=True))


def test_joined_texts_read_like_the_joined_string():
    """SYNTHETIC texts: every slice, the code points and ``in`` equal those of the joined
    string (the engine never builds it unless a slice crosses texts)."""
    texts = ["ab", "", "cdΣ", "\U0001f600e", "\ud800"]
    joined = F._Joined(texts, "\n\n")
    whole = "\n\n".join(texts)
    assert len(joined) == len(whole) and str(joined) == whole
    for a in range(len(whole) + 1):
        for b in range(a, len(whole) + 1):
            assert joined[a:b] == whole[a:b]
    codes = np.frombuffer(whole.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    assert np.array_equal(F._codes(F._Joined(texts, "\n\n")), codes)
    assert all((c in F._Joined(texts, "\n\n")) == (c in whole) for c in ["Σ", "x", "b\n", "\n"])


def test_character_tables_equal_the_per_character_definitions():
    """The BMP tables built with C-level passes (and text's shared isalnum table) equal the
    per-code-point definitions: each character's lower case when it is one character, and
    str.isalnum() or "_"; the one-byte alphabet table equals _reduce for every code point."""
    from analysis import text as X

    chars = [chr(c) for c in range(F._BMP)]
    assert X._bmp_chars() == "".join(chars)  # lone surrogates included
    flags = [X._char_flags_of(ch) for ch in chars]
    assert np.array_equal(X._flags_table(), flags)
    tab = F._char_tables()
    lower = [ord(lo) if len(lo := ch.lower()) == 1 else ord(ch) for ch in chars]
    assert np.array_equal(tab["lower"], lower)
    assert np.array_equal(tab["word"], [ch.isalnum() or ch == "_" for ch in chars])
    assert tab["lower"][0x130] == 0x130  # "İ" lower-cases to two characters: kept
    for stand_in in (ord("µ"), ord("ß"), ord("ÿ")):
        want = [F._reduce(c, stand_in) for c in range(F._BMP)]
        assert np.array_equal(F._reduce_table(stand_in), want)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(NORM_CHARS + ["'", "x", "Y", "\u02bc"]), max_size=30))
def test_norm_str_equals_the_sequential_replacements(text):
    """_norm_str's one str.translate equals the replacements applied one after another, then
    space runs collapsed and the ends trimmed (SYNTHETIC strings)."""
    s = text
    for old, new in F._REPLACEMENTS:
        s = s.replace(old, new)
    assert F._norm_str(text) == re.sub(" {2,}", " ", s).strip(" ")
