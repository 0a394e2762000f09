"""Whatever a reader types, a search returns or says why not, quickly.

2,000 generated queries (random Unicode with control characters, NUL, direction marks,
emoji and combining marks; operators in odd places; very long and very many words) go
through ``Index.search`` and ``Index.explain`` on a real index. Each must return a result
or raise a :class:`search.SearchError` (which the CLI and the web API show as one line),
within a time bound: behind a web form, a query that takes seconds is a denial of service.
"""

from __future__ import annotations

import random
import time

import pytest

from search import Index, SearchError
from search.query import MAX_QUERY_CHARS

QUERIES = 2_000
SEED = 20261202
# Far above the slowest capped query measured (~0.15 s on the 2,112-post real blog), far
# below the 10-15 s that uncapped 80k-character queries took: catches a lost cap, not noise.
BOUND_SECONDS = 2.0

WORDS = [
    "京都", "AI", "チップ", "投資", "の", "は", "です", "サーバ", "Vim9", "v1.2.3", "ｱﾏｿﾞﾝ", "㍻", "あゞ",
    "はんどうたい", "日本で一番高い山はどこですか", "golang.org/x/crypto", "🍣", "a", "1", "2020-01-01",
    "ー", "々", "〆", "ｶﾞ", "①", "C++", "-", "OR", "|",
]  # fmt: skip
ODD = ["「", "」", '"', "'", "“", "『", "-", "+", ":", "|", "*", "(", ")", "\\", "/", "~", "^", "tag:", "OR"]
MARKS = ["\u200f", "\u202e", "\u200e", "\u2066", "\ufeff", "\u200b", "\u00ad", "\x00", "\x1b", "\r", "\t"]
# A lone surrogate is what Python makes of a command-line argument in another encoding.
MARKS += ["\udcff", "\ud800"]
FIXED = [
    "", " ", "OR", "OR OR", "- OR -", "-", "--", "tag:", "title:", "since:", "until:2020-13-45",
    "since:yesterday", "since:1600-01-01", "until:9999-12-31", "京都 since:0001-01-01 until:2300-01-01", '"', "「", "」", '""', "「」", '-""', 'tag:""', "*", ":", "::", "\x00",
    "a" * (MAX_QUERY_CHARS + 1), "あ" * 100_000, "京都 " * 400,
]  # fmt: skip


def _char(rng: random.Random) -> str:
    r = rng.random()
    if r < 0.25:
        return chr(rng.randrange(0x20, 0x7F))
    if r < 0.45:
        return chr(rng.randrange(0x3040, 0x3100))
    if r < 0.55:
        return chr(rng.randrange(0x4E00, 0xA000))
    if r < 0.62:
        return rng.choice(MARKS)
    if r < 0.70:
        return chr(rng.randrange(0x1F300, 0x1FB00))
    if r < 0.76:
        return chr(rng.randrange(0x300, 0x370))  # combining marks
    if r < 0.82:
        return rng.choice(ODD)
    if r < 0.92:
        return chr(rng.randrange(0x20, 0x110000))  # surrogates included
    return " "


def _query(rng: random.Random) -> str:
    kind = rng.randrange(10)
    words = lambda n: [rng.choice(WORDS) for _ in range(n)]  # noqa: E731
    if kind == 0:
        return "".join(_char(rng) for _ in range(rng.randrange(1, 40)))
    if kind == 1:
        return " ".join(words(rng.randrange(1, 8)))
    if kind == 2:
        return " ".join(
            rng.choice([*ODD, "", "-", "title:"]) + w + rng.choice(["", '"', "」"]) for w in words(5)
        )
    if kind == 3:
        return " ".join(words(rng.randrange(20, 200)))  # many words: at or over the cap
    if kind == 4:
        return "".join(_char(rng) for _ in range(rng.randrange(200, 1_200)))  # long: at or over the cap
    if kind == 5:
        return " OR ".join(words(rng.randrange(2, 120)))
    if kind == 6:
        return "".join(words(rng.randrange(2, 60)))  # typed together
    if kind == 7:
        return " ".join("-" + w for w in words(rng.randrange(1, 40)))
    if kind == 8:
        return '"' + " ".join(words(rng.randrange(1, 80))) + rng.choice(['"', ""])
    return rng.choice(WORDS) + "".join(_char(rng) for _ in range(3)) + rng.choice(["？", "?", ""])


