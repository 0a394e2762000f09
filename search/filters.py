"""Filters: restrictions on tags, categories, author and date that never affect the score.

Several tags (or categories, or authors) narrow the result: a post must carry all of them,
in line with several words meaning all of them. Names compare folded, so ``--tag ai``
finds posts tagged ``AI`` or ``ＡＩ``. Date bounds are inclusive: ``until`` a day includes
that whole day in the index's time zone.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, tzinfo

import tantivy
from tantivy import Query

from search.dates import parse_bound
from search.errors import InvalidDateError
from search.normalize import fold_key


@dataclass
class Filters:
    tags: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)
    since: datetime | None = None
    until: datetime | None = None  # exclusive

    @classmethod
    def from_user(
        cls,
        tz: tzinfo,
        *,
        tags: Iterable[str] = (),
        categories: Iterable[str] = (),
        authors: Iterable[str] = (),
        since: object = None,
        until: object = None,
    ) -> Filters:
        lo = parse_bound(since, tz) if since not in (None, "") else None
        hi = parse_bound(until, tz, upper=True) if until not in (None, "") else None
        if lo is not None and hi is not None and lo >= hi:
            raise InvalidDateError(f"since ({since}) is after until ({until}): no post can match")
        return cls(
            tags=[t for t in tags if t and t.strip()],
            categories=[c for c in categories if c and c.strip()],
            authors=[a for a in authors if a and a.strip()],
            since=lo,
            until=hi,
        )

    def queries(self, schema: tantivy.Schema) -> list[Query]:
        out = [Query.term_query(schema, "tag_key", fold_key(t)) for t in self.tags]
        out += [Query.term_query(schema, "category_key", fold_key(c)) for c in self.categories]
        out += [Query.term_query(schema, "author_key", fold_key(a)) for a in self.authors]
        if self.since is not None or self.until is not None:
            out.append(
                Query.range_query(
                    schema,
                    "date",
                    tantivy.FieldType.Date,
                    self.since,
                    self.until,
                    include_upper=self.until is None,
                )
            )
        return out
