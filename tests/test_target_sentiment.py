"""Target-dependent sentiment: the shipped model, its evaluation and JSONL prediction."""

from __future__ import annotations

import json

import numpy as np
import pytest

from analysis import paths
from analysis import target_sentiment as T


@pytest.fixture(scope="module")
def model() -> T.TargetSentimentClassifier:
    return T.load_target_model()


def test_newsmtsc_offsets_are_exclusive_end():
    dev = T.newsmtsc_targets("devtest_mt")
    assert len(dev) > 1000
    assert all(s[a:b] == m for s, a, b, m in zip(dev.sentence, dev.start, dev.end, dev.mention))
    assert set(dev["polarity"]) == {2.0, 4.0, 6.0}


def test_shipped_model_is_json_and_records_its_provenance():
    path = paths.MODELS_DIR / T.MODEL_FILE
    doc = json.loads(path.read_text(encoding="utf-8"))  # plain JSON, no pickle
    assert doc["format"] == T.MODEL_FORMAT
    train = paths.VALIDATION_DIR / "newsmtsc" / "train.jsonl"
    assert doc["train_sha256"] == T._sha256(train)
    assert len(doc["cv"]["folds"]) == 5
    assert 0.0 < doc["cv"]["macro_f1_mean"] < 1.0
    # the recorded training recipe and parameters are the module defaults (what a retrain uses)
    assert doc["recipe"] == T.DEFAULT_RECIPE
    params = doc["model"]["params"]
    assert params["extra"] == list(T.DEFAULT_PARAMS["extra"])
    assert params["use_vader"] == T.DEFAULT_PARAMS["use_vader"]
    # class offsets were not adopted (cross-fitted CV said they hurt): none stored, none used
    assert params["class_bias"] is None and doc["cv_with_class_bias"] is None
    assert doc["n_train_targets"] == len(T.newsmtsc_targets("train"))


def test_shipped_model_reproduces_recorded_devtest_score(model):
    recorded = T.target_model_info()["devtest_mt"]
    table = T.evaluate_newsmtsc(model)
    row = table.set_index("method").loc["target model (logistic regression)"]
    assert abs(row["macro_f1"] - recorded["macro_f1"]) < 0.001
    assert abs(row["accuracy"] - recorded["accuracy"]) < 0.001
    # the targeted model beats both VADER baselines and the majority class
    others = table[table["method"] != "target model (logistic regression)"]
    assert row["macro_f1"] > others["macro_f1"].max()
    assert set(table.columns) >= {"macro_f1", "f1_negative", "f1_neutral", "f1_positive"}


def test_model_distinguishes_targets_in_one_sentence(model):
    # synthetic sentence: the same words, the target moves
    s = "Critics attacked Amazon for its disastrous record, while Microsoft said nothing."
    a = s.index("Amazon")
    m = s.index("Microsoft")
    proba = model.predict_proba([(s, a, a + 6), (s, m, m + 9)])
    assert proba.shape == (2, 3)
    assert np.allclose(proba.sum(axis=1), 1.0)
    score = model.score_targets([(s, a, a + 6), (s, m, m + 9)])
    assert score[0] < score[1]
    assert model.predict([(s, a, a + 6)])[0] == 2.0


