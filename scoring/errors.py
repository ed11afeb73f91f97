"""Domain errors.

Each error carries a stable code and its parameters instead of a sentence: the user-facing
(Chinese) wording lives in one place, `bot.texts`, so the pure domain holds no prose.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


class DomainError(Exception):
    """A refusal the user can act on, identified by `code` and rendered by the text module."""

    def __init__(self, code: str, **params: Any) -> None:
        self.code = code
        self.params = params
        super().__init__(f"{code}: {params}" if params else code)


@dataclass(frozen=True)
class RowProblem:
    """One bad row of an import file: its 1-based line number and what is wrong with it."""

    line: int
    code: str
    params: dict[str, Any] = field(default_factory=dict)


# Bad rows a refusal lists: the first ones, then how many more. A file of a million bad rows
# is refused with twenty, not with a million lines (and the memory to hold them).
SHOWN_PROBLEMS = 20
# Bad rows a file is checked for: at the thousandth the file is refused without reading on, so
# that a file of a million bad rows costs what a thousand do. Its refusal says where the check
# stopped.
COUNTED_PROBLEMS = 1_000


class ImportRejected(DomainError):
    """A file with any bad row is refused whole; this lists the first SHOWN_PROBLEMS bad rows
    and counts the rest (`more`); `stopped_at` is the line where the check stopped, if it
    stopped at COUNTED_PROBLEMS bad rows before the end of the file."""

    def __init__(
        self,
        problems: list[RowProblem],
        hint: str | None = None,
        sheet: str | None = None,
        more: int = 0,
        stopped_at: int | None = None,
    ) -> None:
        shown = problems[:SHOWN_PROBLEMS]
        more += len(problems) - len(shown)
        count = len(shown) + more
        # A workbook's refusal names the sheet its line numbers are on; one whose check
        # stopped early says that the count is a least.
        code = "import_rejected" if stopped_at is None else "import_rejected_stopped"
        if sheet is None:
            super().__init__(code, count=count)
        else:
            super().__init__(code + "_sheet", count=count, sheet=sheet)
        self.problems = shown
        self.more = more
        self.stopped_at = stopped_at
        # A code for what the user can do about it, said after the rows.
        self.hint = hint


class RowProblems:
    """Bad rows gathered as a file is read: the first SHOWN_PROBLEMS kept, the rest counted;
    at COUNTED_PROBLEMS the file is refused at once (add raises ImportRejected)."""

    def __init__(self) -> None:
        self.shown: list[RowProblem] = []
        self.more = 0

    def add(self, problem: RowProblem) -> None:
        if len(self.shown) < SHOWN_PROBLEMS:
            self.shown.append(problem)
        else:
            self.more += 1
        if len(self.shown) + self.more >= COUNTED_PROBLEMS:
            raise ImportRejected(self.shown, more=self.more, stopped_at=problem.line)

    def __bool__(self) -> bool:
        return bool(self.shown)

    def rejected(self) -> ImportRejected:
        # Problems found in a later pass (days waiting for the file's year) in line order too.
        return ImportRejected(sorted(self.shown, key=lambda p: p.line), more=self.more)


@dataclass(frozen=True)
class RulesetProblem:
    """One thing wrong in a ruleset file: where (`modifiers.0.points`), what (pydantic's error
    type or a `ruleset_…` code), its facts, and the validator's own English."""

    field: str
    code: str
    params: dict[str, str]
    message: str


class RulesetRejected(DomainError):
    """A ruleset file refused; this lists everything wrong with it."""

    def __init__(self, problems: list[RulesetProblem]) -> None:
        super().__init__("ruleset_invalid", count=len(problems))
        self.problems = problems
