"""SQL statements written once, with named parameters (`:name`), and compiled for each store by
a small tokenizer that knows what SQL text is made of: string literals ('it''s'), quoted
identifiers ("x"), comments (-- and /* */) and PostgreSQL's `::` casts are copied as they are,
so a `:name` or a `?` inside them is never taken for a parameter.

Both stores get positional parameters in the order of each name's first appearance: SQLite
`?1, ?2, ...` (a name used twice is one parameter), PostgreSQL `$1, $2, ...`. A statement names
the database beside SQLite's working file as `{data}.table` and a temporary table as
`{temp}.table`: SQLite keeps those schema names, PostgreSQL (one database, temporary tables
first on its search path) drops them.

Where the stores differ, a statement is written for each (`sql(sqlite=..., postgres=...)`);
one written for a single store only runs there. Every statement is made by `sql()` when its
module is imported and kept in STATEMENTS, so a test can have each store check all of them.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from operator import itemgetter
from typing import Final, cast

SQLITE: Final = "sqlite"
POSTGRES: Final = "postgres"
# The schema names a statement may give a table, as each store writes them.
SCHEMAS = {"data": {SQLITE: "data.", POSTGRES: ""}, "temp": {SQLITE: "temp.", POSTGRES: ""}}

Params = Mapping[str, object]
NO_PARAMS: Params = {}


class SqlError(ValueError):
    """A statement the compiler cannot read (an unclosed literal or comment, a bad placeholder)."""


class Compiled:
    """A statement as one store runs it: its text, and how a mapping of parameters becomes the
    positional values the driver binds."""

    __slots__ = ("bind", "names", "text")

    def __init__(self, text: str, names: tuple[str, ...], arrays: Collection[str]) -> None:
        self.text = text
        self.names = names
        self.bind = _binder(names, arrays)


def _binder(
    names: tuple[str, ...], arrays: Collection[str]
) -> Callable[[Params], tuple[object, ...]]:
    """params → the values in `names` order, made once per statement (the call is the hot path).
    `arrays` are lists SQLite gets as JSON text (read there by json_each)."""
    if arrays:

        def bind(params: Params) -> tuple[object, ...]:
            return tuple(json.dumps(params[n]) if n in arrays else params[n] for n in names)

        return bind
    if not names:
        return lambda params: ()
    if len(names) == 1:
        (only,) = names
        return lambda params: (params[only],)
    return cast(Callable[[Params], tuple[object, ...]], itemgetter(*names))


class Statement:
    """One SQL statement of the project, per store: compiled the first time a store runs it."""

    __slots__ = ("_compiled", "arrays", "module", "texts")

    def __init__(self, texts: Mapping[str, str], arrays: Collection[str] = ()) -> None:
        self.texts = dict(texts)
        self.arrays = frozenset(arrays)
        self._compiled: dict[str, Compiled] = {}
        # The module that declared it (tests declare their own, to read tables directly).
        self.module = _declaring_module()

    def runs_on(self, dialect: str) -> bool:
        return dialect in self.texts

    def compiled(self, dialect: str) -> Compiled:
        found = self._compiled.get(dialect)
        if found is None:
            if dialect not in self.texts:
                raise SqlError(f"{self!r} is not written for {dialect}")
            text, names = compile_sql(self.texts[dialect], dialect)
            # On PostgreSQL an array is bound as a list.
            found = Compiled(text, names, self.arrays if dialect == SQLITE else ())
            self._compiled[dialect] = found
        return found

    def __repr__(self) -> str:
        return f"Statement({next(iter(self.texts.values()))!r})"


STATEMENTS: list[Statement] = []


def _declaring_module() -> str:
    """The first module up the stack outside the statement machinery."""
    frame = sys._getframe(1)
    while frame.f_back is not None and frame.f_globals.get("__name__") in _MACHINERY:
        frame = frame.f_back
    return str(frame.f_globals.get("__name__", ""))


_MACHINERY = {__name__, "bot.storage.connection"}


def sql(
    both: str | None = None,
    *,
    sqlite: str | None = None,
    postgres: str | None = None,
    arrays: Collection[str] = (),
) -> Statement:
    """A statement for both stores (`both`), or for each as written. `arrays` names parameters
    bound to a list: PostgreSQL reads them as an array (`= ANY(:ids)`), SQLite as JSON text
    (`IN (SELECT value FROM json_each(:ids))`)."""
    texts = {SQLITE: both, POSTGRES: both} if both is not None else {}
    if sqlite is not None:
        texts[SQLITE] = sqlite
    if postgres is not None:
        texts[POSTGRES] = postgres
    if not texts:
        raise SqlError("a statement needs its text")
    statement = Statement(texts, arrays)
    for dialect, text in texts.items():
        # Read now: a mistake shows when the module is imported, not when the statement runs.
        compile_sql(text, dialect)
    STATEMENTS.append(statement)
    return statement


def variants(make: Callable[[str], str], keys: Sequence[str]) -> dict[str, Statement]:
    """One statement per key (a table, a column count) for SQL that differs only by what it
    names, all of them declared."""
    return {key: sql(make(key)) for key in keys}


def compile_sql(text: str, dialect: str) -> tuple[str, tuple[str, ...]]:
    """The text as `dialect` runs it, and the parameter names in the order it binds them."""
    out: list[str] = []
    names: list[str] = []
    for kind, token in tokens(text):
        if kind == PARAMETER:
            name = token[1:]
            if name not in names:
                names.append(name)
            number = names.index(name) + 1
            out.append(f"?{number}" if dialect == SQLITE else f"${number}")
        elif kind == SCHEMA:
            out.append(SCHEMAS[token[1:-2]][dialect])
        else:
            out.append(token)
    return "".join(out), tuple(names)


# What tokens() tells apart.
PARAMETER = "parameter"  # :name
SCHEMA = "schema"  # {data}. or {temp}.
MARK = "mark"  # ? (left alone by compile_sql; PostgreSQL's JSON operator)
QUOTED = "quoted"  # a string literal or a quoted identifier
COMMENT = "comment"
OTHER = "other"  # words, numbers, operators (a :: cast among them), spaces


def tokens(text: str) -> Iterator[tuple[str, str]]:
    """The statement cut into what matters to the compiler; joined, the tokens are the text."""
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c in "'\"":
            end = _quoted_end(text, i, c)
            kind = QUOTED
        elif text.startswith("--", i):
            end = text.find("\n", i)
            end = n if end < 0 else end
            kind = COMMENT
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            if end < 0:
                raise SqlError(f"unclosed comment in {text!r}")
            end += 2
            kind = COMMENT
        elif text.startswith("::", i):
            end, kind = i + 2, OTHER
        elif c == ":" and i + 1 < n and (text[i + 1].isalpha() or text[i + 1] == "_"):
            end = i + 1
            while end < n and (text[end].isalnum() or text[end] == "_"):
                end += 1
            kind = PARAMETER
        elif c == "{":
            end = text.find("}", i) + 2
            if end < 2 or text[i + 1 : end - 2] not in SCHEMAS or text[end - 1 : end] != ".":
                raise SqlError(f"unknown placeholder at {text[i : i + 12]!r} in {text!r}")
            kind = SCHEMA
        elif c == "?":
            end, kind = i + 1, MARK
        else:
            end = i + 1
            while end < n and text[end] not in "'\"-/:{?":
                end += 1
            kind = OTHER
        yield kind, text[i:end]
        i = end


def _quoted_end(text: str, start: int, quote: str) -> int:
    """Where a literal or quoted identifier opened at `start` ends (a doubled quote is one)."""
    i = start + 1
    while True:
        i = text.find(quote, i)
        if i < 0:
            raise SqlError(f"unclosed {quote} in {text!r}")
        if text.startswith(quote * 2, i):
            i += 2
            continue
        return i + 1
