"""Text units: sentences and voice (the reporter's own words vs quoted speech).

One sentence splitter and one quote detector serve the whole project (sentiment, framing, actors,
the scoring pipeline). Offsets are character offsets into the string that was split, so every
downstream hit can be traced back to the article text.

Sentence splitting uses ``sentencex`` (Wikimedia's rule-based segmenter). It was chosen over
blingfire, pysbd and syntok by accuracy on a hand-checked sample of news sentences and by speed;
the comparison and numbers are in ``benchmarks/RESULTS_vader_sentences.md``
(``benchmarks/bench_sentences.py``, gold file ``benchmarks/sentence_gold.jsonl``). It keeps
quotations that span several sentences together, knows abbreviations such as "U.S.", "Sen."
and "Dr.", and treats blank lines (paragraph breaks) as boundaries, so headlines without a full
stop stand alone. Around it we add two measured repairs (a dangling opening quote, a lone list
number), whitespace trimming and a hard cap on sentence length (enormous run-on "sentences"
such as tables are cut at ``MAX_SENTENCE_CHARS``).

Quote detection is a small deterministic scanner (documented rules below) rather than a library:
no maintained package offers offset-level quote spans for English news.

:func:`sentence_table` computes every column for all sentences at once (see the "columns"
section); the per-sentence functions (:func:`sentence_spans`, :func:`quote_spans`,
:func:`sentence_voice`, :func:`count_words`, :func:`sentence_records`) define the same values
one sentence at a time, and the tests check the table against them.
"""

from __future__ import annotations

import bisect
import functools
import operator
import re
from dataclasses import dataclass
from itertools import accumulate, compress, count, repeat

import numpy as np
import pandas as pd
import sentencex

MAX_SENTENCE_CHARS = 2_000
QUOTED_SHARE = 0.5  # a sentence is "quoted" when at least half its letters are inside quotes

VOICES = ("reporter", "quoted")

_PARA_RE = re.compile(r"\n\s*\n|\r\n\s*\r\n")
_LIST_NUMBER_RE = re.compile(r"\d{1,3}[.)]")


@functools.lru_cache(maxsize=1)
def string_dtype():
    """The dtype pandas gives a column built from Python strings (``str`` in pandas 3): the one
    definition the fast column builders of text, framing and actors compare with."""
    return pd.Series(["a"]).dtype


