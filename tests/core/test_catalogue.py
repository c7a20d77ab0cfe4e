"""The message catalogues' shape: the English source, every message translated in every
language's gettext catalogue with the same placeholders, the compiled .mo in step with its
.po, and every key the code names present.

A malformed entry does not fail loudly at run time: an unquoted comma in a YAML flow
mapping (`{en: A, b, fr: C, d}`) still parses, into extra keys, and the page then showed
half a sentence (« Une commodité »). So the shapes are checked here, file by file.
"""

from __future__ import annotations

import ast
import os
import re
import string
from io import BytesIO
from pathlib import Path

import pytest
import yaml
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

from portfolio_gen.core import i18n

PACKAGE = Path(i18n.__file__).resolve().parent.parent
CATALOGUE = PACKAGE / "data" / "messages"
LOCALE = PACKAGE / "data" / "locale"
FILES = sorted(CATALOGUE.glob("*.yml"))
TRANSLATED = [language for language in i18n.LANGUAGES if language != i18n.DEFAULT_LANGUAGE]
# Strings in the code shaped like a key but naming a file or a module.
NOT_KEYS = (".yml", ".yaml", ".json", ".jsonld", ".md", ".html", ".pem", ".txt", ".sqlite", ".py", ".js",
            ".css", ".svg", ".png", ".j2", ".lock", ".toml", ".cfg")

TEMPLATE_KEY = re.compile(r"""\bt\(\s*['"]([a-z_]+(?:\.[a-z0-9_]+)+)['"]""")


def placeholders(template: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(template) if field is not None}


def entries(path: Path) -> dict:
    return yaml.safe_load(path.read_text("utf-8")) or {}


def po(language: str, domain: str = "messages"):
    with (LOCALE / language / "LC_MESSAGES" / f"{domain}.po").open("rb") as source:
        return read_po(source, locale=language)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_no_key_is_defined_twice_in_a_file(path: Path):
    """YAML keeps the last of two equal keys without a word: the first message is lost."""
    document = yaml.compose(path.read_text("utf-8"))
    seen: dict[str, int] = {}
    for key_node, _ in document.value:
        assert key_node.value not in seen, f"{path.name}:{key_node.start_mark.line + 1}: {key_node.value} " \
                                           f"already defined at line {seen[key_node.value]}"
        seen[key_node.value] = key_node.start_mark.line + 1


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_english_message_has_a_shape_the_tool_can_say(path: Path):
    """One string, a [message, hint] list, or {one, other} for a count that says {count}."""
    problems = []
    for key, english in entries(path).items():
        if isinstance(english, dict):
            if set(english) - {"one", "other"} or not isinstance(english.get("other"), str) \
                    or not all(isinstance(form, str) and form.strip() for form in english.values()):
                problems.append(f"{key}: a mapping must be plural forms {{one, other}} of non-empty strings, "
                                f"got {english!r}")
            elif "count" not in placeholders(english["other"]):
                problems.append(f"{key}: the 'other' form must say {{count}}")
        elif isinstance(english, list):
            if not 1 <= len(english) <= 2 or not all(isinstance(p, str) and p.strip() for p in english):
                problems.append(f"{key}: a list is [message, hint] of non-empty strings, got {english!r}")
        elif not isinstance(english, str) or not english.strip():
            problems.append(f"{key}: expected a sentence, got {english!r}")
    assert not problems, f"{path.name}:\n" + "\n".join(problems)


def _expected_messages() -> dict[tuple[str, str | tuple], str]:
    """(context, msgid) of every message the English source gives gettext."""
    expected = {}
    for key, english in i18n.catalog().items():
        if isinstance(english, dict):
            expected[(key, (english.get("one") or english["other"], english["other"]))] = key
        else:
            for index, words in enumerate([english] if isinstance(english, str) else english):
                expected[(i18n.context(key, index), words)] = key
    return expected


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_message_is_translated_with_the_same_placeholders(language: str):
    """Every message of the English source is in the language's catalogue, translated, not
    fuzzy (its English changed since), every plural form given, with the placeholders of
    the English (a plural form other than the last may leave out {count}: « مترشحان »)."""
    catalogue, problems = po(language), []
    found = {(message.context, message.id): message for message in catalogue if message.id}
    for (context, msgid), key in _expected_messages().items():
        message = found.get((context, msgid))
        if message is None:
            problems.append(f"{context}: not in {language}/messages.po (run `bash scripts/messages update`)")
            continue
        forms = message.string if isinstance(message.string, tuple) else (message.string,)
        english = msgid[-1] if isinstance(msgid, tuple) else msgid
        if message.fuzzy or not all(form.strip() for form in forms) or len(forms) != (
                catalogue.num_plurals if isinstance(msgid, tuple) else 1):
            problems.append(f"{context}: untranslated or fuzzy in {language} ({forms!r})")
            continue
        for index, form in enumerate(forms):
            last = index == len(forms) - 1
            if (placeholders(form) != placeholders(english)) if last else (placeholders(form) - placeholders(english)):
                problems.append(f"{context} [{language}] form {index}: placeholders {sorted(placeholders(form))}, "
                                f"English has {sorted(placeholders(english))}")
    assert not problems, f"{language}:\n" + "\n".join(problems)


