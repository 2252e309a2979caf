"""VADER sentence sentiment with output identical to ``vaderSentiment`` 3.3.2, several times faster.

This is a port of ``vaderSentiment.vaderSentiment.SentimentIntensityAnalyzer.polarity_scores``
(Hutto & Gilbert 2014) with the per-sentence Python overhead removed. The reference implementation
re-lowercases the whole token list inside every rule call (negation, idioms, "but"), formats
n-gram strings for every lexicon hit and walks every character for emoji; here each sentence is
tokenised and lowercased once, the rules read those two lists, n-gram idioms are tuple look-ups,
sentences without any lexicon word take a fast path, and identical sentences (boilerplate) hit a
bounded cache.

Output is **exactly equal** (``==`` on every float, no tolerance) to the reference for every
``str`` input: the same arithmetic is done in the same order, and every quirk is kept on purpose,
including the known bugs, because the study reports VADER scores as VADER defines them:

* emoji are replaced character by character by their description (multi-character emoji keys,
  e.g. with skin-tone modifiers, never match, as in the reference);
* lexicon keys are *not* lowercased (so ``":D"`` can never match, as in the reference, which looks
  up the lowercased token);
* the "but" rule locates each score with ``list.index`` (the first equal value), so repeated
  values before/after "but" are scaled as the reference does;
* ``"so"``/``"this"`` right before a lexicon word multiplies it by 1.25 whenever the third word
  back is checked; "least", "kind of", "no", ALL-CAPS differential and the idiom table behave as
  implemented upstream.

The lexicons are read from the installed ``vaderSentiment`` package files
(``vader_lexicon.txt``, ``emoji_utf8_lexicon.txt``) on first use, never at import. A caller may
pass ``lexicon_overrides`` (word -> valence, ``None`` removes a word) to build the news-adapted
scorer on the same engine, and :meth:`FastVader.word_valences` gives each token's contribution
(the per-token scores VADER sums, after the "but" rule) for explanations.

Validated against the reference on the NYT editorial snippets, corpus sentences and
property-based random strings in ``tests/test_vader_fast.py``; speed in
``benchmarks/RESULTS_vader_sentences.md`` (``benchmarks/bench_vader.py``).
"""

from __future__ import annotations

import math
import string
from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from importlib import resources
from itertools import compress

import numpy as np
import pandas as pd
from vaderSentiment import vaderSentiment as _ref

# Rule constants and word lists come from the reference module itself, so they cannot drift.
B_INCR: float = _ref.B_INCR
C_INCR: float = _ref.C_INCR
N_SCALAR: float = _ref.N_SCALAR
BOOSTER_DICT: dict[str, float] = dict(_ref.BOOSTER_DICT)
NEGATE: frozenset[str] = frozenset(_ref.NEGATE)
SPECIAL_CASES: dict[str, float] = dict(_ref.SPECIAL_CASES)

_PUNCT = string.punctuation
# Tokens never contain whitespace (they come from ``str.split``) and ``str.lower`` never creates
# whitespace, so "a b" == key  <=>  (a, b) == tuple(key.split(" ")).
_SPECIAL_T = {tuple(k.split(" ")): v for k, v in SPECIAL_CASES.items() if " " in k}
_BOOSTER_T = {tuple(k.split(" ")): v for k, v in BOOSTER_DICT.items() if " " in k}
_BOOSTER_WORDS = frozenset(BOOSTER_DICT)
# A multi-word idiom / booster key can only match when all its words are in the sentence, so a
# sentence without the least common word of every key skips the idiom check ("common" only picks
# which word stands for a key; the test stays exact).
_COMMON = {"the", "of", "to", "for", "just", "bad", "right", "stop", "heart", "death"}
_IDIOM_TRIGGERS = frozenset(
    min(key, key=lambda w: (w in _COMMON, -len(w))) for key in (*_SPECIAL_T, *_BOOSTER_T)
)
_SO_THIS = ("so", "this")
# Words that change a following lexicon word's valence (boosters, negations, "no", "never",
# "without", "so"/"this", "least"); tokens containing "n't" are negations too.
_CONTEXT_WORDS = frozenset(
    [*BOOSTER_DICT, *NEGATE, "no", "never", "without", "so", "this", "least"]
)
_OR_NOR = ("or", "nor")