def test_fast_path_equals_reference_path(model):
    # the batched featurisation (per-sentence cache, array look-ups) against DataFrame features
    # through the sklearn vectorizers: same probabilities on real and awkward targets
    dev = T.newsmtsc_targets("devtest_mt").head(300)
    s1 = "İstanbul’s mayor said “Uber is terrible,” but Lyft wasn't criticised by anyone."
    s2 = "Google"
    s3 = "  Apple,  Apple and APPLE!  "
    odd = [
        (s1, s1.index("Uber"), s1.index("Uber") + 4),
        (s1, s1.index("Lyft"), s1.index("Lyft") + 4),
        (s1, 0, 8),  # the first token
        (s1, 2, 6),  # inside a token
        (s1, s1.index(" but"), s1.index(" but") + 1),  # whitespace only: between tokens
        (s2, 0, 6),  # the whole sentence
        (s3, 2, 7),
        (s3, s3.index("APPLE"), len(s3) - 3),
    ]
    X = [*zip(dev["sentence"], dev["start"], dev["end"]), *odd]
    fast = model.predict_proba(X)
    ref = model.predict_proba_reference(X)
    assert fast.shape == (len(X), 3)
    assert np.allclose(fast, ref, rtol=0, atol=1e-12)
    assert (fast.argmax(axis=1) == ref.argmax(axis=1)).all()
    # the numpy batch path's pieces equal the per-sentence path's and the sklearn design
    # matrix, and its scores equal scipy's CSR product of that matrix bit for bit
    masked, ctx, dense = T._batch_inputs(
        X, model.window, model.extra, model.use_vader, model._word_tables()
    )
    P = T._parts(X, model.window, model.extra, model.use_vader)
    assert np.array_equal(dense, P.dense)
    M = model._sparse_design(X)
    R = model._matrix(model._features(X), fit=False)
    assert M.shape == R.shape and (M != R).nnz == 0  # the same numbers, bit for bit
    assert np.array_equal(model.decision_function(X), M @ model.coef_.T + model.intercept_)
    # a sentence shared by several targets gives each its own row, order preserved
    assert not np.allclose(fast[-8], fast[-7])
    again = model.predict_proba(list(reversed(X)))
    assert np.allclose(again[::-1], fast, rtol=0, atol=1e-12)


def test_sentence_offsets_match_the_token_regex():
    for s in ["", "   ", " a  b ", "x’s ’ 'y", "İİ A,b", "Tab\tand\u00a0nbsp.", "“Quote,” he said"]:
        info = T._Sentence(s)
        ms = list(T._TOKEN_RE.finditer(s))
        assert info.starts == [m.start() for m in ms]
        assert info.ends == [m.end() for m in ms]
        assert info.words == [m.group().lower() for m in ms]


def test_class_bias_choice_and_fast_macro_f1():
    from sklearn.metrics import f1_score

    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, 600)
    scores = rng.normal(size=(600, 3))
    scores[np.arange(600), y] += 1.0
    pred = scores.argmax(axis=1)
    assert abs(T._macro_f1_fast(y, pred) - f1_score(y, pred, average="macro")) < 1e-12
    # a model that under-predicts "positive" by a fixed offset: the chosen bias undoes it
    shifted = scores.copy()
    shifted[:, 2] -= 0.5
    bias = T.choose_class_bias(shifted, y)
    assert bias[1] == 0.0 and bias[2] > 0.2
    fixed = T._macro_f1_fast(y, np.argmax(shifted + np.array(bias), axis=1))
    assert fixed > T._macro_f1_fast(y, shifted.argmax(axis=1))


def test_json_round_trip_gives_identical_predictions(model):
    dev = T.newsmtsc_targets("devtest_mt").head(60)
    again = T.TargetSentimentClassifier.from_dict(json.loads(json.dumps(model.to_dict())))
    assert np.allclose(model.predict_proba(dev), again.predict_proba(dev))


def test_check_target_messages():
    assert T.check_target("abc", 0, 3) is None
    assert T.check_target("abc", 2, 10) == "offsets 2-10 outside sentence of length 3"
    assert "not an integer" in T.check_target("abc", "x", 2)
    assert T.check_target("", 0, 1) == "sentence is missing or empty"


def test_predict_jsonl_records_bad_lines_and_targets(tmp_path, model):
    # synthetic NewsMTSC-style input, including deliberately broken lines and targets
    s = "The senator praised the new privacy law, but critics slammed Facebook."
    f = s.index("Facebook")
    lines = [
        json.dumps(
            {
                "primary_gid": "synthetic_1",
                "sentence_normalized": s,
                "targets": [
                    {"from": 4, "to": 11, "mention": "senator"},
                    {"from": f, "to": f + 8, "mention": "Facebook"},
                    {"from": 300, "to": 310, "mention": "nobody"},
                ],
            }
        ),
        "{not json",
        json.dumps({"primary_gid": "synthetic_3", "targets": []}),
        json.dumps(
            {"sentence_normalized": "Nothing here.", "targets": [{"mention": "x", "to": 3}]}
        ),
    ]
    src = tmp_path / "synthetic.jsonl"
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    summary = T.predict_jsonl(src, out, model=model)
    assert summary["lines"] == 4 and summary["lines_ok"] == 2 and summary["line_errors"] == 2
    assert summary["targets"] == 4
    assert summary["targets_predicted"] == 2 and summary["target_errors"] == 2
    got = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert len(got) == 4  # one output line per input line, none dropped
    t0 = got[0]["targets"]
    assert t0[0]["polarity"] in (2.0, 4.0, 6.0) and "error" not in t0[0]
    assert t0[1]["polarity"] == 2.0  # "critics slammed Facebook"
    assert t0[2]["polarity"] is None
    assert t0[2]["error"] == f"offsets 300-310 outside sentence of length {len(s)}"
    assert got[1]["line"] == 2 and got[1]["error"].startswith("malformed JSON")
    assert got[2]["error"] == "missing field 'sentence_normalized'"
    assert got[3]["targets"][0]["polarity"] is None
    assert "'from'" in got[3]["targets"][0]["error"]


