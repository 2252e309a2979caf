"""Text units: sentences and voice (the reporter's own words vs quoted speech).

One sentence splitter and one quote detector serve the whole project (sentiment, framing, actors,
the scoring pipeline). Offsets are character offsets into the string that was split, so every
downstream hit can be traced back to the article text.

Sentence splitting uses ``sentencex`` (Wikimedia's rule-based segmenter). It was chosen over
blingfire, pysbd and syntok by accuracy on a hand-checked sample of news sentences and by speed;
the comparison and numbers are in ``benchmarks/RESULTS.md`` (``benchmarks/bench_sentences.py``,
gold file ``benchmarks/sentence_gold.jsonl``). It keeps quotations that span several sentences
together, knows abbreviations such as "U.S.", "Sen." and "Dr.", and treats blank lines
(paragraph breaks) as boundaries, so headlines without a full stop stand alone. Around it we
add two measured repairs (a dangling opening quote, a lone list number), whitespace trimming
and a hard cap on sentence length
(enormous run-on "sentences" such as tables are cut at ``MAX_SENTENCE_CHARS``).

Quote detection is a small deterministic scanner (documented rules below) rather than a library:
no maintained package offers offset-level quote spans for English news.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
import sentencex

MAX_SENTENCE_CHARS = 2_000
QUOTED_SHARE = 0.5  # a sentence is "quoted" when at least half its letters are inside quotes

VOICES = ("reporter", "quoted")

_PARA_RE = re.compile(r"\n\s*\n|\r\n\s*\r\n")
_LIST_NUMBER_RE = re.compile(r"\d{1,3}[.)]")


def _repair_spans(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Fix two measured sentencex habits (benchmarks/RESULTS_vader_sentences.md): an opening
    quote left dangling at the end of a sentence moves to the sentence it opens, and a lone list
    number ("3.") joins its item."""
    out: list[tuple[int, int]] = []
    carry: int | None = None
    for s, e in spans:
        if carry is not None:
            if "\n" in text[carry:s]:
                out[-1] = (out[-1][0], carry + 1)
            else:
                s = carry
            carry = None
        if (
            out
            and _LIST_NUMBER_RE.fullmatch(text, out[-1][0], out[-1][1])
            and "\n" not in text[out[-1][1] : s]
        ):
            s = out.pop()[0]
        q = e - 1
        if e - s > 1 and (text[q] == "“" or (text[q] == '"' and text[q - 1].isspace())):
            e = q
            while e > s and text[e - 1].isspace():
                e -= 1
            carry = q
        out.append((s, e))
    if carry is not None:
        s, _ = out.pop()
        out.append((s, carry + 1))
    return out


_WORD_RE = re.compile(r"\w+(?:['’]\w+)*")


