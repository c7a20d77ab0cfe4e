"""The allow-list applied to candidates' HTML, and the markers that delimit it in a page."""

from __future__ import annotations

from hypothesis import given, settings, strategies as st

from portfolio_gen.site import sanitize
from portfolio_gen.site.sanitize import candidate_markdown, clean_candidate_html, clean_page, theme_text


def test_portfolio_markup_is_kept():
    html = ('<h2 id="sequence">Séquence</h2><table><tbody><tr><th scope="col">a</th><td align="right">1</td></tr></tbody></table>'
            '<ul><li><code>x</code></li></ul><img src="../evidence/carte.png" alt="carte"><pre><code>y</code></pre>')
    assert clean_candidate_html(html) == html


def test_scripts_handlers_frames_forms_and_styles_are_removed():
    html = ('<script>alert(1)</script><img src=x onerror=alert(2)><iframe srcdoc="<b>"></iframe>'
            '<form action=/x><input name=p></form><p style="position:fixed" class="md-header" onclick="x()">t</p>'
            '<style>body{}</style><object data=x></object>')
    cleaned = clean_candidate_html(html)
    for bad in ("script", "onerror", "iframe", "srcdoc", "form", "input", "style", "class", "onclick", "object"):
        assert bad not in cleaned
    assert cleaned == '<img src="x"><p>t</p>'


def test_dangerous_urls_are_dropped_and_external_links_marked():
    cleaned = clean_candidate_html('<a href="javascript:alert(1)">a</a><a href="data:text/html,x">b</a>'
                                   '<img src="data:image/svg+xml,x"><a href="https://example.org/">c</a>'
                                   '<a href="../entries/x/">d</a>')
    assert "javascript" not in cleaned and "data:" not in cleaned
    assert '<a href="https://example.org/" rel="noopener noreferrer nofollow">c</a>' in cleaned
    assert 'href="../entries/x/"' in cleaned


def test_ids_cannot_shadow_the_themes_elements():
    assert clean_candidate_html('<h2 id="__config">x</h2><div id="plan">y</div>') == "<h2>x</h2><div>y</div>"


def test_only_fenced_fragments_are_cleaned():
    page = ('<p class="pf-ours" data-x="1">ours</p>' + str(candidate_markdown("<p onclick=x()>theirs</p>"))
            + '<span class="pf-tag">ours</span>')
    cleaned, broken = clean_page(page)
    assert not broken
    assert '<p class="pf-ours" data-x="1">ours</p>' in cleaned and '<span class="pf-tag">ours</span>' in cleaned
    assert "<p>theirs</p>" in cleaned and "onclick" not in cleaned and sanitize.NONCE not in cleaned


def test_a_broken_or_forged_marker_cleans_the_whole_page():
    fenced = str(candidate_markdown("x"))
    start = fenced.strip().split("\n")[0]
    # The end marker swallowed (escaped into text): everything is treated as the candidate's.
    page = start + '<p onclick="x()">theirs</p><p class="pf-ours">ours</p>'
    cleaned, broken = clean_page(page)
    assert broken and "onclick" not in cleaned and "class" not in cleaned and sanitize.NONCE not in cleaned


def test_theme_text_has_no_markup_left():
    assert theme_text('Mallory <img src=x onerror="alert(1)">') == "Mallory ‹img src=x onerror=”alert(1)”›"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("<>\"'=/ abcdefghijklmnopqrstuvwxyz:&;!-")) | st.characters(blacklist_categories=("Cs",)),
               max_size=200))
def test_no_handler_or_script_survives_any_input(text):
    cleaned = clean_candidate_html(text)
    reparsed = clean_candidate_html(cleaned)
    assert reparsed == cleaned  # cleaning is stable: nothing hides for a second pass
    assert "<script" not in cleaned.lower()