def _repair_spans(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Fix two measured sentencex habits (benchmarks/RESULTS_vader_sentences.md): an opening
    quote left dangling at the end of a sentence moves to the sentence it opens, and a lone list
    number ("3.") joins its item."""
    out: list[tuple[int, int]] = []
    carry = -1  # offset of an opening quote carried over to the next sentence
    ps = pe = -1  # the previous sentence (out[-1])
    for s, e in spans:
        if carry >= 0:
            if "\n" in text[carry:s]:
                out[-1] = (ps, carry + 1)
                pe = carry + 1
            else:
                s = carry
            carry = -1
        # a list number has 2-4 characters: the length test skips the regex for other sentences
        if (
            pe - ps <= 4
            and out
            and _LIST_NUMBER_RE.fullmatch(text, ps, pe)
            and "\n" not in text[pe:s]
        ):
            s = out.pop()[0]
        q = e - 1
        if e - s > 1 and (text[q] == "“" or (text[q] == '"' and text[q - 1].isspace())):
            e = q
            while e > s and text[e - 1].isspace():
                e -= 1
            carry = q
        out.append((s, e))
        ps, pe = s, e
    if carry >= 0:
        s, _ = out.pop()
        out.append((s, carry + 1))
    return out


_WORD_RE = re.compile(r"\w+(?:['’]\w+)*")


def _segments(paragraph: str) -> list[str]:
    return list(sentencex.segment("en", paragraph))


def _spans_by_segment(text: str, segs: list[str]) -> list[tuple[int, int]]:
    """Trimmed spans of ``segs`` located in ``text`` one segment at a time (any segmentation)."""
    spans: list[tuple[int, int]] = []
    pos = 0
    for seg in segs:
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
    return spans


def _segment_offsets(text: str, segs: list[str]) -> list[int] | None:
    """Offset of each segment as :func:`_spans_by_segment` finds it (the first occurrence at or
    after the end of the previous segment), or ``None`` when one is missing. Runs of segments
    that follow each other directly are checked with ``map(text.startswith, ...)``; ``find``
    only runs where a gap starts."""
    offsets: list[int] = []
    k, pos, n = 0, 0, len(segs)
    while k < n:
        run = list(accumulate(map(len, segs[k:]), initial=pos))
        m = next(compress(count(), map(operator.not_, map(text.startswith, segs[k:], run))), n - k)
        offsets += run[:m]
        k += m
        if k < n:
            idx = text.find(segs[k], run[m])
            if idx < 0:
                return None
            offsets.append(idx)
            pos = idx + len(segs[k])
            k += 1
    return offsets


def _spans_and_texts(text: str) -> tuple[list[int], list[int], list[str]]:
    """Starts, ends and strings of the sentences of ``text`` (see :func:`sentence_spans`).

    Same result as trimming each located segment character by character
    (:func:`_spans_by_segment`), but trimming is ``str.rstrip``/``str.lstrip`` (they strip
    exactly the characters ``str.isspace`` accepts) and offsets are running sums of segment
    lengths when the segments tile the text (90 % of the pool's texts), all run through ``map``
    so no Python code runs per segment; the repairs and the length cap only run on texts where a
    sentence could need them. Pool, CPU: Python time around sentencex (sentence strings included)
    0.63 s -> 0.30 s.
    """
    if not text or not text.strip():
        return [], [], []
    segs = _segments(text)
    if "".join(segs) == text:
        offsets = accumulate(map(len, segs), initial=0)
    else:  # sentencex dropped some paragraph breaks: locate the segments
        offsets = _segment_offsets(text, segs)
        if offsets is None:
            return _unzip(text, _repair_spans(text, _spans_by_segment(text, segs)))
    rstripped = list(map(str.rstrip, segs))
    cores = list(map(str.lstrip, rstripped))
    lengths = list(map(len, cores))
    ends = map(operator.add, offsets, map(len, rstripped))
    if 0 in lengths:  # whitespace-only segments
        ends = list(compress(ends, lengths))
        cores = list(compress(cores, lengths))
        lengths = list(compress(lengths, lengths))
        if not cores:
            return [], [], []
    else:
        ends = list(ends)
    starts = list(map(operator.sub, ends, lengths))
    if any(map(operator.contains, cores, repeat("\n"))):  # paragraph breaks inside a segment
        return _unzip(text, _repair_spans(text, _spans_by_segment(text, segs)))
    # the repairs can only touch a sentence of 2-4 characters (a list number) or one ending on
    # a quote mark, and the sentence after it
    last = "".join(map(operator.itemgetter(-1), cores))
    cand = sorted(
        {
            *compress(count(), map(operator.le, lengths, repeat(4))),
            *(m.start() for m in _OPENING_QUOTE_RE.finditer(last)),
        }
    )
    if cand:
        starts, ends, cores = _repair_windows(text, starts, ends, cores, cand)
        lengths = map(operator.sub, ends, starts)
    if max(lengths) > MAX_SENTENCE_CHARS:
        return _unzip(text, list(zip(starts, ends, strict=True)))
    return starts, ends, cores


def _unzip(text: str, spans: list[tuple[int, int]]) -> tuple[list[int], list[int], list[str]]:
    """Starts, ends and strings of ``spans`` after the length cap (:func:`_cap_length`)."""
    spans = _cap_length(text, spans)
    return [s for s, _ in spans], [e for _, e in spans], [text[s:e] for s, e in spans]


_OPENING_QUOTE_RE = re.compile('[“"]')


def _repair_windows(
    text: str, starts: list[int], ends: list[int], cores: list[str], cand: list[int]
) -> tuple[list[int], list[int], list[str]]:
    """:func:`_repair_spans` applied only around the candidate sentences ``cand`` (sorted).

    A sentence that is no candidate and does not follow one leaves the repair loop unchanged
    (no quote mark is carried into it and the sentence before it is no list number), so the
    loop restarts cleanly at each window of a candidate and its successor."""
    n = len(starts)
    out_s: list[int] = []
    out_e: list[int] = []
    out_t: list[str] = []
    done = 0
    i = 0
    while i < len(cand):
        a = cand[i]
        b = a + 2
        i += 1
        while i < len(cand) and cand[i] < b:
            b = cand[i] + 2
            i += 1
        b = min(b, n)
        out_s += starts[done:a]
        out_e += ends[done:a]
        out_t += cores[done:a]
        for s, e in _repair_spans(text, list(zip(starts[a:b], ends[a:b], strict=True))):
            out_s.append(s)
            out_e.append(e)
            out_t.append(text[s:e])
        done = b
    out_s += starts[done:]
    out_e += ends[done:]
    out_t += cores[done:]
    return out_s, out_e, out_t


def _cap_length(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Cut sentences longer than ``MAX_SENTENCE_CHARS`` at a space (or hard at the limit)."""
    out: list[tuple[int, int]] = []
    for s, e in spans:
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


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Character spans ``(start, end)`` of the sentences of ``text``, whitespace trimmed.

    Empty or whitespace-only input gives ``[]``. Concatenating the spans (with the gaps between
    them) reproduces ``text``: offsets always index the original string.
    """
    starts, ends, _ = _spans_and_texts(text)
    return list(zip(starts, ends, strict=True))


def split_sentences(text: str) -> list[str]:
    """The sentences of ``text`` as strings (see :func:`sentence_spans`)."""
    return _spans_and_texts(text)[2]


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

_SAY_WORDS = (
    "said",
    "says",
    "say",
    "stated",
    "states",
    "added",
    "adds",
    "told",
    "tells",
    "wrote",
    "writes",
    "argued",
    "argues",
    "noted",
    "notes",
    "explained",
    "explains",
    "warned",
    "warns",
    "insisted",
    "insists",
    "claimed",
    "claims",
    "asked",
    "asks",
    "declared",
    "declares",
    "continued",
    "acknowledged",
    "acknowledges",
    "replied",
    "responded",
    "tweeted",
    "posted",
    "recalled",
    "quoted",
    "according to",
)
_SAY = "(?:" + "|".join(_SAY_WORDS) + ")"
_NAME = r"(?:[A-Z][\w.'’&-]*(?:\s+(?:of\s+|de\s+|van\s+)?[A-Z][\w.'’&-]*){0,4}|he|she|they|it|we|I)"
_AFTER_PATTERN = (
    rf"[\s,.;:!?—–-]*(?:(?P<s1>{_NAME})(?:,[^,“”\"]{{1,120}},)?\s+(?:also\s+|later\s+|then\s+)?"
    rf"{_SAY}\b|{_SAY}\s+(?P<s2>{_NAME}))"
)
_AFTER_AT_RE = re.compile(_AFTER_PATTERN)  # for .match(text, pos, endpos): anchored at pos
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


def _quote_pairs_by_line(text: str, headline: bool = False) -> list[tuple[int, int]]:
    """:func:`line_quote_pairs` over every line of ``text``: used as is for headlines; the body
    scanner of :func:`_quote_pairs` gives the same pairs (tested)."""
    pairs: list[tuple[int, int]] = []
    for pm in re.finditer(r"[^\n]+", text):
        p0 = pm.start()
        pairs.extend((a + p0, b + p0) for a, b in line_quote_pairs(pm.group(0), headline))
    return pairs


def _quote_pairs(text: str, headline: bool = False) -> list[tuple[int, int]]:
    """Inner spans of quotations in ``text`` (quotes never span a line break), in text order and
    never overlapping: each pair starts at or after the end of the previous one.

    Same result as :func:`line_quote_pairs` applied line by line (tested on every text of the
    pool and on random synthetic strings). Outside headlines the straight single quote never
    opens a quotation and the curly ’ only matters inside a ‘ quotation; they are mostly
    apostrophes (77k of the pool's 168k quote characters). Body text is therefore scanned with
    ``str.find`` from one opening quote to its end, keeping the next position of each quote
    character. Pool bodies, CPU: 0.47 s with the line-by-line scanner, 0.19 s with one regex over
    the text (sre scans a character class at ~5 ns/character), 0.06 s with ``str.find``.
    """
    if headline:
        if not any(map(text.__contains__, "“”\"‘’'")):  # most headlines have no quote mark
            return []
        return _quote_pairs_by_line(text, headline=True)
    pairs: list[tuple[int, int]] = []
    n = len(text)
    find = text.find

    def nxt(ch: str, pos: int) -> int:
        k = find(ch, pos)
        return n if k < 0 else k

    oc, cc, sq, sg, nl = nxt("“", 0), nxt("”", 0), nxt('"', 0), nxt("‘", 0), -1
    while True:
        i = oc if oc < sq else sq
        if sg < i:
            i = sg
        if i >= n:
            return pairs
        if nl < i:
            nl = nxt("\n", i)  # end of the line: quotations never cross it
        if i == oc:  # “ ends at the next ”, at the next “ (which opens again) or at the line end
            if cc < i:
                cc = nxt("”", i + 1)
            oc = nxt("“", i + 1)
            if cc < oc and cc < nl:
                if cc > i + 1:
                    pairs.append((i + 1, cc))
                pos = cc + 1
            elif oc < nl:
                pairs.append((i + 1, oc))  # kept even when empty
                pos = oc
            else:
                if nl > i + 1:
                    pairs.append((i + 1, nl))
                pos = nl
        elif i == sq:  # " ends at the next " or at the line end
            k = nxt('"', i + 1)
            if k < nl:
                if k > i + 1:
                    pairs.append((i + 1, k))
                pos = k + 1
            else:
                if nl > i + 1:
                    pairs.append((i + 1, nl))
                pos = nl
        elif i == 0 or not text[i - 1].isalnum():  # ‘ opens only after a non-alphanumeric
            # only ’ not followed by a letter closes it; nothing else counts meanwhile, and an
            # unclosed ‘ quotation is dropped at the end of the line
            k = find("’", i + 1, nl)
            while k >= 0 and k + 1 < nl and text[k + 1].isalpha():
                k = find("’", k + 1, nl)
            if k < 0:
                pos = nl
            else:
                if k > i + 1:
                    pairs.append((i + 1, k))
                pos = k + 1
        else:
            pos = i + 1
        # quote characters inside the quotation just read do not count
        if oc < pos:
            oc = nxt("“", pos)
        if cc < pos:
            cc = nxt("”", pos)
        if sq < pos:
            sq = nxt('"', pos)
        if sg < pos:
            sg = nxt("‘", pos)


def _clean_speaker(s: str | None) -> str | None:
    if not s:
        return None
    s = s.strip().rstrip(".,")
    return s or None


# _BEFORE_RE can only match when the window contains "ccording to" or, once trailing spaces,
# commas and colons are removed, ends with a speech verb or "that". Checking that on the text
# itself first (no slicing) skips the regex search, which costs ~20 us per 200-character window,
# for most quotations (0.70 s of regex for the pool's 34k windows); the "after" pattern is
# matched in place with pos/endpos instead of on a slice.
_SAY_ENDINGS = (*_SAY_WORDS, "that")


def _before_may_match(text: str, lo: int, hi: int) -> bool:
    """Whether ``_BEFORE_RE`` can match ``text[lo:hi]`` (a necessary condition)."""
    if text.find("ccording to", lo, hi) >= 0:
        return True
    while hi > lo and (text[hi - 1].isspace() or text[hi - 1] in ",:"):  # re's \s is isspace
        hi -= 1
    return text.endswith(_SAY_ENDINGS, lo, hi)


def _speakers(text: str, pairs: list[tuple[int, int]]) -> list[str | None]:
    """The attributed speaker of each quotation (rules of :func:`quote_spans`): the text after
    the closing quote (up to 160 characters, same line), else the text before the opening quote
    (up to 200 characters, same line)."""
    out: list[str | None] = []
    find, rfind = text.find, text.rfind
    for s, e in pairs:
        speaker = None
        lim = e + 161
        nl = find("\n", e + 1, lim)
        m = _AFTER_AT_RE.match(text, e + 1, lim if nl < 0 else nl)
        if m:
            speaker = m.group("s1") or m.group("s2")
        else:
            # the window text[max(line start, s - 201) : s - 1]
            lo = max(0, s - 201)
            k = rfind("\n", lo, s)
            if k >= 0:
                lo = k + 1
            if _before_may_match(text, lo, s - 1):
                m = _BEFORE_RE.search(text[lo : s - 1])
                if m:
                    speaker = m.group("s1") or m.group("s2")
        out.append(_clean_speaker(speaker) if speaker else None)
    return out


def quote_spans(text: str, headline: bool = False) -> list[QuoteSpan]:
    """Quotations in ``text`` with the speaker when a simple attribution pattern names one.

    Patterns: ``“…,” Krishna said`` / ``“…,” said Krishna`` / ``“…,” Krishna, who …, stated``,
    ``Krishna said: “…”`` and ``according to TechCrunch … “…”``. Pronoun speakers ("he said") are
    returned as the pronoun.
    """
    pairs = _quote_pairs(text, headline=headline)
    return [QuoteSpan(s, e, sp) for (s, e), sp in zip(pairs, _speakers(text, pairs), strict=True)]


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
    """``(voice, speaker, quoted_share)`` of the sentence ``text[start:end]``.

    The per-sentence reference definition; :func:`sentence_table` computes the same for all
    sentences at once (tested equal on real articles)."""
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


# --------------------------------------------------------------------------- columns
# sentence_table builds columns for all sentences at once instead of a dict per sentence.
# Measured on the whole pool (3,076 articles, 168k sentences, one core, CPU; command and numbers
# in benchmarks/RESULTS_vader_sentences.md, section C): the per-sentence form took 4.7 s, of
# which sentencex itself ~0.4 s; the rest was Python around it (a dict, a voice call and
# bisect per sentence, a numpy prefix-sum index and QuoteSpan objects per text, a line-by-line
# quote scan, regex searches before every quotation). This form takes 1.4 s with identical
# output. The texts are joined into chunks of about _CHUNK_CHARS characters (separated by "\n",
# which is no letter, word character or apostrophe), each chunk's characters are classified
# once with numpy, and letter/word counts, quoted shares and speakers come from prefix sums and
# searchsorted over the chunk's quotations. Chunks of ~300k characters keep the arrays in cache:
# the chunk stage took 0.75 s with 4M-character chunks, 0.56 s with 250k-500k.

_CHUNK_CHARS = 300_000
_ALNUM, _WORDCH, _APOS = 1, 2, 4


def _char_flags_of(ch: str) -> int:
    return (
        (_ALNUM if ch.isalnum() else 0)
        | (_WORDCH if ch.isalnum() or ch == "_" else 0)
        | (_APOS if ch in "'’" else 0)
    )


@functools.cache
def _bmp_chars() -> str:
    """Every BMP code point in order (lone surrogates included) as one string, decoded from
    UTF-32 in one C call: ~1 ms, where ``"".join(map(chr, range(0x10000)))`` took ~10 ms of a
    fresh process's start-up (text and framing build their character tables from it)."""
    return np.arange(0x10000, dtype="<u4").tobytes().decode("utf-32-le", "surrogatepass")


@functools.cache
def _flags_table() -> np.ndarray:
    """Bit flags (alnum, re's ``\\w``, apostrophe) of every BMP code point, built on first use
    with the ``str`` methods themselves (so counts follow ``str.isalnum`` exactly)."""
    alnum = np.fromiter(map(str.isalnum, _bmp_chars()), dtype=bool, count=0x10000)
    flags = alnum * np.uint8(_ALNUM | _WORDCH)
    flags[ord("_")] |= _WORDCH
    flags[[ord("'"), ord("’")]] |= _APOS
    return flags


class _CharCounts:
    r"""Letter and word counts of any spans of a list of strings, vectorised.

    The strings are joined with "\n" (no letter, word character or apostrophe), with one more
    before the first and after the last; ``base[k]`` is the offset of ``texts[k]`` in that
    string, and spans are given in its coordinates. ``letters`` follows ``str.isalnum`` (as
    :func:`_letters_in`); ``words`` equals :func:`count_words` of the slice: a word is a match of
    ``_WORD_RE`` (``\w+`` runs joined by straight or curly apostrophes), counted by its first
    character, plus a word cut by the span's start (which the slice sees as starting there).
    Tests check every span of tricky strings against the per-character definitions.
    """

    __slots__ = ("base", "_alnum", "_starts", "_flags")

    def __init__(self, texts: list[str]):
        lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
        self.base = np.concatenate(([1], np.cumsum(lengths + 1)[:-1] + 1))
        # code points via a numpy unicode scalar: cheaper than encoding to UTF-32 (one join
        # including the outer separators: concatenating them afterwards would copy again)
        codes = np.array(["\n".join(("", *texts, ""))]).view(np.uint32)
        if codes.max() <= 0xFFFF:  # plain indexing is ~3x faster than take(mode="clip")
            flags = _flags_table()[codes]
        else:
            flags = _flags_table()[np.minimum(codes, 0xFFFF)]
            hi = np.flatnonzero(codes > 0xFFFF)
            flags[hi] = [_char_flags_of(chr(c)) for c in codes[hi].tolist()]
        # word starts: a word character not after a word character, nor after an apostrophe
        # that follows a word character (flag arithmetic on uint8: _APOS == _WORDCH << 1)
        starts = np.zeros(len(flags), dtype=np.uint8)
        starts[1] = (flags[1] & _WORDCH) > 0
        blocked = (flags[1:-1] & _WORDCH) | (flags[1:-1] & ((flags[:-2] & _WORDCH) << 1))
        starts[2:] = (flags[2:] & _WORDCH) > blocked
        # prefix sums in int32 (half the memory traffic of int64) while they cannot overflow
        dtype = np.int32 if len(flags) < 2**31 - 1 else np.int64
        self._alnum = np.zeros(len(flags) + 1, dtype=dtype)
        np.cumsum(flags & _ALNUM, dtype=dtype, out=self._alnum[1:])
        self._starts = np.zeros(len(flags) + 1, dtype=dtype)
        np.cumsum(starts, dtype=dtype, out=self._starts[1:])
        self._flags = flags

    def letters(self, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
        """Alphanumeric characters in each span (``end >= start``)."""
        a = self._alnum
        return a[ends].astype(np.int64) - a[starts]

    def words(self, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
        """``count_words`` of each span's text (``end >= start``)."""
        s, e = starts, ends
        st, f = self._starts, self._flags
        at_s = st[s]
        n = st[e].astype(np.int64) - at_s
        fs = f[s]
        inside_word = ((fs & _WORDCH) > 0) & (st[s + 1] == at_s)  # the span starts inside a word
        apos_joined = (  # ... or at an apostrophe that joined the previous word
            ((fs & _APOS) > 0)
            & (e - s >= 2)
            & ((f[np.minimum(s + 1, len(f) - 1)] & _WORDCH) > 0)
            & ((f[s - 1] & _WORDCH) > 0)
        )
        return n + ((e > s) & (inside_word | apos_joined))


def _sentence_columns(texts: list[str], headlines: list[bool]) -> dict:
    """Sentence columns of ``texts``: ``owner`` (index into ``texts``), ``start``, ``end``,
    ``text``, ``quoted`` (bool), ``speaker``, ``quoted_share``, ``n_words``; offsets are local
    to each text. Same values as the per-sentence definitions (:func:`sentence_spans`,
    :func:`quote_spans`, :func:`sentence_voice`, :func:`count_words`)."""
    starts: list[int] = []
    ends: list[int] = []
    sent_texts: list[str] = []
    n_sent = [0] * len(texts)
    q_starts: list[int] = []
    q_ends: list[int] = []
    q_speakers: list[str | None] = []
    n_pairs = [0] * len(texts)
    for k, (text, headline) in enumerate(zip(texts, headlines, strict=True)):
        s, e, t = _spans_and_texts(text)
        if not s:
            continue
        n_sent[k] = len(s)
        starts += s
        ends += e
        sent_texts += t
        pairs = _quote_pairs(text, headline=headline)
        if pairs:
            n_pairs[k] = len(pairs)
            q_starts += [a for a, _ in pairs]
            q_ends += [b for _, b in pairs]
            q_speakers += _speakers(text, pairs)
    n = len(starts)
    cols = {
        "owner": np.repeat(np.arange(len(texts), dtype=np.int64), n_sent),
        "start": np.array(starts, dtype=np.int64),
        "end": np.array(ends, dtype=np.int64),
        "text": sent_texts,
        "quoted": np.zeros(n, dtype=bool),
        "speaker": [None] * n,
        "quoted_share": np.zeros(n, dtype=np.float64),
        "n_words": np.zeros(n, dtype=np.int64),
    }
    quotes = (
        np.repeat(np.arange(len(texts), dtype=np.int64), n_pairs),
        np.array(q_starts, dtype=np.int64),
        np.array(q_ends, dtype=np.int64),
        q_speakers,
    )
    # chunks of whole texts of about _CHUNK_CHARS characters
    sent_first = np.concatenate(([0], np.cumsum(n_sent)))
    pair_first = np.concatenate(([0], np.cumsum(n_pairs)))
    k0 = 0
    while k0 < len(texts):
        k1, size = k0 + 1, len(texts[k0])
        while k1 < len(texts) and size + len(texts[k1]) < _CHUNK_CHARS:
            size += len(texts[k1]) + 1
            k1 += 1
        if sent_first[k1] > sent_first[k0]:
            _chunk_columns(texts, k0, k1, cols, sent_first, quotes, pair_first)
        k0 = k1
    return cols


def _chunk_columns(texts, k0, k1, cols, sent_first, quotes, pair_first) -> None:
    """Fill ``quoted``, ``quoted_share``, ``speaker`` and ``n_words`` of the sentences of
    ``texts[k0:k1]``."""
    r0, r1 = int(sent_first[k0]), int(sent_first[k1])
    counts = _CharCounts(texts[k0:k1])
    owner = cols["owner"][r0:r1] - k0
    s = cols["start"][r0:r1] + counts.base[owner]
    e = cols["end"][r0:r1] + counts.base[owner]
    total = counts.letters(s, e)
    cols["n_words"][r0:r1] = counts.words(s, e)
    inside = np.zeros(r1 - r0, dtype=np.int64)
    sp = np.full(r1 - r0, -1, dtype=np.int64)
    q_owner, q_starts, q_ends, q_speakers = quotes
    p0, p1 = int(pair_first[k0]), int(pair_first[k1])
    speakers = q_speakers[p0:p1]
    if p1 > p0:
        q_base = counts.base[q_owner[p0:p1] - k0]
        qs = q_starts[p0:p1] + q_base
        qe = q_ends[p0:p1] + q_base
        # letters inside quotations before x: the quotations that end before x plus the part of
        # the last one starting before x (quotations are ordered and never overlap)
        q_letters = counts.letters(qs, qe)
        q_before = np.cumsum(q_letters) - q_letters

        def inside_before(x: np.ndarray) -> np.ndarray:
            k = np.searchsorted(qs, x, side="left") - 1
            kk = np.maximum(k, 0)
            part = q_before[kk] + counts.letters(qs[kk], np.minimum(x, qe[kk]))
            return np.where(k >= 0, part, 0)

        inside = inside_before(e) - inside_before(s)
        # speaker: the first quotation with a speaker that overlaps the sentence
        has = np.fromiter(map(operator.is_not, speakers, repeat(None)), bool, len(speakers))
        has &= qe > qs
        if has.any():
            ws, we = qs[has], qe[has]
            j = np.searchsorted(we, s, side="right")
            jj = np.minimum(j, len(we) - 1)
            sp = np.where((j < len(we)) & (ws[jj] < e), np.flatnonzero(has)[jj], -1)
    # shares: 0.0 without quoted letters, else inside / total rounded with Python's round()
    # like the reference (numpy's rounding differs in the last bit for some values)
    part = np.flatnonzero(inside)
    shares = (inside[part] / total[part]).tolist()
    cols["quoted"][r0 + part] = np.array(shares) >= QUOTED_SHARE
    cols["quoted_share"][r0 + part] = [round(v, 4) for v in shares]
    speaker = cols["speaker"]
    for r in np.flatnonzero(sp >= 0).tolist():
        speaker[r0 + r] = speakers[sp[r]]
    # "according to X" names the speaker of sentences without an attributed quotation
    starts, ends = cols["start"], cols["end"]
    for k in range(k0, k1):
        text = texts[k]
        if "ccording to" not in text:
            continue
        a, b = int(sent_first[k]), int(sent_first[k + 1])
        for m in _ACCORDING_LITERAL_RE.finditer(text):
            r = bisect.bisect_right(starts, m.start(), a, b) - 1
            if r >= a and m.end() <= ends[r] and speaker[r] is None and sp[r - r0] < 0:
                m2 = _ACCORDING_RE.search(text, int(starts[r]), int(ends[r]))
                if m2:
                    speaker[r] = _clean_speaker(m2.group("s"))


_ACCORDING_LITERAL_RE = re.compile("ccording to")


def sentence_records(text: str, part: str = "body", headline: bool = False) -> list[dict]:
    """One dict per sentence: start, end, text, voice, speaker, quoted_share, n_words."""
    cols = _sentence_columns([text], [headline])
    return [
        {
            "part": part,
            "start": s,
            "end": e,
            "text": t,
            "voice": VOICES[q],
            "speaker": sp,
            "quoted_share": sh,
            "n_words": nw,
        }
        for s, e, t, q, sp, sh, nw in zip(
            cols["start"].tolist(),
            cols["end"].tolist(),
            cols["text"],
            cols["quoted"].tolist(),
            cols["speaker"],
            cols["quoted_share"].tolist(),
            cols["n_words"].tolist(),
            strict=True,
        )
    ]


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
    texts: list[str] = []
    is_title: list[bool] = []
    article: list[int] = []
    titles = articles["title"].tolist() if "title" in articles else [""] * len(articles)
    for k, (title, text) in enumerate(zip(titles, articles["text"].tolist(), strict=True)):
        if include_title and isinstance(title, str) and title.strip():
            texts.append(title)
            is_title.append(True)
            article.append(k)
        texts.append(text if isinstance(text, str) else "")
        is_title.append(False)
        article.append(k)
    cols = _sentence_columns(texts, is_title)
    n = len(cols["text"])
    if n == 0:
        df = pd.DataFrame([], columns=list(SENTENCE_COLUMNS))
        return df.astype(dict.fromkeys(["sent_idx", "start", "end", "n_words"], "int64"))
    doc_of = np.asarray(article, dtype=np.int64)[cols["owner"]]
    first = np.flatnonzero(np.concatenate(([True], doc_of[1:] != doc_of[:-1])))
    sent_idx = np.arange(n, dtype=np.int64) - np.repeat(first, np.diff(np.append(first, n)))
    part_of = np.asarray(is_title, dtype=np.int64)[cols["owner"]]  # 1 for title sentences
    voice_of = cols["quoted"].astype(np.int64)
    doc_ids = articles["doc_id"].tolist()
    speakers = cols["speaker"]
    str_dtype = string_dtype()
    if getattr(str_dtype, "storage", None) == "pyarrow":
        # Arrow arrays built directly (repeated values by index): the same column pandas infers
        # from the Python lists, in a quarter of the time (0.14 s -> ~0.04 s on the pool)
        import pyarrow as pa

        def arrow(values, index=None):
            arr = pa.array(values, type=pa.large_string())
            return pd.array(arr if index is None else arr.take(index), dtype=str_dtype)

        part = arrow(["body", "title"], part_of)
        voice = arrow(list(VOICES), voice_of)
        text = arrow(cols["text"])
        if all(isinstance(d, str) for d in doc_ids):
            doc_id = arrow(doc_ids, doc_of)
        else:
            doc_id = [doc_ids[k] for k in doc_of.tolist()]
        if any(map(operator.is_not, speakers, repeat(None))):
            speakers = arrow(speakers)
    else:
        part = np.array(["body", "title"], dtype=object)[part_of].tolist()
        voice = np.array(VOICES, dtype=object)[voice_of].tolist()
        text = cols["text"]
        doc_id = [doc_ids[k] for k in doc_of.tolist()]
    return pd.DataFrame(
        {
            "doc_id": doc_id,
            "sent_idx": sent_idx,
            "part": part,
            "start": cols["start"],
            "end": cols["end"],
            "text": text,
            "voice": voice,
            "speaker": speakers,
            "quoted_share": cols["quoted_share"],
            "n_words": cols["n_words"],
        },
        columns=list(SENTENCE_COLUMNS),
    )
