"""Markdown to readable text: markup, URLs, shortcodes out; prose, links' text, cells in."""

from __future__ import annotations

from indexer.plaintext import markdown_to_text


def test_keeps_readable_text_and_drops_markup() -> None:
    md = (
        "# 見出し {#anchor}\n\n"
        "[リンクの文字](https://example.com/a) と ![写真の説明](/img/a.png)、"
        "生のURL https://example.com/raw も。\n\n"
        "| 列 | 値 |\n|---|---|\n| セル甲 | セル乙 |\n\n"
        "- 項目いち\n- 項目に\n\n"
        '<div class="note">注意<b>書き</b></div>\n'
    )
    text = markdown_to_text(md).text
    for kept in ("見出し", "リンクの文字", "写真の説明", "セル甲", "セル乙", "項目いち", "注意", "書き"):
        assert kept in text
    for dropped in ("http", "example.com", "{#anchor}", "<div", "class", "|", "](", "#"):
        assert dropped not in text


def test_code_blocks_are_separate_from_prose() -> None:
    md = '本文です。\n\n```go\nfmt.Println("コード内")\n```\n\n    indented_code()\n\n続き `inline` です。'
    plain = markdown_to_text(md)
    assert "コード内" not in plain.text and "indented_code" not in plain.text
    assert "コード内" in plain.code and "indented_code" in plain.code
    assert "inline" in plain.text


def test_shortcodes_and_liquid_are_removed_but_their_content_kept() -> None:
    md = (
        '{{< figure src="/a.jpg" caption="キャプション" >}}\n\n'
        "{{% quote %}}引用された文章{{% /quote %}}\n\n"
        "{% include note.html %}\n\n"
        "{{< highlight go >}}\nfunc main() {}\n{{< /highlight >}}\n\n"
        "{% highlight ruby %}\nputs 1\n{% endhighlight %}\n\n"
        '[参照]({{< relref "#pd" >}}) と {{ site.title }} の後。'
    )
    plain = markdown_to_text(md)
    assert "引用された文章" in plain.text and "参照" in plain.text and "の後" in plain.text
    for gone in ("{{", "}}", "{%", "figure", "include", "relref", "site.title", "func main", "puts"):
        assert gone not in plain.text
    assert "func main" in plain.code and "puts 1" in plain.code


def test_shortcode_syntax_inside_fenced_code_is_code() -> None:
    plain = markdown_to_text("```\n{{ .Title }}\n```\n本文")
    assert "{{ .Title }}" in plain.code
    assert plain.text == "本文"


def test_wrapped_japanese_lines_join_without_space() -> None:
    text = markdown_to_text("関西国際\n空港に着いた。\nThis is\nEnglish.").text
    assert "関西国際空港に着いた。" in text
    assert "This is English." in text


# -- Markdown syntax never reaches the readable text (snippets show it) ---------------------


def test_footnote_markers_are_dropped_and_footnote_text_kept() -> None:
    md = "坂の上の店は閉まっていた[^closed]。翌日また行った[^2]。\n\n[^closed]: 定休日は水曜だった。\n[^2]: 二度目は開いていた。\n"
    text = markdown_to_text(md).text
    assert "坂の上の店は閉まっていた。翌日また行った。" in text
    assert "定休日は水曜だった。" in text and "二度目は開いていた。" in text
    assert "[^" not in text and "]:" not in text


def test_links_whose_target_is_a_shortcode_keep_only_their_text() -> None:
    md = (
        '詳しくは[前に書いた記事]({{< ref "/posts/old-post.md" >}} "古い記事の題") を参照。\n\n'
        '[同じ節]({{< relref "#setup" >}})と[一覧]({{< rlnk "/remark/" >}})も。\n\n'
        "Jekyll では[前回]({{ site.baseurl }}{% post_url 2020-01-05-first %})のように書く。\n\n"
        '参照形式の[脚注リンク][old]。\n\n[old]: {{< ref "old.md" >}}\n'
    )
    text = markdown_to_text(md).text
    for kept in (
        "詳しくは前に書いた記事 を参照。",
        "同じ節と一覧も。",
        "Jekyll では前回のように書く。",
        "参照形式の脚注リンク。",
    ):
        assert kept in text
    for gone in ("](", '"', "古い記事の題", "ref", "rlnk", "post_url", "[", "]"):
        assert gone not in text


def test_shortcode_captions_are_text_and_other_arguments_are_not() -> None:
    md = (
        '{{< fig-img src="./snow.jpg" title="雪の大通公園" link="./snow.jpg" >}}\n\n'
        '{{< pdf-file title="道路の凍結に関する報告書" link="https://example.com/a.pdf" >}}\n\n'
        '助かった {{% emoji "ペコン" %}} ありがとう。\n'
    )
    text = markdown_to_text(md).text
    assert "雪の大通公園" in text and "道路の凍結に関する報告書" in text
    assert "助かった ありがとう。" in text
    for gone in ("snow.jpg", "ペコン", "src", "title", "{{", "example.com"):
        assert gone not in text


def test_link_syntax_markdown_could_not_parse_keeps_its_label() -> None:
    # A URL with spaces is not a link for CommonMark; the reader's page shows the label.
    text = markdown_to_text("- [古い案内 · 旧サイト](古い案内 · 旧サイト)\n").text
    assert text == "古い案内 · 旧サイト"


def test_syntax_inside_inline_code_is_kept() -> None:
    text = markdown_to_text("脚注は `[^1]` と書き、太字は `**強調**` と書く。").text
    assert text == "脚注は [^1] と書き、太字は **強調** と書く。"