@pytest.mark.parametrize("language", TRANSLATED)
@pytest.mark.parametrize("domain", ["messages", "click"])
def test_the_compiled_catalogue_says_what_the_po_says(language: str, domain: str):
    """The tool reads the .mo: a .po translated and not compiled would change nothing."""
    compiled = BytesIO()
    write_mo(compiled, po(language, domain))
    compiled.seek(0)
    with (LOCALE / language / "LC_MESSAGES" / f"{domain}.mo").open("rb") as shipped:
        have = {(m.context, _hashable(m.id)): _hashable(m.string) for m in read_mo(shipped) if m.id}
    want = {(m.context, _hashable(m.id)): _hashable(m.string) for m in read_mo(compiled) if m.id}
    assert have == want, f"{language}/{domain}.mo is out of date: run `bash scripts/messages compile`"


def _hashable(value):
    return tuple(value) if isinstance(value, list) else value


@pytest.mark.parametrize("language", TRANSLATED)
def test_clicks_own_words_are_translated(language: str):
    untranslated = [m.id for m in po(language, "click") if m.id and not all(
        m.string if isinstance(m.string, tuple) else [m.string])]
    assert not untranslated, untranslated


def test_every_key_the_code_names_is_in_the_catalogue():
    """A literal key in the code (a Problem's, a text()'s) with no message is a KeyError
    in front of a user, on the one path a test may not have taken."""
    catalogue = i18n.catalog()
    prefixes = {key.split(".", 1)[0] for key in catalogue}
    missing = []
    for module in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(module.read_text("utf-8"))):
            if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
                continue
            value = node.value
            parts = value.split(".")
            if (len(parts) < 2 or parts[0] not in prefixes or value.endswith(NOT_KEYS)
                    or not all(part and part.replace("_", "").isalnum() and part.islower() for part in parts)):
                continue
            # A verifier's reason code (`status.unknown`) is said by its `reason.` entry.
            if value not in catalogue and "reason." + value not in catalogue \
                    and not any(key.startswith(value + ".") for key in catalogue):
                missing.append(f"{module.relative_to(PACKAGE)}:{node.lineno}: {value}")
    templates = [Path(folder, name) for folder, _, names in os.walk(PACKAGE, followlinks=True)  # themes/ is a link
                 for name in names if name.endswith((".j2", ".html"))]
    assert len(templates) > 20, templates
    for template in sorted(templates):
        for number, line in enumerate(template.read_text("utf-8").splitlines(), 1):
            missing += [f"{template.relative_to(PACKAGE)}:{number}: {key}" for key in TEMPLATE_KEY.findall(line)
                        if key not in catalogue]
    assert not missing, "keys with no message:\n" + "\n".join(missing)


def test_no_message_leaves_its_grammar_to_the_reader():
    """« 1 candidats », « un(e) date », « fichier(s) modifié(s) » (issue 30): a count is said
    with its CLDR plural forms (i18n.plural), a gender the message cannot know is avoided by
    rephrasing, never by (s), (e) or (x) marks."""
    marks = re.compile(r"\w\((?:e|s|es|x|le|les)\)")
    said = [(context, words) for (context, msgid) in _expected_messages()
            for words in (msgid if isinstance(msgid, tuple) else (msgid,))]
    said += [(f"{m.context} [{language}]", words) for language in TRANSLATED for m in po(language) if m.id
             for words in (m.string if isinstance(m.string, tuple) else (m.string,))]
    found = [f"{where}: {words!r}" for where, words in said if marks.search(words)]
    assert not found, "grammar left to the reader:\n" + "\n".join(found)


def test_the_checks_catch_an_unquoted_comma(tmp_path: Path):
    """The bug that made every verification page's title read « Une commodité »."""
    broken = tmp_path / "site.yml"
    broken.write_text("site.verify.caveat_title: {A convenience, not a proof}\n", "utf-8")
    with pytest.raises(AssertionError, match="plural forms"):
        test_every_english_message_has_a_shape_the_tool_can_say(broken)


def test_the_checks_catch_an_untranslated_or_reworded_message(tmp_path: Path, monkeypatch):
    """A message whose English changed after translation, or one never translated, fails."""
    catalogue = dict(i18n.catalog())
    catalogue["site.verify.caveat_title"] = "A convenience, and not a proof"
    catalogue["steering.brand_new"] = "Something new"
    monkeypatch.setattr(i18n, "catalog", lambda: catalogue)
    with pytest.raises(AssertionError) as failure:
        test_every_message_is_translated_with_the_same_placeholders("fr")
    assert "site.verify.caveat_title: not in fr/messages.po" in str(failure.value)
    assert "steering.brand_new: not in fr/messages.po" in str(failure.value)


def test_every_language_the_tool_speaks_has_its_name_where_a_page_offers_it():
    """Keys made at run time escape the scan above: the editor's language list asks
    `editor.language.<code>` for each language, and a missing one failed the whole page."""
    missing = [f"editor.language.{code}" for code in i18n.LANGUAGES if not i18n.known(f"editor.language.{code}")]
    assert not missing, missing
