"""Exceptions a user can cause, each carrying a message fit for one line of output.

The CLI prints ``str(error)`` in red and exits with ``error.exit_code``; library users
catch :class:`SearchError`. Anything else escaping is a bug, not a user mistake.
"""

from __future__ import annotations


class SearchError(Exception):
    """Base class: a problem the user can fix, with a one-line explanation."""

    exit_code = 1


class IndexNotFoundError(SearchError):
    """There is no index at the given location yet."""


class IndexFormatError(SearchError):
    """The directory exists but is not an index this program can read."""


class AnalyzerMismatchError(SearchError):
    """The index was built by a different analyzer or schema; its terms would not match ours."""


class InvalidDateError(SearchError):
    """A date given by the user (option, query syntax) could not be understood."""


class DateOutOfRangeError(InvalidDateError):
    """A date outside the range the index can hold (a post's date, or one typed by a user)."""


class QuerySyntaxError(SearchError):
    """The query text or options cannot be turned into a search."""


class PostNotFoundError(SearchError):
    """A post named by the user (explain --post) is not in the index."""


class IndexLockedError(SearchError):
    """Another indexing run holds the index; ours gave up waiting."""

    exit_code = 3


class IndexWriteError(SearchError):
    """Writing the index failed (disk full, read-only directory); the previous commit is intact."""

    exit_code = 4


class SettingError(SearchError):
    """A setting cannot be used: a permalink pattern with an unknown part, a base URL or a
    CORS origin that is not an http(s) address, a port already in use (``search serve``)."""
