"""The domain model: frameworks, candidates, entries, evidence, validations.

Plain immutable values. This module knows nothing of files formats, MkDocs or
cryptography: readers build these objects, rules decide on them, writers render them.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Iterable, Iterator, Mapping, Protocol

from . import rules as _rules

# A framework's rule: one class per kind, in rules.py; named here too, as the model's values.
Rule, RuleInput = _rules.Rule, _rules.RuleInput
MinItemsRule, JointLevelRule, ExternalRule = _rules.MinItemsRule, _rules.JointLevelRule, _rules.ExternalRule


@dataclass(frozen=True)
class Source:
    title: str
    reference: str = ""
    date: dt.date | None = None
    url: str = ""
    note: str = ""


class Titles(Mapping[str, str]):
    """A framework object's titles in other languages than its framework's, by language
    code (`titles:` in its file; `title_en`, the older spelling, is its "en").

    A mapping that cannot change and hashes, as the frozen values holding it are hashed
    (an item is a key of sets and caches)."""

    __slots__ = ("_pairs",)

    def __init__(self, titles: Mapping[str, str] | Iterable[tuple[str, str]] = (), /, **by_language: str):
        pairs = dict(titles, **by_language)
        object.__setattr__(self, "_pairs", tuple(sorted((str(k), str(v)) for k, v in pairs.items() if v)))

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("Titles cannot change")

    def __getitem__(self, language: str) -> str:
        for code, title in self._pairs:
            if code == language:
                return title
        raise KeyError(language)

    def __iter__(self) -> Iterator[str]:
        return (code for code, _ in self._pairs)

    def __len__(self) -> int:
        return len(self._pairs)

    def __eq__(self, other: object) -> bool:
        return dict(self) == dict(other) if isinstance(other, Mapping) else NotImplemented

    def __hash__(self) -> int:
        return hash(self._pairs)

    def __repr__(self) -> str:
        return f"Titles({dict(self._pairs)!r})"

    def __reduce__(self):  # pickled to the build's worker processes, which __setattr__ forbids
        return Titles, (self._pairs,)


class Titled(Protocol):
    """What `title_in` reads: a framework, domain, competence, item, phase, level or activity."""

    @property
    def title(self) -> str: ...

    @property
    def titles(self) -> Titles: ...


def title_in(thing: Titled, language: str) -> str:
    """What a framework object is called in `language`: its title in that language where
    its framework file gives one (`titles:`, or `title_en`), else its own `title`, in the
    framework's language. The one place a page, a command or a report picks a title: the
    official wording stays the fallback, never a guess."""
    return thing.titles.get(language) or thing.title


@dataclass(frozen=True)
class Phase:
    code: str
    title: str
    titles: Titles = Titles()


@dataclass(frozen=True)
class Level:
    code: str
    title: str
    titles: Titles = Titles()


_LIGATURES = str.maketrans({"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "ß": "ss"})
_SEPARATORS = re.compile(r"[\s_'’-]+")


def folded(text: str) -> str:
    """A label as a user means it, case, accents and separators aside: 'Confirmé',
    'CONFIRME' and 'confirme' fold alike, and so do 'Mise en œuvre' and 'mise-en-oeuvre'
    (issue 31: `sign --level Confirmé`, the label `frameworks show` displays, was refused)."""
    text = unicodedata.normalize("NFKD", str(text).translate(_LIGATURES))
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    return _SEPARATORS.sub("-", text.strip())


def scale_code(scale: "tuple[Level, ...] | list[Level]", text: str) -> str | None:
    """The code of the level of `scale` that `text` names (its code, or its title in any
    language its framework gives, whatever the case and accents), or None."""
    wanted = folded(text)
    return next((level.code for level in scale
                 if wanted in {folded(name) for name in (level.code, level.title, *level.titles.values())}),
                None)


# Frameworks without a level scale (C2i2e, the 2009 framework) are self-assessed on this one.
POSITIONING_SCALE = (
    Level("non-acquis", "Non acquis", Titles(en="Not acquired")),
    Level("en-cours", "En cours d'acquisition", Titles(en="In progress")),
    Level("acquis", "Acquis", Titles(en="Acquired")),
)


@dataclass(frozen=True)
class Activity:
    """A kind of activity a mention requires (CRCNÉ: teaching for mentions 1-2, educational
    for 3, adult training for 4): what an entry documenting it must be."""

    code: str
    title: str
    titles: Titles = Titles()
    mentions: tuple[int, ...] = ()


# Who evaluates an item, where a framework says so: C2i2e has the trainer of the activity
# evaluate it, or a referent the candidate chooses (seed 003).
TRAINER_OR_REFERENT = "trainer-or-referent"


# How an item's level follows from its criteria marks, where a framework assesses items per
# criterion (CRCNÉ, seed 001: « des critères d'évaluation sont définis pour chaque item »):
# the lowest level reached on its criteria, as a level is recognised jointly (seed 001's own
# rule for the jury and Pix+Édu levels) only when every criterion reaches it.
LOWEST = "lowest"


@dataclass(frozen=True)
class Resource:
    """A training resource suggested for an item (title, link, delivery format, level)."""

    title: str
    url: str = ""
    format: str = ""
    level: str = ""


@dataclass(frozen=True)
class Item:
    """A leaf of a framework: what a candidate claims and an evaluator validates."""

    code: str
    title: str
    titles: Titles = Titles()
    description: str = ""
    criteria: tuple[str, ...] = ()
    mandatory: bool = False
    phase: str = ""
    domain: str = ""
    competence: str = ""
    resources: tuple[Resource, ...] = ()

    @property
    def criterion_codes(self) -> tuple[str, ...]:
        """Each criterion's code: the item's code and the criterion's position, from 1 (I1.2)."""
        return tuple(f"{self.code}.{n}" for n in range(1, len(self.criteria) + 1))


