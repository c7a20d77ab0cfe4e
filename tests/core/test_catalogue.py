"""The message catalogue's shape: every message in every language, with the same
placeholders, and every key the code names present.

A malformed entry does not fail loudly at run time: an unquoted comma in a YAML flow
mapping (`{en: A, b, fr: C, d}`) still parses, into extra keys, and the page then
shows half a sentence. So the shape is checked here, file by file, from the YAML nodes.
"""

from __future__ import annotations

import ast
import os
import re
import string
from pathlib import Path

import pytest
import yaml

from portfolio_gen.core import i18n

PACKAGE = Path(i18n.__file__).resolve().parent.parent
CATALOGUE = PACKAGE / "data" / "messages"
FILES = sorted(CATALOGUE.glob("*.yml"))
# Strings in the code shaped like a key but naming a file or a module.
NOT_KEYS = (".yml", ".yaml", ".json", ".jsonld", ".md", ".html", ".pem", ".txt", ".sqlite", ".py", ".js",
            ".css", ".svg", ".png", ".j2", ".lock", ".toml", ".cfg")

TEMPLATE_KEY = re.compile(r"""\bt\(\s*['"]([a-z_]+(?:\.[a-z0-9_]+)+)['"]""")


def placeholders(template: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(template) if field is not None}


def entries(path: Path) -> dict:
    return yaml.safe_load(path.read_text("utf-8")) or {}


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_no_key_is_defined_twice_in_a_file(path: Path):
    """YAML keeps the last of two equal keys without a word: the first message is lost."""
    document = yaml.compose(path.read_text("utf-8"))
    seen: dict[str, int] = {}
    for key_node, value_node in document.value:
        assert key_node.value not in seen, f"{path.name}:{key_node.start_mark.line + 1}: {key_node.value} " \
                                           f"already defined at line {seen[key_node.value]}"
        seen[key_node.value] = key_node.start_mark.line + 1
        for inner_key, _ in getattr(value_node, "value", []) if isinstance(value_node, yaml.MappingNode) else []:
            assert isinstance(inner_key, yaml.ScalarNode)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_message_has_every_language_with_the_same_placeholders(path: Path):
    problems = []
    for key, entry in entries(path).items():
        if not isinstance(entry, dict) or set(entry) != set(i18n.LANGUAGES):
            problems.append(f"{key}: languages {sorted(entry) if isinstance(entry, dict) else entry!r}, "
                            f"expected exactly {sorted(i18n.LANGUAGES)}")
            continue
        if any(isinstance(text, dict) for text in entry.values()):
            problems += _plural_problems(key, entry)
            continue
        shapes = {language: _shape(text) for language, text in entry.items()}
        if None in shapes.values() or len(set(map(len, shapes.values()))) != 1:
            problems.append(f"{key}: each language must be one string or a [message, hint] list of the "
                            f"same length, got {entry!r}")
            continue
        reference = shapes[i18n.DEFAULT_LANGUAGE]
        for language, parts in shapes.items():
            for index, (mine, theirs) in enumerate(zip(parts, reference)):
                if not mine.strip():
                    problems.append(f"{key} [{language}] part {index}: empty")
                if placeholders(mine) != placeholders(theirs):
                    problems.append(f"{key} [{language}] part {index}: placeholders {sorted(placeholders(mine))}, "
                                    f"{i18n.DEFAULT_LANGUAGE} has {sorted(placeholders(theirs))}")
    assert not problems, f"{path.name}:\n" + "\n".join(problems)


def _plural_problems(key: str, entry: dict) -> list[str]:
    """A message that counts gives, in every language, the CLDR categories that language
    uses (Babel's plural rules: `one` and `other` for French and English), each with the
    placeholders of the English `other` form, `{count}` included (gettext's msgid_plural)."""
    from babel import Locale
    problems = []
    reference = entry.get(i18n.DEFAULT_LANGUAGE)
    if not isinstance(reference, dict) or not isinstance(reference.get("other"), str):
        return [f"{key}: plural forms need a {i18n.DEFAULT_LANGUAGE} 'other' form, got {reference!r}"]
    expected = placeholders(reference["other"])
    if "count" not in expected:
        problems.append(f"{key}: the 'other' form must say {{count}}")
    for language, forms in entry.items():
        wanted = set(Locale.parse(language).plural_form.tags) | {"other"}
        if not isinstance(forms, dict) or not all(isinstance(v, str) and v.strip() for v in forms.values()):
            problems.append(f"{key} [{language}]: plural forms must be a mapping of non-empty strings, got {forms!r}")
            continue
        if set(forms) - set(i18n.PLURAL_CATEGORIES):
            problems.append(f"{key} [{language}]: {sorted(set(forms) - set(i18n.PLURAL_CATEGORIES))} are not CLDR categories")
        # `many` (French millions) may fall back to `other`, as gettext's two forms do.
        if missing := (wanted - {"many"}) - set(forms):
            problems.append(f"{key} [{language}]: plural forms {sorted(missing)} missing")
        for category, form in forms.items():
            if placeholders(form) - expected or (category == "other" and placeholders(form) != expected):
                problems.append(f"{key} [{language}] {category}: placeholders {sorted(placeholders(form))}, "
                                f"{i18n.DEFAULT_LANGUAGE} has {sorted(expected)}")
    return problems


def _shape(text) -> list[str] | None:
    if isinstance(text, str):
        return [text]
    if isinstance(text, list) and 1 <= len(text) <= 2 and all(isinstance(part, str) for part in text):
        return text
    return None


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
    found = [f"{key} [{language}]: {text!r}" for key, entry in i18n.catalog().items()
             for language, value in entry.items()
             for text in (value.values() if isinstance(value, dict) else value if isinstance(value, list) else [value])
             if isinstance(text, str) and marks.search(text)]
    assert not found, "grammar left to the reader:\n" + "\n".join(found)


def test_the_checks_catch_an_unquoted_comma(tmp_path: Path):
    """The bug that made every verification page's title read « Une commodité »."""
    broken = tmp_path / "site.yml"
    broken.write_text("site.verify.caveat_title: {en: A convenience, not a proof, fr: Une commodité, pas une preuve}\n",
                      "utf-8")
    with pytest.raises(AssertionError, match="languages"):
        test_every_message_has_every_language_with_the_same_placeholders(broken)


def test_the_checks_catch_a_plural_form_missing_or_with_other_placeholders(tmp_path: Path):
    broken = tmp_path / "counts.yml"
    broken.write_text("x.count: {en: {one: '{count} thing', other: '{count} things'}, fr: {other: '{count} choses'}}\n"
                      "y.count: {en: {one: '{count} thing', other: '{count} things'}, "
                      "fr: {one: '{count} chose', other: '{n} choses'}}\n", "utf-8")
    with pytest.raises(AssertionError) as failure:
        test_every_message_has_every_language_with_the_same_placeholders(broken)
    assert "x.count [fr]: plural forms ['one'] missing" in str(failure.value)
    assert "y.count [fr] other: placeholders ['n']" in str(failure.value)