def _segments(paragraph: str) -> list[str]:
    return list(sentencex.segment("en", paragraph))


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Character spans ``(start, end)`` of the sentences of ``text``, whitespace trimmed.

    Empty or whitespace-only input gives ``[]``. Concatenating the spans (with the gaps between
    them) reproduces ``text``: offsets always index the original string.
    """
    if not text or not text.strip():
        return []
    spans: list[tuple[int, int]] = []
    pos = 0
    for seg in _segments(text):
        idx = text.find(seg, pos)
        if idx < 0:  # sentencex normalised something: fall back to a sequential cursor
            idx = pos
        start, end = idx, idx + len(seg)
        pos = end
        # trim whitespace
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if end <= start:
            continue
        # split on paragraph breaks sentencex may have kept inside a segment
        sub_start = start
        for m in _PARA_RE.finditer(text, start, end):
            if m.start() > sub_start:
                spans.append((sub_start, m.start()))
            sub_start = m.end()
        if sub_start < end:
            spans.append((sub_start, end))
    out: list[tuple[int, int]] = []
    for s, e in _repair_spans(text, spans):
        while e - s > MAX_SENTENCE_CHARS:
            cut = text.rfind(" ", s, s + MAX_SENTENCE_CHARS)
            cut = cut if cut > s else s + MAX_SENTENCE_CHARS
            out.append((s, cut))
            s = cut
            while s < e and text[s].isspace():
                s += 1
        if e > s:
            out.append((s, e))
    return out


def split_sentences(text: str) -> list[str]:
    """The sentences of ``text`` as strings (see :func:`sentence_spans`)."""
    return [text[s:e] for s, e in sentence_spans(text)]


def count_words(text: str) -> int:
    return len(_WORD_RE.findall(text or ""))


# --------------------------------------------------------------------------- quotes
# Rules (documented in README "Methodology"):
# 1. Curly double quotes pair “ ... ”. Straight double quotes pair by alternation within a
#    paragraph. Curly single quotes ‘ ... ’ count as quotes only when ‘ follows a space/start and
#    the closing ’ is not followed by a letter (so apostrophes are ignored). Straight single quotes
#    are ignored except in headlines ('…' around a phrase), where they are common.
# 2. An opening quote with no closing quote in its paragraph runs to the end of the paragraph
#    (news convention for quotations that continue into the next paragraph).
# 3. A span shorter than ``MIN_QUOTE_WORDS`` words is a scare quote/term ("national dialogue"): it
#    is still a quote span (hits inside it are quoted voice) but does not flip a sentence's voice.

MIN_QUOTE_WORDS = 1

_SAY = (
    r"(?:said|says|say|stated|states|added|adds|told|tells|wrote|writes|argued|argues|noted|notes|"
    r"explained|explains|warned|warns|insisted|insists|claimed|claims|asked|asks|declared|declares|"
    r"continued|acknowledged|acknowledges|replied|responded|tweeted|posted|recalled|quoted|"
    r"according to)"
)
_NAME = r"(?:[A-Z][\w.'’&-]*(?:\s+(?:of\s+|de\s+|van\s+)?[A-Z][\w.'’&-]*){0,4}|he|she|they|it|we|I)"
_AFTER_RE = re.compile(
    rf"^[\s,.;:!?—–-]*(?:(?P<s1>{_NAME})(?:,[^,“”\"]{{1,120}},)?\s+(?:also\s+|later\s+|then\s+)?"
    rf"{_SAY}\b|{_SAY}\s+(?P<s2>{_NAME}))"
)
_BEFORE_RE = re.compile(
    rf"(?:(?P<s1>{_NAME})(?:,[^,“”\"]{{1,120}},)?\s+(?:also\s+)?{_SAY}(?:\s+that)?|"
    rf"[Aa]ccording to\s+(?P<s2>{_NAME})[^“”\"]{{0,80}}?)[\s,:]*$"
)
_ACCORDING_RE = re.compile(rf"[Aa]ccording to\s+(?P<s>{_NAME})")
_PRONOUNS = {"he", "she", "they", "it", "we", "i"}


@dataclass(frozen=True)
class QuoteSpan:
    start: int  # offset of the first character inside the quote marks
    end: int  # offset just after the last character inside the quote marks
    speaker: str | None


_QUOTE_CHAR_RE = re.compile("[“”\"‘’']")


def line_quote_pairs(line: str, headline: bool = False) -> list[tuple[int, int]]:
    """Inner spans of the quotations of one line (no line breaks), following the rules above.

    The rules change state only at quote characters, so the scan visits only those characters
    (tested against a character-by-character reference implementation in the tests).
    """
    pairs: list[tuple[int, int]] = []
    n = len(line)
    open_at: int | None = None
    kind = ""
    for m in _QUOTE_CHAR_RE.finditer(line):
        i, ch = m.start(), m.group()
        if open_at is None:
            if ch == "“":
                open_at, kind = i, "curly"
            elif ch == '"':
                open_at, kind = i, "straight"
            elif ch == "‘" and (i == 0 or not line[i - 1].isalnum()):
                open_at, kind = i, "single"
            elif (
                headline
                and ch == "'"
                and (i == 0 or line[i - 1] in " (:")
                and i + 1 < n
                and line[i + 1].isalnum()
            ):
                open_at, kind = i, "hsingle"
        else:
            close = (
                (kind == "curly" and ch in "”“")
                or (kind == "straight" and ch == '"')
                or (kind == "single" and ch == "’" and (i + 1 == n or not line[i + 1].isalpha()))
                or (kind == "hsingle" and ch == "'" and (i + 1 == n or not line[i + 1].isalpha()))
            )
            if close and ch == "“" and kind == "curly":
                pairs.append((open_at + 1, i))
                open_at = i
                continue
            if close:
                if i > open_at + 1:
                    pairs.append((open_at + 1, i))
                open_at = None
    if open_at is not None and kind in ("curly", "straight") and n - open_at > 1:
        pairs.append((open_at + 1, n))
    return pairs


def _quote_pairs(text: str, headline: bool = False) -> list[tuple[int, int]]:
    """Inner spans of quotations in ``text`` (quotes never span a line break)."""
    pairs: list[tuple[int, int]] = []
    for pm in re.finditer(r"[^\n]+", text):
        p0 = pm.start()
        pairs.extend((a + p0, b + p0) for a, b in line_quote_pairs(pm.group(0), headline))
    return pairs


def _clean_speaker(s: str | None) -> str | None:
    if not s:
        return None
    s = s.strip().rstrip(".,")
    return s or None


def quote_spans(text: str, headline: bool = False) -> list[QuoteSpan]:
    """Quotations in ``text`` with the speaker when a simple attribution pattern names one.

    Patterns: ``“…,” Krishna said`` / ``“…,” said Krishna`` / ``“…,” Krishna, who …, stated``,
    ``Krishna said: “…”`` and ``according to TechCrunch … “…”``. Pronoun speakers ("he said") are
    returned as the pronoun.
    """
    spans: list[QuoteSpan] = []
    for s, e in _quote_pairs(text, headline=headline):
        speaker = None
        after = text[e + 1 : e + 1 + 160].split("\n", 1)[0]
        m = _AFTER_RE.match(after)
        if m:
            speaker = m.group("s1") or m.group("s2")
        if speaker is None:
            line_start = text.rfind("\n", 0, s) + 1
            before = text[max(line_start, s - 1 - 200) : max(s - 1, 0)]
            m = _BEFORE_RE.search(before)
            if m:
                speaker = m.group("s1") or m.group("s2")
        spans.append(QuoteSpan(s, e, _clean_speaker(speaker)))
    return spans


def _letters_in(text: str, start: int, end: int) -> int:
    return sum(1 for ch in text[start:end] if ch.isalnum())


def span_voice(start: int, end: int, quotes: list[QuoteSpan]) -> str:
    """Voice of a character span: "quoted" when it lies inside a quotation, else "reporter"."""
    for q in quotes:
        if q.start <= start and end <= q.end:
            return "quoted"
    return "reporter"


def sentence_voice(
    text: str, start: int, end: int, quotes: list[QuoteSpan]
) -> tuple[str, str | None, float]:
    """``(voice, speaker, quoted_share)`` of the sentence ``text[start:end]``."""
    total = _letters_in(text, start, end)
    inside = 0
    speaker = None
    for q in quotes:
        lo, hi = max(start, q.start), min(end, q.end)
        if lo < hi:
            inside += _letters_in(text, lo, hi)
            speaker = speaker or q.speaker
    share = inside / total if total else 0.0
    voice = "quoted" if share >= QUOTED_SHARE else "reporter"
    if speaker is None:
        m = _ACCORDING_RE.search(text, start, end)
        if m:
            speaker = _clean_speaker(m.group("s"))
    return voice, speaker, round(share, 4)


class _CharIndex:
    """Prefix sums over one text, so letter and word counts of any span cost O(1).

    ``alnum`` follows ``str.isalnum``; a word is a match of ``_WORD_RE`` (``\\w+`` runs joined
    by straight or curly apostrophes), counted by its first character. Built with numpy from the
    UTF-32 code points; non-ASCII characters are classified once per distinct character with the
    same ``str`` methods, so counts equal the per-character Python definitions exactly (tests in
    ``tests/test_sentence_splitting.py`` check every span of tricky strings and every sentence of
    41 real articles; the whole pool's sentence table was identical when this replaced them).
    """

    __slots__ = ("_alnum", "_starts", "_word", "_apos")

    def __init__(self, text: str):
        codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        alnum = _ASCII_ALNUM[np.minimum(codes, 127)]
        hi = codes > 127
        if hi.any():
            uniq = np.unique(codes[hi])
            ok = np.fromiter((chr(c).isalnum() for c in uniq.tolist()), dtype=bool, count=len(uniq))
            alnum[hi] = ok[np.searchsorted(uniq, codes[hi])]
        word = alnum | (codes == 95)  # re's \w: alphanumeric or underscore
        apos = (codes == 39) | (codes == 0x2019)
        prev_word = np.zeros_like(word)
        prev_word[1:] = word[:-1]
        joined = np.zeros_like(word)  # preceded by an apostrophe that follows a word character
        joined[2:] = apos[1:-1] & word[:-2]
        starts = word & ~prev_word & ~joined
        self._alnum = np.concatenate(([0], np.cumsum(alnum, dtype=np.int64)))
        self._starts = np.concatenate(([0], np.cumsum(starts, dtype=np.int64)))
        self._word, self._apos = word, apos

    def letters(self, start: int, end: int) -> int:
        """Alphanumeric characters in ``text[start:end]`` (``_letters_in``)."""
        return int(self._alnum[end] - self._alnum[start]) if end > start else 0

    def words(self, start: int, end: int) -> int:
        """``count_words(text[start:end])``: word starts inside the span, plus a word cut by
        ``start`` (which the slice sees as starting there)."""
        if end <= start:
            return 0
        n = int(self._starts[end] - self._starts[start])
        w, a = self._word, self._apos
        if w[start] and self._starts[start + 1] == self._starts[start]:
            n += 1  # the span starts inside a word
        elif end - start >= 2 and a[start] and w[start + 1] and start >= 1 and w[start - 1]:
            n += 1  # the span starts at an apostrophe that joined the previous word
        return n


_ASCII_ALNUM = np.array([chr(i).isalnum() for i in range(128)], dtype=bool)


def _voice_fast(
    text: str, start: int, end: int, quotes: list[QuoteSpan], q_ends: list[int], idx: _CharIndex
) -> tuple[str, str | None, float]:
    """:func:`sentence_voice` with prefix-sum letter counts and a bisect over the quotes
    (which :func:`quote_spans` returns in text order, non-overlapping)."""
    total = idx.letters(start, end)
    inside = 0
    speaker = None
    i = bisect.bisect_right(q_ends, start)
    while i < len(quotes) and quotes[i].start < end:
        q = quotes[i]
        lo, hi = max(start, q.start), min(end, q.end)
        if lo < hi:
            inside += idx.letters(lo, hi)
            speaker = speaker or q.speaker
        i += 1
    share = inside / total if total else 0.0
    voice = "quoted" if share >= QUOTED_SHARE else "reporter"
    # the literal check skips the regex in the ~97% of sentences without "according to"
    if speaker is None and text.find("ccording to", start, end) >= 0:
        m = _ACCORDING_RE.search(text, start, end)
        if m:
            speaker = _clean_speaker(m.group("s"))
    return voice, speaker, round(share, 4)


def sentence_records(text: str, part: str = "body", headline: bool = False) -> list[dict]:
    """One dict per sentence: start, end, text, voice, speaker, quoted_share, n_words."""
    quotes = quote_spans(text, headline=headline)
    spans = sentence_spans(text)
    if not spans:
        return []
    idx = _CharIndex(text)
    q_ends = [q.end for q in quotes]  # quote_spans returns quotes in text order, never overlapping
    out = []
    for s, e in spans:
        voice, speaker, share = _voice_fast(text, s, e, quotes, q_ends, idx)
        out.append(
            {
                "part": part,
                "start": s,
                "end": e,
                "text": text[s:e],
                "voice": voice,
                "speaker": speaker,
                "quoted_share": share,
                "n_words": idx.words(s, e),
            }
        )
    return out


SENTENCE_COLUMNS = (
    "doc_id",
    "sent_idx",
    "part",
    "start",
    "end",
    "text",
    "voice",
    "speaker",
    "quoted_share",
    "n_words",
)


def sentence_table(articles: pd.DataFrame, include_title: bool = True) -> pd.DataFrame:
    """One row per sentence of every article (title sentences first, ``part == "title"``).

    ``start``/``end`` index the article's ``title`` (title rows) or ``text`` (body rows).
    ``sent_idx`` numbers the sentences of each article from 0, title first.
    """
    rows: list[dict] = []
    for doc_id, title, text in zip(
        articles["doc_id"], articles.get("title", pd.Series([""] * len(articles))), articles["text"]
    ):
        recs = []
        if include_title and isinstance(title, str) and title.strip():
            recs += sentence_records(title, part="title", headline=True)
        recs += sentence_records(text if isinstance(text, str) else "", part="body")
        for i, r in enumerate(recs):
            r["doc_id"] = doc_id
            r["sent_idx"] = i
            rows.append(r)
    df = pd.DataFrame(rows, columns=list(SENTENCE_COLUMNS))
    return df.astype({"sent_idx": "int64", "start": "int64", "end": "int64", "n_words": "int64"})