@dataclass(frozen=True)
class Competence:
    code: str
    title: str
    titles: Titles = Titles()
    description: str = ""
    items: tuple[Item, ...] = ()


@dataclass(frozen=True)
class Domain:
    code: str
    title: str
    titles: Titles = Titles()
    description: str = ""
    competences: tuple[Competence, ...] = ()
    items: tuple[Item, ...] = ()  # the leaves under this domain, in order


@dataclass(frozen=True)
class Framework:
    id: str
    title: str
    version: str
    language: str
    source: Source
    domains: tuple[Domain, ...]
    titles: Titles = Titles()
    phases: tuple[Phase, ...] = ()
    mentions: tuple[int, ...] = ()
    levels: tuple[Level, ...] = ()
    rule: Rule | None = None
    path: Path | None = None
    activities: tuple[Activity, ...] = ()  # the kind of activity each mention requires
    evaluated_by: str = ""  # "" (any authorised evaluator) or TRAINER_OR_REFERENT
    criterion_rule: str = ""  # "" (one level per item) or LOWEST: items are marked per criterion
    # Whether an item of a framework assessed per criterion may be signed with a level alone
    # (`assessment: {marks: required}` says it may not; CRCNÉ's text does not require it).
    marks_required: bool = False

    def level_from_marks(self, marks: Mapping[str, str]) -> str:
        """An item's level from its criteria marks (criterion code -> level code), by the
        framework's rule: the lowest of them. ValueError when a mark is not on the scale."""
        if self.criterion_rule != LOWEST or not marks:
            raise ValueError(f"{self.id} does not assess items per criterion")
        return min(marks.values(), key=self.level_rank)

    def activity_for(self, mention: int | None) -> Activity | None:
        """The kind of activity a mention requires, when the framework says."""
        return next((a for a in self.activities if mention in a.mentions), None)

    @cached_property
    def items(self) -> tuple[Item, ...]:
        return tuple(item for domain in self.domains for item in domain.items)

    @cached_property
    def item_by_code(self) -> Mapping[str, Item]:
        return {item.code: item for item in self.items}

    @cached_property
    def mandatory_codes(self) -> frozenset[str]:
        return frozenset(item.code for item in self.items if item.mandatory)

    def level_rank(self, code: str) -> int:
        """Position of a level on the scale (0 = lowest); ValueError when not on it."""
        for rank, level in enumerate(self.levels):
            if level.code == code:
                return rank
        raise ValueError(f"{code!r} is not a level of {self.id}")

    def level(self, code: str) -> Level:
        return self.levels[self.level_rank(code)]

    def level_code(self, text: str) -> str | None:
        """The code of the level `text` names, a code or a title in either language,
        whatever its case and accents (`scale_code`); None when it is not on the scale."""
        return scale_code(self.levels, text)

    @property
    def assessment_scale(self) -> tuple[Level, ...]:
        """The scale a self-assessment uses: the framework's levels, or a positioning one."""
        return self.levels or POSITIONING_SCALE

    def group_items(self, code: str) -> tuple[Item, ...]:
        """The items under a domain, competence or item code (empty if unknown)."""
        for domain in self.domains:
            if domain.code == code:
                return domain.items
            for competence in domain.competences:
                if competence.code == code:
                    return competence.items
        item = self.item_by_code.get(code)
        return (item,) if item else ()


@dataclass(frozen=True, slots=True)
class Claim:
    """An item a candidate says an entry demonstrates, optionally at a level."""

    framework: str
    item: str
    level: str = ""
    justification: str = ""

    @property
    def ref(self) -> str:
        return f"{self.framework}:{self.item}"


@dataclass(frozen=True, slots=True)
class Evidence:
    """A trace attached to an entry: a file inside the candidate folder, or a URL."""

    title: str
    path: str = ""  # relative to the candidate folder, with forward slashes
    url: str = ""
    file: Path | None = None  # resolved location on disk, for files

    @property
    def is_file(self) -> bool:
        return bool(self.path)


