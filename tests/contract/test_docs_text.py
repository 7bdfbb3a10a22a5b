"""The docs page's quick start is the README's, as clean Markdown for readers of the API."""

from app.api import docs_text


def test_the_quick_start_keeps_no_html_comment_or_note_about_the_tests():
    text = docs_text.quick_start()
    assert ("<!--" in text, "tests/" in text) == (False, False)


def test_the_pandas_recipe_is_a_fenced_block_right_after_its_heading():
    text = docs_text.quick_start()
    assert "**pandas**:\n\n```python\nimport pandas as pd\n" in text


def test_an_html_comment_of_several_lines_is_left_out(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text(
        "# X\n\n## Quick start for journalists\n\nBefore.\n<!-- a note\nover two lines -->\n"
        "After.\n\n## Next\n",
        encoding="utf-8",
    )
    assert docs_text.quick_start(readme) == (
        "\n### Quick start for journalists\n\n(From the project README.)\n\n\nBefore.\nAfter.\n"
    )