SCORE_COLUMNS = ("neg", "neu", "pos", "compound")
_NEUTRAL = (0.0, 1.0, 0.0, 0.0)
_EMPTY = (0.0, 0.0, 0.0, 0.0)


def _read_package_file(name: str) -> str:
    return resources.files("vaderSentiment").joinpath(name).read_text(encoding="utf-8")


@cache
def _vader_lexicon() -> dict[str, float]:
    # Same parsing as SentimentIntensityAnalyzer.make_lex_dict.
    lex: dict[str, float] = {}
    for line in _read_package_file("vader_lexicon.txt").rstrip("\n").split("\n"):
        if not line:
            continue
        word, measure = line.strip().split("\t")[0:2]
        lex[word] = float(measure)
    return lex


@cache
def _emoji_lexicon() -> dict[str, str]:
    # Same parsing as SentimentIntensityAnalyzer.make_emoji_dict.
    emoji: dict[str, str] = {}
    for line in _read_package_file("emoji_utf8_lexicon.txt").rstrip("\n").split("\n"):
        emoji_char, description = line.strip().split("\t")[0:2]
        emoji[emoji_char] = description
    return emoji


def vader_lexicon() -> dict[str, float]:
    """A fresh copy of VADER's word -> valence lexicon as the reference parses it."""
    return dict(_vader_lexicon())


def emoji_lexicon() -> dict[str, str]:
    """A fresh copy of VADER's emoji -> description table as the reference parses it."""
    return dict(_emoji_lexicon())


@cache
def _single_char_emoji() -> tuple[dict[str, str], frozenset[str]]:
    # The reference iterates the text one character at a time, so only 1-character keys matter.
    # (A frozenset beats a regex character class here: ``re`` scans a 1,200-char class slowly.)
    table = {k: v for k, v in _emoji_lexicon().items() if len(k) == 1}
    return table, frozenset(table)


def demojize(text: str) -> str:
    """VADER's first step: each one-character emoji replaced by its description, exactly as
    ``SentimentIntensityAnalyzer.polarity_scores`` does it (before its final ``strip``).

    Texts without an emoji are returned unchanged (a cheap test skips the character loop)."""
    if not text.isascii():
        table, chars = _single_char_emoji()
        if not chars.isdisjoint(text):
            return _replace_emoji(text, table)
    return text


def _replace_emoji(text: str, table: Mapping[str, str]) -> str:
    """The reference's emoji-to-description loop, verbatim (only run when an emoji is present)."""
    out: list[str] = []
    prev_space = True
    for ch in text:
        if ch in table:
            if not prev_space:
                out.append(" ")
            out.append(table[ch])
            prev_space = False
        else:
            out.append(ch)
            prev_space = ch == " "
    return "".join(out)


def _normalize(score: float, alpha: float = 15) -> float:
    norm_score = score / math.sqrt((score * score) + alpha)
    if norm_score < -1.0:
        return -1.0
    if norm_score > 1.0:
        return 1.0
    return norm_score


def _punctuation_amplifier(text: str) -> float:
    ep_count = text.count("!")
    if ep_count > 4:
        ep_count = 4
    ep_amplifier = ep_count * 0.292
    qm_count = text.count("?")
    qm_amplifier = 0
    if qm_count > 1:
        qm_amplifier = qm_count * 0.18 if qm_count <= 3 else 0.96
    return ep_amplifier + qm_amplifier


