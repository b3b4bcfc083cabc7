from __future__ import annotations

from build_tools.diagnostics import Position
from build_tools.markup import (
    check_markdown,
    check_markdown_fields,
    plain,
    render,
    render_inline,
)
from build_tools.yamlsource import load_yaml_text


def test_markdown_is_rendered() -> None:
    html = render("Un **texte** avec [un lien](https://example.org) :\n\n- un\n- deux\n")
    assert "<strong>texte</strong>" in html
    assert '<a href="https://example.org" rel="noopener noreferrer">un lien</a>' in html
    assert "<ul>\n<li>un</li>" in html


def test_raw_html_is_shown_as_text_never_run() -> None:
    html = render('avant <script>alert("x")</script> <img src=x onerror=alert(1)> après')
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;" in html


def test_dangerous_links_lose_their_target() -> None:
    html = render("[clic](javascript:alert(1)) [data](data:text/html,x)")
    assert "javascript:" not in html and "data:" not in html


def test_headings_never_outrank_the_page() -> None:
    assert render("# Titre\n## Sous-titre").startswith("<h3>Titre</h3>\n<h4>")


def test_plain_and_inline() -> None:
    assert plain("Un **texte**\n\nen deux paragraphes") == "Un texte en deux paragraphes"
    # Text, not HTML: what it holds goes into signed credentials and is escaped where shown.
    assert plain('Lire & écrire, 3 < 4, "vraiment"') == 'Lire & écrire, 3 < 4, "vraiment"'
    assert render_inline("Un *mot*") == "Un <em>mot</em>"


def test_check_markdown_reports_html_and_bad_links_but_not_autolinks_or_code() -> None:
    where = Position("f.yaml", 3, 1)
    assert check_markdown("Voir <https://example.org> et `<b>code</b>`", where, "description") == []
    found = [
        str(d) for d in check_markdown("<b>gras</b> [x](javascript:void(0))", where, "description")
    ]
    assert found == [
        "f.yaml:3:1: error: description: HTML interdit (<b>) : écrivez en Markdown, le HTML n'est pas interprété",
        "f.yaml:3:1: error: description: lien « javascript: » interdit : seuls http, https et mailto sont permis",
    ]


def test_markdown_fields_are_checked_whatever_the_shape_of_the_file() -> None:
    """A file that failed its schema is still read for raw HTML, without tripping on it."""
    text = (
        "description: [<b>une liste</b>]\n"
        "criteria: <i>du texte</i>\n"
        "evidence: Une <u>preuve</u>.\n"
        "requests: {instructions: {a: <s>b</s>}}\n"
    )
    source, problems = load_yaml_text(text, "f.yaml")
    assert source is not None and not problems
    plain_text = "ce champ est du texte simple, écrit tel qu'il sera affiché"
    assert [str(d) for d in check_markdown_fields(source)] == [
        f"f.yaml:1:15: error: description[0]: HTML interdit (<b>) : {plain_text}",
        f"f.yaml:2:11: error: criteria: HTML interdit (<i>) : {plain_text}",
        "f.yaml:3:1: error: evidence: HTML interdit (<u>) : écrivez en Markdown, le HTML n'est pas interprété",
        f"f.yaml:4:30: error: requests.instructions.a: HTML interdit (<s>) : {plain_text}",
    ]


def test_plain_text_fields_refuse_html_but_not_comparisons() -> None:
    """Names, tasks of a checklist and tags are shown as typed: a tag in them is a mistake."""
    text = (
        'name: "Lire <b>vite</b> & bien"\n'
        "name_en: Reading 3 < 4 > 2 & more\n"
        "criteria: {checklist: [Compter, <script>x</script>]}\n"
        "description: Un texte <https://example.org> 3 < 4.\n"
    )
    source, problems = load_yaml_text(text, "f.yaml")
    assert source is not None and not problems
    assert [str(d) for d in check_markdown_fields(source)] == [
        "f.yaml:1:7: error: name: HTML interdit (<b>) : ce champ est du texte simple, écrit tel "
        "qu'il sera affiché",
        "f.yaml:3:33: error: criteria.checklist[1]: HTML interdit (<script>) : ce champ est du "
        "texte simple, écrit tel qu'il sera affiché",
    ]


def test_an_image_in_markdown_is_reported_as_it_would_vanish() -> None:
    where = Position("f.yaml", 2, 1)
    found = [
        str(d) for d in check_markdown("Voir ![photo](https://example.org/a.png).", where, "x")
    ]
    assert found == [
        "f.yaml:2:1: warning: x: image Markdown (![…](…)) : les images ne sont pas affichées "
        "dans ce texte ; mettez un lien ([texte](adresse)) ou, pour le badge, le champ image"
    ]
    assert "<img" not in render("Voir ![photo](https://example.org/a.png).")
    assert check_markdown("Un `![code](x)` et [un lien](https://example.org)", where, "x") == []