def test_scoring_imports_neither_sklearn_nor_scipy_stats():
    # a fresh interpreter scores a few real NewsMTSC targets through the actors module
    import subprocess
    import sys

    code = (
        "import sys\n"
        "import pandas as pd\n"
        "from analysis.actors import mention_sentiment\n"
        "from analysis.target_sentiment import newsmtsc_targets\n"
        "dev = newsmtsc_targets('devtest_mt').head(40).reset_index(drop=True)\n"
        "sents = pd.DataFrame({'doc_id': 'd', 'sent_idx': range(len(dev)), 'start': 0,\n"
        "                      'text': dev['sentence']})\n"
        "men = pd.DataFrame({'doc_id': 'd', 'sent_idx': range(len(dev)),\n"
        "                    'start': dev['start'], 'end': dev['end']})\n"
        "out = mention_sentiment(sents, men)\n"
        "assert len(out) == 40 and out['label'].notna().all()\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('sklearn', 'scipy')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=300
    )
    loaded = eval(done.stdout.strip().splitlines()[-1])  # noqa: S307 - our own printed list
    assert not [m for m in loaded if m == "sklearn" or m.startswith("sklearn.")]
    assert not [m for m in loaded if m.startswith("scipy.stats")]


def test_copied_word_lists_equal_their_sources():
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    assert frozenset(ENGLISH_STOP_WORDS) == T.ENGLISH_STOP_WORDS
    assert T._lexicon() == SentimentIntensityAnalyzer().lexicon


def test_fast_path_on_tricky_synthetic_text(model):
    # synthetic sentences: quotation marks in every arrangement (the vectorised quote state),
    # whitespace-only and one-character sentences, targets at the ends, "'s" after a target
    texts = [
        '"Amazon" is fine, "Google is not", and “Apple” said "Uber “Lyft” is bad" yesterday.',
        "“Open quote never closed: Facebook is awful, said IBM",
        'Closing only” Twitter fails " straight then “curly” "again',
        '"',
        "   ",
        "x",
        "Microsoft's chief said Oracle’s deal was not good, but IBM's was excellent.",
        # NUL and non-ASCII tokens, tokens longer than eight characters (the packed-key path)
        "A nul\x00byte, the ñandú and an_extraordinarily_long_token beside Amazon; not bad",
        "İstanbul’s IBM praised Amazon\x00 and Google: über-good, \x00",
    ]
    X = []
    for s in texts:
        for w in ("Amazon", "Google", "Apple", "Uber", "Lyft", "Facebook", "IBM", "Twitter"):
            if w in s:
                X.append((s, s.index(w), s.index(w) + len(w)))
        for w in ("Microsoft", "Oracle"):
            if w in s:
                X.append((s, s.index(w), s.index(w) + len(w)))
        X.append((s, 0, len(s)))  # the whole sentence
    fast = model.predict_proba(X)
    ref = model.predict_proba_reference(X)
    assert np.allclose(fast, ref, rtol=0, atol=1e-12)
    masked, ctx, dense = T._batch_inputs(
        X, model.window, model.extra, model.use_vader, model._word_tables()
    )
    assert np.array_equal(dense, T._parts(X, model.window, model.extra, model.use_vader).dense)
    # quote features really vary here (inside quotes, the sentence has quotes)
    q = T.DENSE_NAMES.index("t_quoted")
    assert 0 < dense[:, q].sum() < len(X)
    # the sentence compound given by the caller replaces the computed one, same result
    comp = T.vader_compound([x[0] for x in X])
    assert np.array_equal(model.predict_proba(X, sentence_compound=comp), fast)
    with pytest.raises(ValueError, match="shape"):
        model.predict_proba(X, sentence_compound=comp[:-1])