def _but_check(lowers: list[str], sentiments: list) -> None:
    """The reference "but" rule, including its ``list.index`` behaviour (in place)."""
    bi = lowers.index("but")
    for sentiment in sentiments:
        si = sentiments.index(sentiment)
        if si < bi:
            sentiments[si] = sentiment * 0.5
        elif si > bi:
            sentiments[si] = sentiment * 1.5


def _score_valence(sentiments: list, text: str) -> tuple[float, float, float, float]:
    """``(neg, neu, pos, compound)`` from per-token scores, as ``score_valence`` computes them."""
    sum_s = float(sum(sentiments))
    punct_emph_amplifier = _punctuation_amplifier(text)
    if sum_s > 0:
        sum_s += punct_emph_amplifier
    elif sum_s < 0:
        sum_s -= punct_emph_amplifier
    compound = _normalize(sum_s)
    pos_sum = 0.0
    neg_sum = 0.0
    # Zeros stay zeros through every rule, so only the non-zero scores need visiting.
    nonzero = [s for s in sentiments if s]
    neu_count = len(sentiments) - len(nonzero)
    for sentiment_score in nonzero:
        if sentiment_score > 0:
            pos_sum += float(sentiment_score) + 1
        if sentiment_score < 0:
            neg_sum += float(sentiment_score) - 1
    if pos_sum > math.fabs(neg_sum):
        pos_sum += punct_emph_amplifier
    elif pos_sum < math.fabs(neg_sum):
        neg_sum -= punct_emph_amplifier
    total = pos_sum + math.fabs(neg_sum) + neu_count
    pos = math.fabs(pos_sum / total)
    neg = math.fabs(neg_sum / total)
    neu = math.fabs(neu_count / total)
    return round(neg, 3), round(neu, 3), round(pos, 3), round(compound, 4)


