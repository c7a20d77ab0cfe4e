"""The verifier's memory of the evaluator registries it has seen (issue 19 attack 4, issue 26 finding 5).

A web host may serve an old registry that still trusted an evaluator since removed.
Within one run `verify_site.flag_replayed_registries` compares the sites checked
together; across runs `verify` remembers, in the user's cache, the newest registry
version it has seen and the day it first saw it.

Versions are counted by whoever signs with a key: `registry sign` writes one above the
last registry of its workspace. Two workspaces under the same did:web (a second demo, a
second README tour, a test institution) have different keys and each start at 1, so the
memory is keyed by the institution's DID *and* the key that signed the registry (its
publicKeyMultibase): a fresh key starts a fresh sequence, and a replay is an older
version signed with the same key. An institution that rotates its key carries its
version on in the same workspace, so the old key's registries stay comparable with the
version seen under that key.

The file is small, sorted JSON the user can read and edit. An older file (version per
DID only, no key) cannot say which sequence it counted, so its entries are dropped, never
used to refuse; a file written by a newer portfolio-gen is left alone and not used.
Deleting the file, or `verify --forget-registry DID`, forgets what was seen, nothing more.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

from ..core.files import write_atomic

if TYPE_CHECKING:
    from .verify_site import SiteReport

FILE_NAME = "registries-seen.json"
FORMAT = 2
_ABOUT = ("portfolio-gen verify: the newest evaluator registry seen per institution and signing key, "
          "to report an older one replayed by a web host. Delete this file, or run "
          "`portfolio-gen verify --forget-registry DID`, to forget.")


@dataclass(frozen=True)
class Sighting:
    """The newest registry version seen of one institution under one key."""

    institution: str  # its DID
    key: str  # the publicKeyMultibase of the key that signed the registry
    verificationMethod: str  # noqa: N815 - named as in the file and the proof
    version: int
    firstSeen: str  # noqa: N815 - ISO date this version was first seen


@dataclass(frozen=True)
class Replay:
    """A registry older than one already seen with the same institution and key."""

    version: int
    newest: Sighting


class RegistryMemory:
    """What `verify` remembers of registries, read from and written back to `path`.

    Made with `load`; `remember` each registry verified, then `save`.
    """

    def __init__(self, path: Path, sightings: dict[tuple[str, str], Sighting], *,
                 old_entries: int = 0, writable: bool = True) -> None:
        self.path = path
        self._sightings = sightings
        self.old_entries = old_entries  # entries of the older format, dropped
        self.writable = writable  # False: a newer portfolio-gen's file, left alone

    @classmethod
    def load(cls, path: Path) -> RegistryMemory:
        """The memory in `path`; empty when the file is missing or unreadable (it is then
        started again: a corrupt memory is never trusted, nor allowed to block)."""
        try:
            data = json.loads(path.read_bytes())
        except FileNotFoundError:
            return cls(path, {})
        except (OSError, ValueError, RecursionError):
            return cls(path, {})
        if not isinstance(data, dict):
            return cls(path, {})
        if "format" not in data:  # the first format: {DID: {version, seen}}, no key
            return cls(path, {}, old_entries=sum(1 for value in data.values() if isinstance(value, dict)))
        if data.get("format") != FORMAT:
            return cls(path, {}, writable=not (isinstance(data["format"], int) and data["format"] > FORMAT))
        entries = data.get("registries")
        sightings = {}
        for entry in entries if isinstance(entries, list) else []:
            sighting = _sighting(entry)
            if sighting is not None:
                sightings[(sighting.institution, sighting.key)] = sighting
        return cls(path, sightings)

    def sightings(self) -> list[Sighting]:
        return sorted(self._sightings.values(), key=lambda s: (s.institution, s.key))

    def remember(self, institution: str, key: str, verification_method: str, version: int,
                 today: dt.date) -> Replay | None:
        """Record a verified registry; the Replay when an equal or newer version signed with
        the same key was seen before and this one is older."""
        known = self._sightings.get((institution, key))
        if known is not None and version < known.version:
            return Replay(version, known)
        if known is None or version > known.version:
            self._sightings[(institution, key)] = Sighting(institution, key, verification_method, version,
                                                           today.isoformat())
        return None

    def forget(self, institution: str) -> int:
        """Forget every registry seen of `institution`, whatever its key; how many were."""
        forgotten = [pair for pair in self._sightings if pair[0] == institution]
        for pair in forgotten:
            del self._sightings[pair]
        return len(forgotten)

    def save(self) -> None:
        if not self.writable:
            return
        data = {"format": FORMAT, "about": _ABOUT, "registries": [asdict(s) for s in self.sightings()]}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(self.path, json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def remember_registries(reports: Sequence[SiteReport], memory: RegistryMemory,
                        today: dt.date | None = None) -> list[tuple[SiteReport, Replay]]:
    """Across runs: each site's verified registry is remembered; those older than one seen
    before with the same institution and key are returned with what was seen, for the
    caller to report (and to say how to reset)."""
    day = today or dt.date.today()
    replays = []
    for report in reports:
        version, key = report.registry.get("version"), report.registry.get("publicKeyMultibase")
        if not isinstance(version, int) or not key or not report.institution:
            continue
        replay = memory.remember(report.institution, key, report.registry.get("verificationMethod", ""), version, day)
        if replay is not None:
            replays.append((report, replay))
    return replays


def _sighting(entry: object) -> Sighting | None:
    if not isinstance(entry, dict):
        return None
    fields = {name: entry.get(name) for name in Sighting.__dataclass_fields__}
    if not all(isinstance(fields[name], str) for name in ("institution", "key", "verificationMethod", "firstSeen")):
        return None
    if not isinstance(fields["version"], int) or isinstance(fields["version"], bool):
        return None
    return Sighting(**fields)
