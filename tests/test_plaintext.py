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
