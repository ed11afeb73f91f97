"""Points as methods write them: whole or with up to two decimals (0.5, 135.4), always exact.

A number of points is held as an int of hundredths (0.5 is 50, 135.4 is 13540, 5 is 500) from
the ruleset file to the ledger to every output: sums, floors and ranks are integer arithmetic,
never floating point. Text is read into hundredths where it enters (`parse_points`) and
hundredths are shown as the method writes them where they leave (`show_points`: 135.4, not
135.40; 5, not 5.00).
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Final

from scoring.errors import DomainError

# Hundredths in one point.
ONE: Final = 100
# Plain decimal notation in ASCII digits, at most two decimals: no exponent (1e3), no NaN or
# infinity, no third decimal that would have to be rounded away (0.125).
_DECIMAL = re.compile(r"([+-]?)([0-9]+)(?:\.([0-9]{1,2}))?")


# Full-width digits, point and signs as their ASCII forms; nothing else (NFKC would also read a
# superscript ² or a circled ① as a digit, which no clerk means as points).
_FULL_WIDTH: Final = str.maketrans("０１２３４５６７８９．＋－", "0123456789.+-")


def parse_points(text: str) -> int | None:
    """`text` as hundredths, or None when it is not points as a method writes them.

    Full-width digits, point and signs (`１.５`, `－３`) are read as their plain forms, as
    names are: a clerk typing with a Chinese input method writes them so, and they mean
    one number only. Anything else, a third decimal or an exponent included, is None."""
    plain = text.translate(_FULL_WIDTH).strip()
    match = _DECIMAL.fullmatch(plain)
    if match is None:
        return None
    sign, whole, fraction = match.groups()
    value = int(whole) * ONE + int((fraction or "").ljust(2, "0"))
    return -value if sign == "-" else value


def hundredths(value: int | Decimal | str) -> int:
    """A ruleset's number (TOML read with Decimal for its floats, so never a float) as
    hundredths; ValueError for one with more than two decimals or none at all."""
    if isinstance(value, bool):
        raise ValueError("points must be a number")
    if isinstance(value, int):
        return value * ONE
    try:
        scaled = Decimal(value) * ONE
    except InvalidOperation as exc:
        raise ValueError("points must be a number") from exc
    if not scaled.is_finite() or scaled != scaled.to_integral_value():
        raise ValueError("points have at most two decimals")
    return int(scaled)


def show_points(value: int, *, signed: bool = False) -> str:
    """Hundredths as the method writes them: `5`, `0.5`, `135.4`, `-0.25` (`+5` signed)."""
    sign = "-" if value < 0 else "+" if signed and value > 0 else ""
    whole, fraction = divmod(abs(value), ONE)
    if fraction == 0:
        return f"{sign}{whole}"
    return f"{sign}{whole}.{fraction:02d}".rstrip("0")


def points_json(value: int) -> int | float:
    """Hundredths as a JSON number: an int when whole (the seeds' JSON stays as it was), else the
    float whose shortest text is the decimal itself (Python writes 135.4 for 13540 / 100: the
    division is correctly rounded and no shorter text round-trips to that double for any sum a
    ledger can reach), for JSON has no other way to write 135.4."""
    whole, fraction = divmod(value, ONE)
    return whole if fraction == 0 else value / ONE


def points_cell(value: int) -> int | Decimal:
    """Hundredths as a table's number: an int when whole, else the exact Decimal (a workbook
    stores it as a number, a document prints it as the method writes it)."""
    whole, fraction = divmod(value, ONE)
    return whole if fraction == 0 else Decimal(value) / ONE


def check_points_text(text: str, code: str) -> int:
    """`text` as hundredths, or DomainError `code` naming what was written."""
    value = parse_points(text)
    if value is None:
        raise DomainError(code, value=text.strip()[:20])
    return value
