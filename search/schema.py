"""The index schema: which fields a post becomes, and how tantivy must tokenize them.

Every analysed field holds whitespace-joined terms made by :mod:`search.analysis`, so the
only tantivy tokenizer needed is a whitespace splitter (registered under ``TERMS``).

=============  =====================================================  =========================
field          holds                                                  used for
=============  =====================================================  =========================
path           post identity: path relative to the archive root      delete/update, display
pid            64-bit hash of path (fast)                            incremental re-index
chash          64-bit hash of the file bytes (fast)                  change and rename detection
mtime, size    file stat (fast)                                      skipping unchanged files
title          original title (stored)                               display, snippets
excerpt        excerpt / description (stored)                        display
body           readable text of the Markdown body (stored)           snippets
code           the post's code blocks (stored)                       snippets of code-only matches
date           publication instant (fast, indexed)                   filters, sort
date_text      the date as ISO 8601 in the post's own offset         display
tag/category   display forms (stored, fast)                          display, tag counts
tag_key, ...   folded keys (raw)                                     filters
author(_key)   author display name / folded key                      display / filter
title_w ...    word terms (Sudachi, normalised)                      ranked word matches
title_g ...    folded character bigrams with positions               exact substring matches
uni            folded single characters                              one-character queries
alt            compound parts (関西 国際 空港; vim 9 of vim9)           partial-word matches
alias          Sudachi's form of a Latin word (アマゾン for Amazon)      katakana queries for English
syn            Sudachi synonym group ids of the words (s14881)       synonyms (パソコン ↔ PC)
reading        bigrams of Sudachi's katakana readings                kana queries for kanji
title_reading  the same, of the title alone                          kana queries in title:
code_w         words of code blocks                                  low-weight matches
tags_w         words of tags                                         ranked tag matches
draft          true for drafts indexed with --drafts                 excluded from related posts
bag            the post's terms with counts, per field (stored)      related posts
=============  =====================================================  =========================
"""

from __future__ import annotations

import tantivy

SCHEMA_VERSION = 5  # 5: draft flag, term bag for related posts
TERMS = "terms"
STORED_ONLY = "stored_only"

# Analysed fields, grouped by the source text they come from.
WORD_FIELDS = ("title_w", "excerpt_w", "body_w", "tags_w", "code_w")
GRAM_FIELDS = ("title_g", "body_g")


def build_schema() -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("path", stored=True, tokenizer_name="raw")
    # i64, not u64: tantivy-py's delete_documents_by_term silently deletes nothing on u64 fields.
    sb.add_integer_field("pid", stored=False, indexed=True, fast=True)
    sb.add_integer_field("chash", stored=False, indexed=False, fast=True)
    sb.add_integer_field("mtime", stored=False, indexed=False, fast=True)
    sb.add_unsigned_field("size", stored=False, indexed=False, fast=True)

    sb.add_text_field("title", stored=True, tokenizer_name=STORED_ONLY)
    sb.add_text_field("excerpt", stored=True, tokenizer_name=STORED_ONLY)
    sb.add_text_field("body", stored=True, tokenizer_name=STORED_ONLY)
    sb.add_text_field("code", stored=True, tokenizer_name=STORED_ONLY)
    sb.add_date_field("date", stored=False, indexed=True, fast=True)
    sb.add_text_field("date_text", stored=True, tokenizer_name=STORED_ONLY)
    sb.add_text_field("tag", stored=True, fast=True, tokenizer_name="raw")
    sb.add_text_field("tag_key", stored=False, tokenizer_name="raw", index_option="basic")
    sb.add_text_field("category", stored=True, fast=True, tokenizer_name="raw")
    sb.add_text_field("category_key", stored=False, tokenizer_name="raw", index_option="basic")
    sb.add_text_field("author", stored=True, tokenizer_name=STORED_ONLY)
    sb.add_text_field("author_key", stored=False, tokenizer_name="raw", index_option="basic")
    sb.add_boolean_field("draft", stored=True, indexed=True, fast=False)
    sb.add_text_field("bag", stored=True, tokenizer_name=STORED_ONLY)

    for name in ("title_w", "excerpt_w", "body_w", "tags_w", "title_g", "body_g", "reading", "title_reading"):
        sb.add_text_field(name, stored=False, tokenizer_name=TERMS, index_option="position")
    for name in ("uni", "alt", "alias", "syn", "code_w"):
        sb.add_text_field(name, stored=False, tokenizer_name=TERMS, index_option="freq")
    return sb.build()


def register_tokenizers(index: tantivy.Index) -> None:
    """Must run after every ``Index.open``: tantivy does not persist custom tokenizers."""
    analyzer = (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace())
        .filter(tantivy.Filter.remove_long(255))
        .build()
    )
    index.register_tokenizer(TERMS, analyzer)
    # tantivy-py always indexes text fields; a tokenizer that yields no token makes a
    # field stored-only (the regex matches nothing).
    index.register_tokenizer(
        STORED_ONLY, tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.regex(r"[^\s\S]")).build()
    )