def test_generated_queries_return_or_explain_within_a_bound(sample_index: Index) -> None:
    rng = random.Random(SEED)
    queries = FIXED + [_query(rng) for _ in range(QUERIES)]
    outcomes = {"results": 0, "errors": 0}
    slow: list[tuple[float, str, str]] = []
    for query in queries:
        for call in ("search", "explain"):
            started = time.perf_counter()
            try:
                answer = getattr(sample_index, call)(query)
            except SearchError as exc:
                message = str(exc)
                assert message and "\n" not in message and "Traceback" not in message, repr(message)
                outcomes["errors"] += 1
            else:
                outcomes["results"] += 1
                for hit in getattr(answer, "hits", []):
                    assert all(0 <= s < e <= len(hit.snippet) for s, e in hit.highlights), (query, hit.path)
                    assert all(0 <= s < e <= len(hit.title) for s, e in hit.title_highlights), (
                        query,
                        hit.path,
                    )
            elapsed = time.perf_counter() - started
            if elapsed > BOUND_SECONDS:
                slow.append((elapsed, call, query[:60]))
    assert not slow, f"{len(slow)} queries over {BOUND_SECONDS} s, e.g. {slow[:3]}"
    # Both outcomes must occur, or the generator stopped exploring.
    assert outcomes["results"] > QUERIES // 2 and outcomes["errors"] > 50, outcomes


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("a" * (MAX_QUERY_CHARS + 1), "query too long: 1,001 characters"),
        ("京都 " * 101, "query too long: 101 words"),
    ],
)
def test_caps_are_one_line_errors(sample_index: Index, query: str, message: str) -> None:
    with pytest.raises(SearchError, match=message):
        sample_index.search(query)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"query": "京都\udcff"}, "query is not valid text"),
        ({"query": 5}, "query must be text, not int"),
        ({"query": "京都", "tags": 5}, "tag must be a name or a list of names, not int"),
        ({"query": "京都", "tags": b"AI"}, "not bytes"),
        ({"query": "京都", "tags": ["AI", 3]}, "tag must be text, not int"),
        ({"query": "京都", "categories": ["\ud800"]}, "category is not valid text"),
    ],
)
def test_arguments_a_library_caller_gets_wrong_are_search_errors(
    sample_index: Index, kwargs: dict, message: str
) -> None:
    with pytest.raises(SearchError, match=message):
        sample_index.search(**kwargs)


def test_date_bounds_beyond_what_the_index_holds_mean_no_bound(sample_index: Index) -> None:
    everything = sample_index.search("", sort="date", limit=1_000).total
    assert sample_index.search(
        "", since="1600-01-01", until="9999-12-31", sort="date", limit=1_000
    ).total == (sample_index.search("", since="1700-01-01", sort="date", limit=1_000).total)
    assert 0 < sample_index.search("", since="0001-01-01", sort="date", limit=1_000).total <= everything
    assert sample_index.search("", since="2300-01-01", sort="date").total == 0


def test_invisible_format_characters_in_a_query_change_nothing(sample_index: Index) -> None:
    plain = sample_index.search("京都", snippets=False)
    wrapped = sample_index.search("\u202e京都\u202c", snippets=False)  # pasted with bidi marks
    assert [h.path for h in wrapped.hits] == [h.path for h in plain.hits] and not wrapped.partial
    assert [h.path for h in sample_index.search("京\u200b都", snippets=False).hits] == [
        h.path for h in plain.hits
    ]
    with pytest.raises(SearchError, match="empty query"):
        sample_index.search("\u200f\u200b")  # no words at all: not a list of every post
