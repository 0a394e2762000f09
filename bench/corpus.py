"""Synthetic-but-real blog archives for the speed benchmark (issue #5).

    python -m bench.corpus 10k /tmp/bench-corpus/10k
    python -m bench.corpus 1000 /tmp/bench-corpus/1k --seed 7

Posts are Markdown files with front matter (YAML ``---``, about 15% TOML ``+++``) whose
bodies are made of the real Japanese paragraphs in ``../shared/data`` (JaQuAD train and
JSQuAD test): each post takes paragraphs of one or two articles, shuffles or drops some of
their sentences and borrows sentences from other paragraphs, so that 100k posts made of
about 11k paragraphs are not copies of each other. Bodies are 1–10 KB (log-normal, median
about 3 KB) with headings, the odd list, link and code block; dates spread over 2008–2025;
each post has 3–6 tags from a vocabulary with a Zipf-like distribution, a category and an
author. The output depends only on the size and the seed.

Nothing outside the repository and ``../shared/data`` is needed. A ``corpus.json`` manifest
is written beside the posts (size, seed, bytes, the vocabulary) for the benchmark to reuse.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import re
import shutil
import sys
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

# ../shared/data beside the repository; BENCH_DATA_DIR overrides it (a snapshot of the repo
# elsewhere, e.g. under /tmp, still reads the shared data).
DATA_DIR = Path(os.environ.get("BENCH_DATA_DIR") or Path(__file__).resolve().parents[2] / "shared" / "data")
COLLECTIONS = ("jaquad-train", "jsquad-test")
MANIFEST = "corpus.json"
CORPUS_VERSION = 1

GENERIC_TAGS = [
    "技術", "日記", "旅行", "料理", "読書", "映画", "音楽", "歴史", "科学", "スポーツ",
    "写真", "仕事", "育児", "健康", "経済", "政治", "教育", "言語", "文化", "芸術",
    "Python", "Linux", "AI", "Rust", "Go", "JavaScript", "Docker", "データベース", "セキュリティ", "クラウド",
    "ゲーム", "アニメ", "漫画", "鉄道", "自転車", "登山", "カメラ", "ガジェット", "京都", "東京",
    "北海道", "沖縄", "海外", "英語", "数学", "物理", "生物", "宇宙", "建築", "デザイン",
]  # fmt: skip
CATEGORIES = ["技術", "暮らし", "趣味", "学び", "旅", "レビュー", "雑記", "ニュース"]
AUTHORS = ["山田花子", "佐藤太郎", "Suzuki Ichiro", "田中美咲", "kenji", "高橋 翔", "伊藤さくら", "admin"]
TITLE_PATTERNS = [
    "{t}について",
    "{t}の話",
    "{t}を調べてみた",
    "{t}のメモ",
    "{t}",
    "{t}と{u}",
    "{t}についての覚え書き ({n})",
    "今日の{t}",
    "{t}を読む",
    "改めて{t}",
]
CODE_SNIPPETS = [
    ("python", "import json\n\nwith open('data.json') as fh:\n    data = json.load(fh)\nprint(len(data))"),
    ("sh", "sudo apt-get update\nsudo apt-get install -y sqlite3\nsqlite3 --version"),
    ("go", 'package main\n\nimport "fmt"\n\nfunc main() {\n\tfmt.Println("hello")\n}'),
    ("rust", 'fn main() {\n    let v: Vec<u32> = (1..=10).collect();\n    println!("{:?}", v);\n}'),
    ("yaml", "services:\n  web:\n    image: nginx:1.25\n    ports:\n      - '8080:80'"),
    ("javascript", "const res = await fetch('/api/posts');\nconst posts = await res.json();\nconsole.log(posts.length);"),
]  # fmt: skip
SENTENCE_END = re.compile(r"(?<=[。！？!?])")
SIZES = {"1k": 1_000, "10k": 10_000, "100k": 100_000}


def parse_size(text: str) -> int:
    """``1k`` / ``10k`` / ``100k`` or a plain number of posts."""
    text = text.strip().lower()
    if text in SIZES:
        return SIZES[text]
    if text.endswith("k"):
        return int(float(text[:-1]) * 1000)
    return int(text)


@dataclass
class Article:
    title: str
    paragraphs: list[list[str]]  # sentences of each paragraph


def load_articles(data_dir: Path = DATA_DIR) -> list[Article]:
    """Paragraphs grouped by article (ids ``tr-000-05``: article ``tr-000``), in file order."""
    articles: dict[str, Article] = {}
    for name in COLLECTIONS:
        path = data_dir / name / "docs.jsonl"
        with path.open(encoding="utf-8") as fh:
            for line in fh:
                if not line.strip():
                    continue
                doc = json.loads(line)
                key = f"{name}:{doc['id'].rsplit('-', 1)[0]}"
                sentences = [
                    s.strip() for s in SENTENCE_END.split(doc["text"].replace("\n", "")) if s.strip()
                ]
                if not sentences:
                    continue
                articles.setdefault(key, Article(doc["title"], [])).paragraphs.append(sentences)
    return list(articles.values())


def tag_vocabulary(articles: list[Article], size: int = 150) -> list[str]:
    """Generic blog tags first, then article titles (the most paragraphs first): a vocabulary
    whose head is common and whose tail is rare once weighted by rank."""
    titles = sorted(articles, key=lambda a: (-len(a.paragraphs), a.title))
    vocab = list(GENERIC_TAGS)
    seen = set(vocab)
    for a in titles:
        if len(vocab) >= size:
            break
        if a.title not in seen and len(a.title) <= 12:
            vocab.append(a.title)
            seen.add(a.title)
    return vocab


class Builder:
    def __init__(self, articles: list[Article], seed: int) -> None:
        self.articles = articles
        self.rng = random.Random(seed)
        self.all_paragraphs = [p for a in articles for p in a.paragraphs]
        self.tags = tag_vocabulary(articles)
        self.tag_weights = [1.0 / (rank + 1) ** 0.9 for rank in range(len(self.tags))]
        self.start = datetime(2008, 1, 1, tzinfo=timezone(timedelta(hours=9)))
        self.span_seconds = int(
            (datetime(2025, 12, 31, tzinfo=self.start.tzinfo) - self.start).total_seconds()
        )

    def target_bytes(self) -> int:
        return int(min(10_000, max(1_000, math.exp(self.rng.gauss(math.log(3_000), 0.6)))))

    def vary(self, sentences: list[str]) -> list[str]:
        rng = self.rng
        out = list(sentences)
        if len(out) > 2 and rng.random() < 0.5:
            rng.shuffle(out)
        if len(out) > 2 and rng.random() < 0.3:
            out.pop(rng.randrange(len(out)))
        if rng.random() < 0.4:
            other = rng.choice(self.all_paragraphs)
            out.insert(rng.randrange(len(out) + 1), rng.choice(other))
        return out

    def body(self, main: Article, second: Article, target: int) -> str:
        rng = self.rng
        blocks: list[str] = []
        size = 0
        sources = [main, second]
        start = rng.randrange(len(main.paragraphs))
        i = 0
        while size < target:
            article = sources[0] if i < 3 or rng.random() < 0.7 else sources[1]
            para = article.paragraphs[(start + i) % len(article.paragraphs)]
            if rng.random() < 0.5 and i > 0 and len(para) > 1:
                para = rng.choice(self.all_paragraphs)  # any other paragraph: combinations vary
            sentences = self.vary(para)
            if i > 0 and rng.random() < 0.25:
                blocks.append(f"## {rng.choice(sources).title}")
            r = rng.random()
            if r < 0.08 and len(sentences) >= 3:
                blocks.append("\n".join(f"- {s}" for s in sentences[:5]))
                sentences = sentences[5:]
            elif r < 0.12:
                lang, code = rng.choice(CODE_SNIPPETS)
                blocks.append(f"```{lang}\n{code}\n```")
            if sentences:
                text = "".join(sentences)
                if rng.random() < 0.1:
                    text += (
                        f"詳しくは[{article.title}](https://example.com/wiki/{rng.randrange(10**6)})を参照。"
                    )
                blocks.append(text)
            size += sum(len(b.encode("utf-8")) + 2 for b in blocks[-2:])
            i += 1
        text = "\n\n".join(blocks)
        encoded = text.encode("utf-8")
        if len(encoded) > 10_000:  # cut at the last sentence end before 10 KB
            cut = encoded[:10_000].decode("utf-8", errors="ignore")
            end = max(cut.rfind("。"), cut.rfind("\n"))
            text = cut[: end + 1] if end > 0 else cut
        return text

    def post(self, n: int) -> tuple[str, str]:
        rng = self.rng
        main = rng.choice(self.articles)
        second = rng.choice(self.articles)
        title = rng.choice(TITLE_PATTERNS).format(t=main.title, u=second.title, n=rng.randrange(1, 20))
        when = self.start + timedelta(seconds=rng.randrange(self.span_seconds))
        k = rng.randint(3, 6)
        tags: list[str] = []
        if main.title in self.tags:
            tags.append(main.title)
        while len(tags) < k:
            t = rng.choices(self.tags, self.tag_weights)[0]
            if t not in tags:
                tags.append(t)
        category = rng.choice(CATEGORIES)
        author = rng.choice(AUTHORS)
        body = self.body(main, second, self.target_bytes())
        title_s = json.dumps(title, ensure_ascii=False)
        tags_s = json.dumps(tags, ensure_ascii=False)
        cat_s = json.dumps([category], ensure_ascii=False)
        author_s = json.dumps(author, ensure_ascii=False)
        if rng.random() < 0.15:
            front = (
                f"+++\ntitle = {title_s}\ndate = {when.isoformat()}\ntags = {tags_s}\n"
                f"categories = {cat_s}\nauthor = {author_s}\n+++\n"
            )
        else:
            date = when.strftime("%Y-%m-%d %H:%M") if rng.random() < 0.5 else when.isoformat()
            front = (
                f"---\ntitle: {title_s}\ndate: {date}\ntags: {tags_s}\n"
                f"categories: {cat_s}\nauthor: {author_s}\n---\n"
            )
        rel = f"posts/{when.year}/{when.month:02d}/post-{n:06d}.md"
        return rel, f"{front}\n{body}\n"


def build(size: int, out: Path, seed: int = 5, data_dir: Path = DATA_DIR) -> dict:
    """Write ``size`` posts under ``out`` (emptied first) and return the manifest."""
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    articles = load_articles(data_dir)
    builder = Builder(articles, seed)
    total = 0
    made_dirs: set[Path] = set()
    for n in range(size):
        rel, text = builder.post(n)
        path = out / rel
        if path.parent not in made_dirs:
            path.parent.mkdir(parents=True, exist_ok=True)
            made_dirs.add(path.parent)
        data = text.encode("utf-8")
        path.write_bytes(data)
        total += len(data)
    manifest = {
        "version": CORPUS_VERSION,
        "posts": size,
        "seed": seed,
        "bytes": total,
        "tags": builder.tags,
        "paragraphs": len(builder.all_paragraphs),
        "articles": len(articles),
        "modified": False,
    }
    (out / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    return manifest


def ensure(size: int, out: Path, seed: int = 5) -> dict:
    """Reuse the archive at ``out`` if it was built with this size and seed and not modified."""
    try:
        manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
        if (
            manifest.get("version") == CORPUS_VERSION
            and manifest.get("posts") == size
            and manifest.get("seed") == seed
            and not manifest.get("modified")
        ):
            return manifest
    except (OSError, ValueError):
        pass
    return build(size, out, seed)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("size", help="1k, 10k, 100k or a number of posts")
    parser.add_argument(
        "out", type=Path, help="folder to write (emptied first); use /tmp, not the repository"
    )
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args(argv)
    manifest = build(parse_size(args.size), args.out, args.seed)
    print(
        f"{manifest['posts']} posts, {manifest['bytes'] / 1e6:.1f} MB, "
        f"from {manifest['paragraphs']} paragraphs of {manifest['articles']} articles -> {args.out}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
