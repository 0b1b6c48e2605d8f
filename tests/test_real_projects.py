"""Fixes found building public projects as a new user would (issue #23, item 7); each on a
fixture of our own."""

from __future__ import annotations

from conftest import build_root, copy_root


def test_a_sentence_ending_in_the_word_is_not_a_doubled_word(tmp_path):
    """gw-ospo/quarto-manuscript-template: "This is a table. @tbl-history summarizes ..."
    was warned as 'table. Table 1' and its sentence-ending word dropped."""
    root = copy_root("basic", tmp_path)
    (root / "chapters/03-tables.md").write_text(
        "# Tables\n\n| A | B |\n|---|---|\n| 1 | 2 |\n\n: Scores {#tbl-scores}\n\n"
        "This is a table. @tbl-scores summarizes the scores.\n\n"
        "As Tab. @tbl-scores shows.\n", encoding="utf-8")
    built = build_root(root, formats=("html",), git_stamp=False)
    assert built.warnings == [
        "chapters/03-tables.md:11: warning: 'Tab. @tbl-scores' would print 'Tab. Table\u00a02': "
        "the reference brings its own word; write '@tbl-scores' (or '[-@tbl-scores]' for the "
        "number alone) [xref.word]"]
    page = built.html_path.read_text(encoding="utf-8")
    assert "This is a table. <a" in page


def test_quartos_hidden_content_is_in_no_edition(tmp_path):
    """Quarto's manual hides maths macros in '::: {.hidden}'; reportc printed what such
    blocks and spans hold."""
    root = copy_root("basic", tmp_path)
    (root / "chapters/03-hidden.md").write_text(
        "# Hidden\n\nShown.\n\n::: {.hidden}\n$$\n\\newcommand{\\R}{\\mathbb{R}}\n$$\n\n"
        "Note to self.\n:::\n\nThe reals $\\R$ and [a secret]{.hidden} span.\n\n"
        "::: {.content-hidden}\nAlso hidden.\n:::\n\n"
        "::: {.content-hidden when-format=\"docx\"}\nKept: hidden in Word only.\n"
        ":::\n", encoding="utf-8")
    built = build_root(root, formats=("html",), git_stamp=False)
    assert not [w for w in built.warnings if "03-hidden" in w], built.warnings
    page = built.html_path.read_text(encoding="utf-8")
    section = page[page.index('id="ch-03-hidden"'):]
    assert "Shown." in section and "\u211d" in section and "Kept:" in section
    for hidden in ("Note to self", "a secret", "Also hidden"):
        assert hidden not in page


def test_a_remote_image_is_a_link_to_it_in_every_edition(tmp_path):
    """manubot/rootstock loads its example figures from GitHub, the caption over three
    lines. A build fetches nothing: it stopped with an error; now each edition prints a
    framed link to the image (in a figure, its address under its numbered caption; in a
    sentence, its description), and the build says so at the image's line."""
    root = copy_root("basic", tmp_path)
    (root / "chapters/03-remote.md").write_text(
        "# Remote\n\n![\n**A square image.**\nLoaded from GitHub.\n]"
        "(https://example.org/square.png \"Square\"){#fig:square}\n\nSee @fig:square and "
        "![the logo](https://example.org/logo.svg) here.\n", encoding="utf-8")
    built = build_root(root, formats=("html", "pdf"), git_stamp=False)
    remote = [w for w in built.warnings if "[image.remote]" in w]
    assert [w.split(": warning:")[0] for w in remote] == ["chapters/03-remote.md:6",
                                                        "chapters/03-remote.md:8"]
    assert remote[0].endswith("image 'https://example.org/square.png' is not fetched (a build "
                              "fetches nothing): every edition prints its description as a "
                              "link to it; save the image in the report directory, e.g. in "
                              "figures/, and write its path to print it [image.remote]")
    html = built.html_path.read_text(encoding="utf-8")
    assert "<img" not in html.split('id="ch-03-remote"')[1].split("</section>")[0]
    assert '<a href="https://example.org/square.png" class="remote-image" title="Square">' \
        'https://example.org/square.png</a>' in html
    assert '<a href="https://example.org/logo.svg" class="remote-image">the logo</a>' in html
    text = " ".join(" ".join(built.page_texts()).split())
    assert "https://example.org/square.png Figure 2. A square image." in text
    assert "See Figure 2 and the logo here." in text
    from tests.a11y.pdfcheck import check

    assert check(built.pdf_path.read_bytes()) == []  # PDF/UA: its links are tagged
