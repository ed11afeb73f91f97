"""Names as people write them: the one resolver for items, modifiers and groups, in chat and
in files.

A name is found by, in this order: its id (any case); its label; its label without the bracketed
remark at its end (`配合承办自治区政府办公厅专项调研` for `…调研（每次）`); or a part of a label
that only one label contains (`决策参考`). Labels are compared folded: full- and half-width
forms, case, spaces, quotes and title marks (《》“”) ignored, brackets of every width alike. A name
that fits several is refused with the candidates, never guessed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache
from typing import Generic, TypeVar

from scoring.errors import DomainError

T = TypeVar("T")

# Quotes and title marks around a publication's name are decoration: 《决策参考》 is 决策参考.
_MARKS = re.compile(r"[\s《》〈〉“”‘’\"'「」『』]")
# After NFKC every bracket is ASCII except these.
_BRACKETS = str.maketrans("【〔［｛】〕］｝", "(((())))")
_REMARK = re.compile(r"\([^()]*\)$")
# What separates the names of a list in one cell: `卫健委;市卫健委`, `卫健委、市卫健委` …
_LIST = re.compile(r"[;；、,，]")
# Candidates shown in a refusal: enough to choose from.
SHOWN = 8


@lru_cache(maxsize=4096)
def fold(text: str) -> str:
    """A name as compared: width, case, spaces, quotes and bracket styles ignored. Cached: the
    same few dozen labels are folded for every name a chat message or a file row gives."""
    folded = unicodedata.normalize("NFKC", text).casefold().translate(_BRACKETS)
    return _MARKS.sub("", folded)


@lru_cache(maxsize=4096)
def without_remark(folded: str) -> str:
    """A folded label without the bracketed remark at its end: `调整(须注明原因)` → `调整`."""
    return _REMARK.sub("", folded) or folded


@dataclass(frozen=True)
class Candidate(Generic[T]):
    """Something a name may refer to: its id, its label and the thing itself."""

    id: str
    label: str
    value: T


@dataclass(frozen=True)
class Found(Generic[T]):
    """What a name resolved to, and whether it was a whole name (an id, a label, a label
    without its remark) rather than a part of one, which a person should confirm."""

    value: T
    exact: bool


def resolve(text: str, candidates: Iterable[Candidate[T]], kind: str) -> T:
    """The one candidate `text` names; DomainError `<kind>_missing`, `<kind>_unknown` or
    `<kind>_ambiguous` (with the candidates, numbered in a refusal) otherwise."""
    return find(text, candidates, kind).value


def find(text: str, candidates: Iterable[Candidate[T]], kind: str) -> Found[T]:
    """As `resolve`, saying whether the name was whole or a part of a label."""
    options = list(candidates)
    text = text.strip()
    if not text:
        raise DomainError(f"{kind}_missing")
    key = unicodedata.normalize("NFKC", text).casefold()
    for option in options:
        if option.id.casefold() == key:
            return Found(option.value, exact=True)
    wanted = fold(text)
    if wanted:
        labels = [(option, fold(option.label)) for option in options]
        for exact, matches in (
            (True, [o for o, label in labels if label == wanted]),
            (True, [o for o, label in labels if without_remark(label) == wanted]),
            (False, [o for o, label in labels if wanted in label]),
        ):
            tier = _distinct(matches)
            if len(tier) == 1:
                return Found(tier[0].value, exact)
            if tier:
                raise DomainError(
                    f"{kind}_ambiguous",
                    text=text,
                    candidates=[(o.id, o.label) for o in tier[:SHOWN]],
                    more=max(0, len(tier) - SHOWN),
                )
    raise DomainError(f"{kind}_unknown", **{kind: text}, known=[o.label for o in options])


def _distinct(matches: list[Candidate[T]]) -> list[Candidate[T]]:
    """One thing may have several names (a label and a chat label): it is one candidate."""
    return list({o.id: o for o in reversed(matches)}.values())[::-1]


# A near name shares at least this part of its characters, in order, with a label.
NEAR = 0.6


def suggest(text: str, candidates: Iterable[Candidate[T]]) -> list[Candidate[T]]:
    """The candidates a mistyped name most likely meant (`决测参考` → 《决策参考》): those
    whose label holds most of its characters in order, the best first; none if nothing is near.
    A guess to offer a person, never to act on unasked."""
    wanted = fold(text)
    if len(wanted) < 2:
        return []
    scored: list[tuple[float, Candidate[T]]] = []
    for option in candidates:
        blocks = SequenceMatcher(None, wanted, fold(option.label), autojunk=False)
        share = sum(b.size for b in blocks.get_matching_blocks()) / len(wanted)
        if share >= NEAR:
            scored.append((share, option))
    if not scored:
        return []
    best = max(share for share, _ in scored)
    return _distinct([o for share, o in scored if share == best])[:SHOWN]


def split_list(text: str) -> list[str]:
    """The names of a list written in one cell, separated by `;`, `；`, `、` or `,`."""
    return [part.strip() for part in _LIST.split(text) if part.strip()]