def test_fitted_model_fast_path_equals_reference_with_underscore_tokens():
    # synthetic training text whose tokens contain underscores, so context tokens such as
    # "L21_a_b_c" can be split two ways (a_b + c, a + b_c): the word-pair tables must resolve
    # both, and a model fitted in memory (sklearn vectorizers) must predict like the reference
    rng = np.random.default_rng(0)
    words = ["a_b", "c", "a", "b_c", "good", "bad", "the", "x_y_z", "said", "not"]
    rows = []
    for i in range(160):
        left = " ".join(rng.choice(words, 3))
        right = " ".join(rng.choice(words, 3))
        s = f"{left} Acme {right}"
        rows.append((s, len(left) + 1, len(left) + 5, [2.0, 4.0, 6.0][i % 3]))
    X = [r[:3] for r in rows]
    m = T.TargetSentimentClassifier(window=3, extra=("verb", "between"), use_vader="sentence")
    m.fit(X, [r[3] for r in rows])
    assert any(t.startswith("L21_") and t.count("_") > 2 for t in m.vocab_["ctx"])
    assert np.allclose(m.predict_proba(X), m.predict_proba_reference(X), rtol=0, atol=1e-12)
    again = T.TargetSentimentClassifier.from_dict(json.loads(json.dumps(m.to_dict())))
    assert np.allclose(again.predict_proba(X), m.predict_proba(X), rtol=0, atol=1e-6)
    assert m.get_params()["window"] == 3 and repr(m).startswith("TargetSentimentClassifier(")


def test_char_classes_follow_the_re_module():
    """\\w and \\s of every ASCII code point and of non-ASCII ones (curly quotes, NBSP, letters
    beyond Latin-1, an astral emoji) as the re module decides them (SYNTHETIC characters)."""
    import re

    text = "".join(map(chr, range(128))) + "“”’\u00a0\u2003éßİ\u0394\u4e2d\U0001f600\u200b_9"
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    W, S = T._char_classes(codes)
    assert W.tolist() == [bool(re.match(r"\w", ch)) for ch in text]
    assert S.tolist() == [bool(re.match(r"\s", ch)) for ch in text]


def test_token_rows_equal_one_lookup_per_token():
    """_token_rows (packed 8-byte keys, sorted distinct keys, hash look-up) equals slicing each
    token and looking it up, on SYNTHETIC text with non-ASCII letters, NUL, astral characters,
    tokens of 1-10 characters and tokens marked for lower-casing."""
    rng = np.random.default_rng(3)
    alpha = list("abcXYZ019_'’ .,\x00\tİéß—“”") + ["\U0001f600"]
    words = ["a", "ab", "abc", "\x00", "é", "abcabcab", "abcabcabc", "xyz", "'", "ß", "aé"]
    rows = {w: i + 1 for i, w in enumerate(words)}
    for _ in range(300):
        text = "".join(rng.choice(alpha) for _ in range(int(rng.integers(1, 60))))
        codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
        n = len(codes)
        start = np.sort(rng.choice(n, size=min(n, int(rng.integers(1, 12))), replace=False))
        end = np.minimum(start + rng.integers(1, 11, len(start)), n)
        odd = rng.random(len(start)) < 0.2
        want = [
            rows.get(text[a:b].lower() if o else text[a:b], 0)
            for a, b, o in zip(start.tolist(), end.tolist(), odd.tolist(), strict=True)
        ]
        assert T._token_rows(text, codes, start, end, odd, rows).tolist() == want