class FastVader:
    """Drop-in, faster ``SentimentIntensityAnalyzer`` (same scores, bit for bit).

    Parameters
    ----------
    lexicon_overrides:
        Optional word -> valence changes applied on top of VADER's lexicon (keys are lowercased,
        because VADER looks up lowercased tokens; a value of ``None`` removes the word). With no
        overrides the scores equal vaderSentiment 3.3.2 exactly.
    cache_size:
        Maximum number of distinct sentences whose scores are memoised (0 disables the cache).
    """

    def __init__(
        self,
        lexicon_overrides: Mapping[str, float | None] | None = None,
        cache_size: int = 200_000,
    ) -> None:
        self._overrides = {k.lower(): v for k, v in (lexicon_overrides or {}).items()}
        self._lexicon: dict[str, float] | None = None
        self._hitset: frozenset[str] = frozenset()
        self._cache: dict[str, tuple[float, float, float, float]] = {}
        self._cache_size = int(cache_size)

    # ------------------------------------------------------------------ lexicon
    @property
    def lexicon(self) -> dict[str, float]:
        """The word -> valence table in use (VADER's, plus any overrides); loaded on first use."""
        if self._lexicon is None:
            lex = dict(_vader_lexicon())
            for word, valence in self._overrides.items():
                if valence is None:
                    lex.pop(word, None)
                else:
                    lex[word] = float(valence)
            self._lexicon = lex
            # words that can score: the reference gives boosters 0 before the lexicon look-up
            self._hitset = frozenset(w for w in lex if w not in BOOSTER_DICT)
        return self._lexicon

    @property
    def scoring_words(self) -> frozenset[str]:
        """Lower-cased words that can receive a score: the lexicon minus VADER's boosters (the
        reference gives a booster 0 before it looks the word up)."""
        if self._lexicon is None:
            _ = self.lexicon
        return self._hitset

    def token_scores(self, words: list[str], lowers: list[str]) -> list | None:
        """VADER's per-token scores of an already tokenised text, after every rule incl. "but".

        ``words`` are the whitespace tokens (emoji already replaced, see :func:`demojize`) and
        ``lowers`` their look-up forms (lower-cased; punctuation stripped unless that leaves two
        characters or fewer), one per token. Returns ``None`` when no token scores (every score
        would be 0), else one score per token (0 for tokens without sentiment). These are the
        terms ``polarity_scores`` sums before punctuation emphasis and normalisation.
        """
        sentiments = self._sentiments(words, lowers)
        if sentiments is not None and "but" in lowers:
            _but_check(lowers, sentiments)
        return sentiments

    # ------------------------------------------------------------------ core
    def _prepared(self, text: str) -> tuple[str, list[str], list[str]]:
        """(text after emoji replacement, raw tokens, lowercased tokens) as ``SentiText`` has them.

        Raw tokens are not stripped: ``str.isupper`` ignores punctuation (uncased), so they give
        the same ``isupper`` answers as the stripped tokens the reference tests.

        When lowercasing maps every character to one character (always, except for a few letters
        such as "İ"), lowercasing the whole text first gives the same tokens as the reference's
        strip-then-lower per token: whitespace and ``string.punctuation`` are uncased, so the
        split points, the stripped characters and the ``len <= 2`` test are unchanged.
        """
        text = demojize(text)
        words = text.split()
        if not words:
            return text, words, words
        joined = " ".join(words)
        low = joined.lower()
        if len(low) != len(joined):
            return text, words, [w.lower() for w in _words(text)]
        lowers = [w if len(s := w.strip(_PUNCT)) <= 2 else s for w in low.split(" ")]
        return text, words, lowers

    def _sentiments(self, words: list[str], lowers: list[str]) -> list | None:
        """Per-token scores before the "but" rule, or ``None`` when no token is scored.

        The rules are those of ``sentiment_valence`` / ``scalar_inc_dec`` / ``_negation_check`` /
        ``_special_idioms_check`` / ``_least_check``, unrolled, in the same order and with the
        same arithmetic. Three sentence-level tests (any booster? any negation? any word of a
        multi-word idiom?) let most lexicon hits skip the checks that cannot fire.
        """
        if self._lexicon is None:
            _ = self.lexicon  # loads the lexicon and the hit set on first use
        hits = list(compress(range(len(lowers)), map(self._hitset.__contains__, lowers)))
        if not hits:
            return None
        return self._rule_scores(words, lowers, hits)

    def _rule_scores(self, words: list[str], lowers: list[str], hits: list[int]) -> list:
        """Per-token scores (0 where no lexicon word) for tokens ``words``/``lowers``."""
        lex = self._lexicon
        n = len(words)
        any_booster = not _BOOSTER_WORDS.isdisjoint(lowers)
        any_nt = "n't" in " ".join(lowers)
        any_negation = any_nt or not NEGATE.isdisjoint(lowers)
        any_idiom = not _IDIOM_TRIGGERS.isdisjoint(lowers)
        sentiments: list = [0] * n
        cap_diff: bool | None = None
        for i in hits:
            lw = lowers[i]
            if not any_idiom and lw != "no" and lw != "kind":
                # Fast path: none of the three preceding tokens is a booster, negation or other
                # context word, so every rule below leaves the valence as it is (bar CAPS).
                window = lowers[i - 3 : i] if i > 2 else lowers[:i]
                if _CONTEXT_WORDS.isdisjoint(window) and not (any_nt and "n't" in " ".join(window)):
                    valence = lex[lw]
                    if words[i].isupper():
                        if cap_diff is None:
                            cap_diff = _allcap_differential(words)
                        if cap_diff:
                            if valence > 0:
                                valence += C_INCR
                            else:
                                valence -= C_INCR
                    sentiments[i] = valence
                    continue
            if lw == "kind" and i < n - 1 and lowers[i + 1] == "of":
                continue
            valence = lex[lw]
            if lw == "no" and i != n - 1 and lowers[i + 1] in lex:
                valence = 0.0
            if (
                (i > 0 and lowers[i - 1] == "no")
                or (i > 1 and lowers[i - 2] == "no")
                or (i > 2 and lowers[i - 3] == "no" and lowers[i - 1] in _OR_NOR)
            ):
                valence = lex[lw] * N_SCALAR
            if words[i].isupper():
                if cap_diff is None:
                    cap_diff = _allcap_differential(words)
                if cap_diff:
                    if valence > 0:
                        valence += C_INCR
                    else:
                        valence -= C_INCR
            for start_i in (0, 1, 2):
                if i <= start_i:
                    break
                j = i - (start_i + 1)
                prev = lowers[j]
                if prev in lex:
                    continue
                # scalar_inc_dec
                scalar = 0.0
                if any_booster and prev in BOOSTER_DICT:
                    scalar = BOOSTER_DICT[prev]
                    if valence < 0:
                        scalar *= -1
                    if words[j].isupper():
                        if cap_diff is None:
                            cap_diff = _allcap_differential(words)
                        if cap_diff:
                            if valence > 0:
                                scalar += C_INCR
                            else:
                                scalar -= C_INCR
                    if start_i == 1:
                        scalar = scalar * 0.95
                    elif start_i == 2:
                        scalar = scalar * 0.9
                valence = valence + scalar
                # _negation_check
                if start_i == 0:
                    if any_negation and (prev in NEGATE or "n't" in prev):
                        valence = valence * N_SCALAR
                elif start_i == 1:
                    if prev == "never" and lowers[i - 1] in _SO_THIS:
                        valence = valence * 1.25
                    elif prev == "without" and lowers[i - 1] == "doubt":
                        pass
                    elif any_negation and (prev in NEGATE or "n't" in prev):
                        valence = valence * N_SCALAR
                else:
                    l1 = lowers[i - 1]
                    if (prev == "never" and lowers[i - 2] in _SO_THIS) or (l1 in _SO_THIS):
                        valence = valence * 1.25
                    elif prev == "without" and (lowers[i - 2] == "doubt" or l1 == "doubt"):
                        pass
                    elif any_negation and (prev in NEGATE or "n't" in prev):
                        valence = valence * N_SCALAR
                    if any_idiom:
                        valence = _special_idioms(valence, lowers, i, n)
            # _least_check
            if i > 0 and lowers[i - 1] == "least" and "least" not in lex:
                if i > 1:
                    if lowers[i - 2] != "at" and lowers[i - 2] != "very":
                        valence = valence * N_SCALAR
                else:
                    valence = valence * N_SCALAR
            sentiments[i] = valence
        return sentiments

    def _scores_uncached(self, text: str) -> tuple[float, float, float, float]:
        text2, words, lowers = self._prepared(text)
        if not lowers:
            return _EMPTY
        sentiments = self.token_scores(words, lowers)
        if sentiments is None:
            return _NEUTRAL  # every token scores 0: neu == 1.0 exactly, the rest 0.0
        return _score_valence(sentiments, text2)

    def _scores(self, text: str) -> tuple[float, float, float, float]:
        if not isinstance(text, str):
            raise TypeError(f"VADER scores strings, got {type(text).__name__}")
        hit = self._cache.get(text)
        if hit is not None:
            return hit
        result = self._scores_uncached(text)
        self._memo(text, result)
        return result

    def _memo(self, text: str, result: tuple[float, float, float, float]) -> None:
        """Remember ``result`` for ``text`` in the bounded sentence memo (oldest entry evicted)."""
        if self._cache_size > 0:
            if len(self._cache) >= self._cache_size:
                del self._cache[next(iter(self._cache))]
            self._cache[text] = result

    # ------------------------------------------------------------------ public API
    def polarity_scores(self, text: str) -> dict[str, float]:
        """``{"neg", "neu", "pos", "compound"}`` exactly as vaderSentiment returns them."""
        neg, neu, pos, compound = self._scores(text)
        return {"neg": neg, "neu": neu, "pos": pos, "compound": compound}

    def score_many(self, texts: Iterable[str]) -> pd.DataFrame:
        """Scores of many texts: a float DataFrame with columns ``neg, neu, pos, compound``.

        The index is the input's index when ``texts`` is a Series, else ``0..n-1``. Distinct
        texts are scored once (the bounded sentence cache remembers them).
        """
        index = texts.index if isinstance(texts, pd.Series) else None
        rows = list(map(self._scores, texts))
        arr = np.array(rows, dtype=np.float64).reshape(len(rows), 4)
        return pd.DataFrame(arr, columns=list(SCORE_COLUMNS), index=index)

    def word_valences(self, text: str) -> list[tuple[str, float]]:
        """``(token, score)`` for every VADER token of ``text``, after all rules incl. "but".

        The scores are the terms VADER sums before punctuation emphasis and normalisation, so
        they explain a sentence's compound score (zero for tokens that carry no sentiment).
        """
        text2, raw, lowers = self._prepared(text)
        words = _words(text2)
        sentiments = self.token_scores(raw, lowers) if lowers else None
        if sentiments is None:
            return [(w, 0.0) for w in words]
        return [(w, float(s)) for w, s in zip(words, sentiments, strict=True)]

    def remember(self, texts: Sequence[str], scores: np.ndarray) -> None:
        """Put rows ``(neg, neu, pos, compound)`` of ``texts`` in the sentence memo, for a caller
        that computed exactly these scores another way (``analysis.sentiment`` takes them from
        the news scorer's token pass, tested equal bit for bit), so later calls find them."""
        if self._cache_size <= 0:
            return
        rows = np.asarray(scores, dtype=np.float64).tolist()
        if len(rows) != len(texts):
            raise ValueError(f"{len(texts)} texts but {len(rows)} score rows")
        cache = self._cache
        if len(cache) + len(texts) <= self._cache_size:
            # nothing can be evicted: one dict update (the per-row _memo loop took ~0.15 s
            # per 35k sentences)
            cache.update((t, tuple(r)) for t, r in zip(texts, rows) if t not in cache)
            return
        for text, row in zip(texts, rows):
            if text not in cache:
                self._memo(text, tuple(row))

    def clear_cache(self) -> None:
        """Forget memoised sentence scores."""
        self._cache.clear()


