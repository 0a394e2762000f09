"""Rich output for the CLI. Only presentation lives here."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from typing import Any

from rich.console import Console
from rich.panel import Panel
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from indexer import IndexReport
from indexer.discover import ROOT_DOC
from search.explain import Explanation
from search.facets import Facets
from search.results import Hit, IndexStats, SearchResult

out = Console(highlight=False)
err = Console(stderr=True, highlight=False)
HIGHLIGHT = "bold black on yellow"


def error_line(message: str) -> None:
    err.print(Text(f"error: {message}", style="bold red"), soft_wrap=True)


@contextlib.contextmanager
def index_progress(enabled: bool) -> Iterator[Any]:
    """A progress bar on a terminal; nothing in cron logs or pipes."""
    if not enabled or not err.is_terminal:
        yield None
        return
    progress = Progress(
        TextColumn("indexing"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    )
    task = progress.add_task("posts", total=None)

    def update(done: int, total: int) -> None:
        progress.update(task, completed=done, total=total)

    with progress:
        yield update


def index_report(report: IndexReport, quiet: bool, verbose: bool) -> None:
    """One line per problem, so a cron log can be grepped (a newline in a file name is shown
    as \\n rather than breaking the line)."""

    def line(kind: str, path: str, reason: str, style: str) -> None:
        err.print(Text(_one_line(f"{kind} {path}: {reason}"), style=style), soft_wrap=True)

    if report.rebuilt:
        err.print(Text(_one_line(f"rebuilt the index: {report.rebuilt}"), style="yellow"), soft_wrap=True)
    for path, reason in report.skipped:
        line("skipped", path, reason, "yellow")
    for path, message in report.warnings:
        line("warning", path, message, "yellow")
    if verbose:
        for path, reason in report.drafts:
            line("draft", path, f"{reason} (index it with --drafts)", "dim")
        for path, reason in report.ignored:
            hint = " (index it with --include-root-docs)" if reason == ROOT_DOC else ""
            line("ignored", path, reason + hint, "dim")
    if not quiet:
        out.print(report.summary(), soft_wrap=True)


def _one_line(text: str) -> str:
    return text.replace("\r", "\\r").replace("\n", "\\n")


def highlighted(text: str, spans: list[tuple[int, int]], base: str = "") -> Text:
    t = Text(text, style=base)
    for start, end in spans:
        t.stylize(HIGHLIGHT, start, end)
    return t


def results(result: SearchResult, offset: int = 0) -> None:
    if not result.hits:
        out.print("no posts found" if result.total == 0 else f"{result.total} found; none on this page")
        return
    first, last = offset + 1, offset + len(result.hits)
    head = f"{result.total} {'post' if result.total == 1 else 'posts'} found, showing {first}–{last}"
    if result.partial:
        head += " (partial matches: no post contains every word)"
    out.print(Text(head, style="bold"))
    for hit in result.hits:
        meta = Text()
        if hit.date:
            meta.append(hit.date.strftime("%Y-%m-%d"), style="cyan")
            meta.append("  ")
        if hit.tags:
            meta.append(" ".join(f"#{t}" for t in hit.tags), style="magenta")
            meta.append("  ")
        meta.append(hit.path, style="dim")
        body = Text.assemble(
            meta, "\n", highlighted(hit.snippet, hit.highlights, "cyan" if hit.snippet_in_code else "")
        )
        title = highlighted(hit.title or hit.path, hit.title_highlights, base="bold")
        out.print(Panel(body, title=title, title_align="left", expand=True))


def facets(found: Facets, top: int = 10) -> None:
    """The most common tags, categories and years of the matches, side by side."""
    columns = [
        [f"{name} {n}" for name, n in found.tags.items()],
        [f"{name} {n}" for name, n in found.categories.items()],
        [f"{year} {n}" for year, n in found.years.items()],
    ]
    if not any(columns):
        return
    table = Table("tags", "categories", "years", title="facets (all matches)", title_justify="left")
    for col in columns:
        if len(col) > top:
            col[top - 1 :] = [f"… {len(col) - top + 1} more"]
    for row in range(max(len(c) for c in columns)):
        table.add_row(*(c[row] if row < len(c) else "" for c in columns))
    out.print(table)


def related(path: str, hits: list[Hit]) -> None:
    if not hits:
        out.print(f"no related posts for {path}")
        return
    table = Table("score", "date", "post", title=f"related to {path}", title_justify="left")
    for hit in hits:
        post = Text.assemble(
            (hit.title or hit.path, "bold"), "  ", (" ".join(f"#{t}" for t in hit.tags), "magenta")
        )
        post.append(f"\n{hit.path}", style="dim")
        table.add_row(f"{hit.score:.1f}", hit.date.strftime("%Y-%m-%d") if hit.date else "", post)
    out.print(table)


def tag_table(counts: dict[str, int]) -> None:
    if not counts:
        out.print("no tags")
        return
    table = Table("tag", "posts")
    for tag, n in counts.items():
        table.add_row(tag, str(n))
    out.print(table)


def stats_dict(stats: IndexStats) -> dict[str, Any]:
    return {
        "posts": stats.posts,
        "size_bytes": stats.size_bytes,
        "first_date": stats.first_date.isoformat() if stats.first_date else None,
        "last_date": stats.last_date.isoformat() if stats.last_date else None,
        "analyzer": stats.analyzer,
        "timezone": stats.timezone,
        "location": stats.location,
        "sources": stats.sources,
        "updated": stats.updated,
    }


def stats_table(stats: IndexStats) -> None:
    table = Table(show_header=False)
    table.add_row("posts", str(stats.posts))
    table.add_row("size on disk", f"{stats.size_bytes / 1_048_576:.1f} MiB")
    dates = "—"
    if stats.first_date and stats.last_date:
        dates = f"{stats.first_date:%Y-%m-%d} … {stats.last_date:%Y-%m-%d}"
    table.add_row("dates", dates)
    table.add_row("analyzer", ", ".join(f"{k}={v}" for k, v in stats.analyzer.items()))
    table.add_row("time zone", stats.timezone)
    table.add_row("location", stats.location)
    table.add_row("sources", ", ".join(stats.sources) or "—")
    table.add_row("updated", stats.updated or "—")
    out.print(table)


def is_terminal() -> bool:
    return sys.stdout.isatty()


def explanation(exp: Explanation) -> None:
    out.print(Text(f"query: {exp.query}", style="bold"))
    out.print(f"plan: {exp.plan}; {exp.total} posts match")
    for note in exp.notes:
        out.print(Text(note, style="yellow"))
    active = {k: v for k, v in exp.filters.items() if v}
    if active:
        out.print(f"filters from the query: {active}")
    table = Table(title="analysis (words are looked up in their normalised form)", title_justify="left")
    for column in ("clause", "surface", "normalised", "reading", "kind", "parts / alias", "looked up as"):
        table.add_column(column)
    for clause in exp.clauses:
        label = ("-" if clause.negated else "") + (f'"{clause.text}"' if clause.phrase else clause.text)
        if clause.field:
            label = f"{clause.field}:{label}"
        for i, tok in enumerate(clause.tokens or []):
            extra = " ".join(tok.parts) + (f" ({tok.alias})" if tok.alias else "")
            lookups = "\n".join(f"{f}: {t}" for f, t in tok.fields.items() if not f.endswith("_w"))
            table.add_row(
                label if i == 0 else "",
                tok.surface,
                tok.term,
                tok.reading,
                tok.kind,
                extra,
                lookups or ("(not searched)" if tok.kind != "content" else ""),
            )
    out.print(table)
    if exp.post is None:
        return
    post = exp.post
    if post.matched:
        where = f"rank {post.rank}" if post.rank else "beyond the first 1000"
        out.print(Text(f"{post.path}: matches, {where}, score {post.score:.3f}", style="bold green"))
    else:
        out.print(Text(f"{post.path}: does not match", style="bold red"))
    if post.filtered_out:
        out.print(Text("  excluded by a tag/category/author/date filter", style="red"))
    for word in post.excluded_by:
        out.print(Text(f"  excluded because it contains -{word}", style="red"))
    for word in post.missing:
        out.print(
            Text(f"  {word}: not found in any field, as a word, part, substring or reading", style="red")
        )
    if post.ways:
        ways = Table(title="how each word matched this post (best way per word counts)", title_justify="left")
        for column in ("word", "how", "field", "term", "score"):
            ways.add_column(column)
        for way in post.ways:
            ways.add_row(way.word, way.how, way.field, way.term, f"{way.score:.3f}")
        out.print(ways)