# --------------------------------------------------------------------------- model file reading
def _same_json(ref, got, where="doc"):
    """``got`` (``_model_doc``) equals ``ref`` (``json.loads``); arrays compared bit for bit."""
    if isinstance(got, np.ndarray):
        want = np.asarray(ref, dtype=float)
        assert got.dtype == np.float64 and got.shape == want.shape, where
        assert np.array_equal(got.view(np.uint64), want.view(np.uint64)), where
        return
    assert type(got) is type(ref), where
    if isinstance(ref, dict):
        assert list(got) == list(ref), where
        for k in ref:
            _same_json(ref[k], got[k], f"{where}.{k}")
    elif isinstance(ref, list):
        assert len(got) == len(ref), where
        for i, (r, g) in enumerate(zip(ref, got)):
            _same_json(r, g, f"{where}[{i}]")
    else:
        assert got == ref, where


def test_model_file_fast_read_equals_json_loads_on_every_number():
    path = paths.MODELS_DIR / T.MODEL_FILE
    text = path.read_text(encoding="utf-8")
    doc = T._model_doc(path.read_bytes())
    assert doc is not None  # the shipped file takes the fast path
    _same_json(json.loads(text), doc)
    # and every coefficient / IDF value against float() of its own text in the file
    texts = json.loads(text, parse_float=str)["model"]
    pairs = [(texts["coef"], doc["model"]["coef"])] + [
        (texts["vectorizers"][f]["idf"], doc["model"]["vectorizers"][f]["idf"])
        for f in texts["vectorizers"]
    ]
    n = 0
    for txt, arr in pairs:
        flat = np.asarray([float(s) for s in np.ravel(np.asarray(txt, dtype=object))])
        assert np.array_equal(flat.view(np.uint64), arr.ravel().view(np.uint64))
        n += flat.size
    assert n > 300_000


def test_json_floats_synthetic_numbers_bit_identical_to_float():
    # synthetic: signed zeros, exponents, 15/16/17 significant digits, 2**53 + 1, ties
    rng = np.random.default_rng(7)
    texts = ["0", "-0", "0.0", "-0.0", "1", "-7", "10", "0.5", "-0.125", "1e-05", "-8.7e-05"]
    texts += ["1E+2", "2.5e3", "123456789012345", "0.12345678901234", "1234567890123456"]
    texts += ["9007199254740993", "0.30000000000000004", "100000000000000000000", "1e400"]
    texts += ["5e-324", "2.2250738585072014e-308", "0.000000000000000000001", "999999999999999"]
    vals = np.concatenate([rng.normal(0, 0.1, 3000), rng.normal(0, 1e4, 1000)])
    texts += [repr(round(float(v), 8)) for v in vals] + [repr(float(v)) for v in vals[:500]]
    texts += [json.dumps(float(v)) for v in rng.uniform(-1e-3, 1e-3, 500)]
    got = T._json_floats(",".join(texts).encode())
    want = np.array([float(t) for t in texts])
    assert got is not None
    assert np.array_equal(got.view(np.uint64), want.view(np.uint64))
    assert np.signbit(got[[1, 3]]).all() and not np.signbit(got[[0, 2]]).any()
    assert T._json_floats(b"").shape == (0,)


_NOT_JSON = [b"01", b"1.", b".5", b"-", b"1..2", b"1.2.3", b"--1", b"1-2", b"+1", b"1,,2", b"1,"]
_NOT_JSON += [b"a", b"1e", b"1e+", b"0x1", b"-01.5", b"1.5e-0.5", b"1+2", b"1+e5", b"5e+-3"]
_NOT_JSON += [b"1e5e5", b"1-", b"e5", b"1e5+", b"1/2", b"0.5.", b"-.5"]
# valid JSON the fast reader does not take (json.loads reads the file instead)
_NOT_TAKEN = [b"1 ", b" 1", b"NaN", b"Infinity", b"[1]", b'"1"']


@pytest.mark.parametrize("bad", _NOT_JSON + _NOT_TAKEN)
def test_json_floats_refuses_what_it_cannot_prove(bad):
    if bad in _NOT_JSON:
        with pytest.raises(ValueError):
            json.loads(b"[0.5," + bad + b",2]")
    assert T._json_floats(b"0.5," + bad + b",2") is None