def _words(text: str) -> list[str]:
    """``SentiText._words_and_emoticons``: split on whitespace, strip punctuation from words."""
    return [w if len(s := w.strip(_PUNCT)) <= 2 else s for w in text.split()]


def _allcap_differential(words: list[str]) -> bool:
    allcap_words = 0
    for word in words:
        if word.isupper():
            allcap_words += 1
    cap_differential = len(words) - allcap_words
    return 0 < cap_differential < len(words)


def _special_idioms(valence: float, lowers: list[str], i: int, n: int) -> float:
    """``_special_idioms_check`` of the reference with tuple keys (called only when i >= 3)."""
    l0, l1, l2, l3 = lowers[i], lowers[i - 1], lowers[i - 2], lowers[i - 3]
    for seq in ((l1, l0), (l2, l1, l0), (l2, l1), (l3, l2, l1), (l3, l2)):
        if seq in _SPECIAL_T:
            valence = _SPECIAL_T[seq]
            break
    if n - 1 > i:
        seq = (l0, lowers[i + 1])
        if seq in _SPECIAL_T:
            valence = _SPECIAL_T[seq]
    if n - 1 > i + 1:
        seq = (l0, lowers[i + 1], lowers[i + 2])
        if seq in _SPECIAL_T:
            valence = _SPECIAL_T[seq]
    for seq in ((l3, l2, l1), (l3, l2), (l2, l1)):
        if seq in _BOOSTER_T:
            valence = valence + _BOOSTER_T[seq]
    return valence