PUBLIC, PRIVATE, DRAFT = "public", "private", "draft"
SITUATIONS = ("professionnelle", "formation")
VISIBILITIES = (PUBLIC, PRIVATE, DRAFT)
ROLES = ("enseignant", "stagiaire", "inspecteur", "directeur", "administratif",
         "etudiant-meef", "formateur", "autre")
# The languages a site, a workspace and the tool speak: each has a gettext catalogue
# (core/i18n, which reads this list).
LANGUAGES = ("fr", "en", "ar")


@dataclass(frozen=True, slots=True)
class Entry:
    """One documented activity: description, reflective text, claims and evidence."""

    slug: str
    title: str
    date: dt.date
    situation: str
    body: str
    claims: tuple[Claim, ...] = ()
    evidence: tuple[Evidence, ...] = ()
    phase: str = ""
    visibility: str = PUBLIC
    tags: tuple[str, ...] = ()
    path: Path | None = None
    activity: str = ""  # the kind of activity documented, where a framework's mentions require one
    trainer: str = ""  # evaluator id of the activity's trainer, where a framework has them evaluate

    @property
    def is_public(self) -> bool:
        return self.visibility == PUBLIC

    @property
    def is_draft(self) -> bool:
        return self.visibility == DRAFT


@dataclass(frozen=True, slots=True)
class SelfAssessment:
    """A candidate's dated positioning on a framework: a level per item, and a target."""

    framework: str
    date: dt.date
    target: str
    levels: Mapping[str, str]  # item code -> level code on the framework's assessment scale
    path: Path | None = None


@dataclass(frozen=True, slots=True)
class EvaluationRequest:
    """A candidate asks an evaluator to evaluate items claimed by one entry."""

    id: str
    entry: str
    evaluator: str  # id in the institution's evaluator registry
    items: tuple[str, ...]  # "framework:code"
    date: dt.date
    message: str = ""
    path: Path | None = None
    # The refusal records (ids, `Validation.record`) this request answers: the candidate
    # improved the entry and asks the same evaluator again (issue 31). A refusal so
    # answered no longer decides the item; the evaluator's next decision does.
    reopens: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ExternalResult:
    """A level obtained outside the portfolio (e.g. a Pix+Édu session), input of a level rule."""

    framework: str
    input: str
    level: str
    date: dt.date
    source: str
    path: Path | None = None


@dataclass(frozen=True, slots=True)
class Pursuit:
    """A framework a candidate is working towards, with the CRCNÉ-style mention if any."""

    framework: str
    mention: int | None = None


@dataclass(frozen=True, slots=True)
class Candidate:
    slug: str
    name: str
    role: str
    institution: str
    language: str
    frameworks: tuple[Pursuit, ...]
    entries: tuple[Entry, ...] = ()
    self_assessments: tuple[SelfAssessment, ...] = ()  # oldest first
    requests: tuple[EvaluationRequest, ...] = ()
    refusals: tuple["Validation", ...] = ()  # recorded refusals (decision == REFUSED)
    results: tuple[ExternalResult, ...] = ()
    site_url: str = ""
    bio: str = ""
    unit: str = ""  # the institution's unit (training centre, site, academy), for steering reports
    publish_in_index: bool = False  # listed on the institution's home page (opt-in)
    private: Mapping[str, object] = field(default_factory=dict, compare=False)
    folder: Path | None = None
    # Every language the site is published in, its main one first (candidate.yml `languages`,
    # issue 30); empty for a site in `language` alone. `language` is the one this site, or
    # this version of it, is said in.
    languages: tuple[str, ...] = ()

    @property
    def site_languages(self) -> tuple[str, ...]:
        """The site's languages, its main one first: each has a version of the site."""
        return self.languages or (self.language,)

    @property
    def public_entries(self) -> tuple[Entry, ...]:
        return tuple(entry for entry in self.entries if entry.is_public)

    def assessments_for(self, framework_id: str) -> tuple[SelfAssessment, ...]:
        return tuple(a for a in self.self_assessments if a.framework == framework_id)

    def claims_for(self, framework_id: str, public_only: bool = False) -> list[tuple[Entry, Claim]]:
        """Claims made by the candidate's entries. Drafts claim nothing yet; private entries
        do (they are shown to evaluators, not published)."""
        entries = self.public_entries if public_only else [e for e in self.entries if not e.is_draft]
        return [(entry, claim) for entry in entries for claim in entry.claims
                if claim.framework == framework_id]


ACCEPTED, REFUSED = "accepted", "refused"


@dataclass(frozen=True, slots=True)
class Validation:
    """An evaluator's decision on one item of one candidate (from a credential or a record)."""

    framework: str
    item: str
    evaluator: str
    date: dt.date
    decision: str = ACCEPTED
    level: str = ""
    comment: str = ""
    entry: str = ""
    credential_id: str = ""
    record: str = ""  # a refusal's record id (its file's name without .yml); "" for a credential

    @property
    def accepted(self) -> bool:
        return self.decision == ACCEPTED