def test_model_file_other_layouts_fall_back_to_json_loads(tmp_path, model):
    doc = json.loads((paths.MODELS_DIR / T.MODEL_FILE).read_text(encoding="utf-8"))
    # pretty-printed: not the layout the fast reader takes; loads through json.loads
    pretty = tmp_path / "pretty.json"
    pretty.write_text(json.dumps(doc, indent=1), encoding="utf-8")
    assert T._model_doc(pretty.read_bytes()) is None
    # compact, but a vocabulary word and an extra key that look like the number lists
    tricky = json.loads(json.dumps(doc))
    tricky["model"]["vectorizers"]["ctx"]["vocabulary"][0] = 'x"coef":[[1,2]]"idf":[3]'
    tricky["extra"] = {"idf": [1.5, 2.5], "coef": [[1.0]]}
    compact = tmp_path / "compact.json"
    compact.write_text(json.dumps(tricky, ensure_ascii=False, separators=(",", ":")), "utf-8")
    assert T._model_doc(compact.read_bytes()) is None
    for p in (pretty, compact):
        loaded = T.load_target_model(p)
        assert np.array_equal(loaded.coef_, model.coef_)
        assert all(np.array_equal(loaded.idf_[f], model.idf_[f]) for f in model.idf_)
    assert list(T.load_target_model(compact).vocab_["ctx"])[0] == 'x"coef":[[1,2]]"idf":[3]'


def test_pair_splits_every_underscore():
    assert T._pair_splits("said_that") == [("said", "that")]
    assert T._pair_splits("a_b_c") == [("a", "b_c"), ("a_b", "c")]
    assert T._pair_splits("_a") == [("", "a")] and T._pair_splits("a_") == [("a", "")]
    assert T._pair_splits("ab") == []


def test_word_tables_same_by_word_for_sorted_and_unsorted_vocabularies(model):
    # a loaded model's vocabularies are sorted (slice path); a shuffled copy takes the loop
    fast = T._WordTables(model.vocab_)
    rng = np.random.default_rng(0)
    shuffled = {}
    for f, v in model.vocab_.items():
        items = list(v.items())
        shuffled[f] = dict(items[i] for i in rng.permutation(len(items)))
    slow = T._WordTables(shuffled)
    assert set(fast.rows) == set(slow.rows)
    words = list(fast.rows)
    rf = np.array([fast.rows[w] for w in words])
    rs = np.array([slow.rows[w] for w in words])
    for name in ("val", "has", "bnd", "neg", "rep", "stop", "uni"):
        assert np.array_equal(getattr(fast, name)[rf], getattr(slow, name)[rs]), name
    for p in fast.pre:
        assert np.array_equal(fast.pre[p][rf], slow.pre[p][rs]), p
    for p in fast.pair:  # (word a, word b) -> id, by word
        got = {}
        for t, (keys, vals) in (("fast", fast.pair[p]), ("slow", slow.pair[p])):
            tab = fast if t == "fast" else slow
            back = {r: w for w, r in tab.rows.items()}
            got[t] = {
                (back[int(k) // tab.size], back[int(k) % tab.size]): int(j)
                for k, j in zip(keys, vals)
            }
        assert got["fast"] == got["slow"] and len(got["fast"]) > 500, p
    keys = fast.bigrams.slot_key[fast.bigrams.slot_key >= 0]
    assert len(keys) > 10_000 and fast.nu == slow.nu
    assert np.array_equal(fast.bigrams.get(keys), slow.bigrams.get(keys))
    assert np.array_equal(np.sort(keys), np.sort(slow.bigrams.slot_key[slow.bigrams.slot_key >= 0]))


def test_loaded_model_builds_vocab_dicts_on_demand(model):
    m = T.TargetSentimentClassifier.from_dict(
        json.loads((paths.MODELS_DIR / T.MODEL_FILE).read_text(encoding="utf-8"))["model"]
    )
    assert "_vocab" not in m.__dict__  # loaded: the sorted term lists only
    lists = m.__dict__["_vocab_lists"]
    assert m._word_tables() is m._word_tables()  # built once, keyed by the lists
    assert "_vocab" not in m.__dict__  # scoring did not need the dicts
    vocab = m.vocab_
    assert list(vocab) == list(lists) and all(
        list(vocab[f]) == lists[f] and list(vocab[f].values()) == list(range(len(lists[f])))
        for f in lists
    )
    # the tables from the lists are the tables from the dicts, array for array
    a, b = T._WordTables(lists), T._WordTables(vocab)
    assert a.rows == b.rows and list(a.rows) == list(b.rows) and a.ctx == b.ctx
    for name in ("val", "has", "bnd", "neg", "rep", "stop", "uni", "sw"):
        assert np.array_equal(getattr(a, name), getattr(b, name)), name
    assert all(np.array_equal(a.pre[p], b.pre[p]) for p in a.pre)
    assert all(np.array_equal(a.pair[p][0], b.pair[p][0]) for p in a.pair)
    assert (a.tgt, a.nu, a.by) == (b.tgt, b.nu, b.by) and a.tgt >= 0
    assert np.array_equal(a.bigrams.slot_key, b.bigrams.slot_key)
    assert np.array_equal(a.bigrams.slot_val, b.bigrams.slot_val)
    # setting vocab_ (as fit does) replaces the lists, and the tables follow
    m.vocab_ = {f: dict(v) for f, v in vocab.items()}
    assert "_vocab_lists" not in m.__dict__
    assert m._word_tables() is m.__dict__["_tables"][1] and m.__dict__["_tables"][0] is m.vocab_
    # an unsorted vocabulary list is loaded as dicts right away
    d = json.loads((paths.MODELS_DIR / T.MODEL_FILE).read_text(encoding="utf-8"))["model"]
    words = d["vectorizers"]["ctx"]["vocabulary"]
    words[0], words[1] = words[1], words[0]
    u = T.TargetSentimentClassifier.from_dict(d)
    assert "_vocab_lists" not in u.__dict__ and u.vocab_["ctx"][words[0]] == 0


def _intmap_reference(keys, values):
    """The hash table as _IntMap built it before Stop 12: np.unique picks each slot's winner."""
    m = T._IntMap(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))
    keys = np.asarray(keys, dtype=np.int64)
    m.bits = max(4, int(np.ceil(np.log2(max(len(keys), 1) * 4))))
    m.mask = (1 << m.bits) - 1
    m.slot_key = np.full(1 << m.bits, -1, dtype=np.int64)
    m.slot_val = np.full(1 << m.bits, -1, dtype=np.int64)
    pending = np.arange(len(keys))
    at = m._hash(keys)
    while len(pending):
        want = at[pending]
        free = m.slot_key[want] == -1
        slots, first = np.unique(want[free], return_index=True)
        winners = pending[free][first]
        m.slot_key[slots] = keys[winners]
        m.slot_val[slots] = np.asarray(values, dtype=np.int64)[winners]
        placed = np.zeros(len(keys), dtype=bool)
        placed[winners] = True
        pending = pending[~placed[pending]]
        at[pending] = (at[pending] + 1) & m.mask
    return m


@pytest.mark.parametrize("n", [0, 1, 7, 1000, 50_000])
def test_intmap_same_table_as_unique_winners(n):
    rng = np.random.default_rng(n)
    keys = rng.choice(10 * n + 10, size=n, replace=False).astype(np.int64)
    vals = rng.integers(0, 1 << 40, size=n)
    got, ref = T._IntMap(keys, vals), _intmap_reference(keys, vals)
    assert got.bits == ref.bits
    assert np.array_equal(got.slot_key, ref.slot_key) and np.array_equal(got.slot_val, ref.slot_val)
    probe = np.concatenate([keys, rng.integers(0, 20 * n + 20, size=200)])
    want = {int(k): int(v) for k, v in zip(keys, vals)}
    assert got.get(probe).tolist() == [want.get(int(k), -1) for k in probe]


def test_intmap_collisions_resolved_like_before():
    # synthetic: keys that hash to a handful of slots (multiples of 2**60 wrap to few buckets)
    keys = np.array([i << 58 for i in range(12)] + list(range(100, 140)), dtype=np.int64)
    vals = np.arange(len(keys)) * 3
    got, ref = T._IntMap(keys, vals), _intmap_reference(keys, vals)
    assert np.array_equal(got.slot_key, ref.slot_key) and np.array_equal(got.slot_val, ref.slot_val)
    assert got.get(keys).tolist() == vals.tolist()
