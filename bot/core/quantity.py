"""Kubernetes resource quantities (``100m``, ``128Mi``): parse, add and print canonically.

``describe node`` sums the pods' requests and limits and prints them as apimachinery's
``Quantity.String()`` would, so the sums need the same canonical form (``1500m``, ``192Mi``,
``2k``) and the same rounding (``MilliValue``/``Value`` round up).
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal, localcontext

_BINARY = {"Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60}
_DECIMAL = {"n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}
_SUFFIX_BY_EXP = {v: k for k, v in _DECIMAL.items()}
_BINARY_BY_EXP = {v: k for k, v in _BINARY.items()}
_PATTERN = re.compile(r"([+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+))([eE][+-]?[0-9]+|[A-Za-z]*)")


class Format(enum.StrEnum):
    """How a quantity prints, taken from the way it was written."""

    DECIMAL_SI = "DecimalSI"
    BINARY_SI = "BinarySI"


@dataclass(frozen=True, slots=True)
class Quantity:
    """An exact amount plus the suffix family it prints with."""

    value: Decimal
    format: Format = Format.DECIMAL_SI

    def __add__(self, other: Quantity) -> Quantity:
        return Quantity(self.value + other.value, self.format)

    def milli_value(self) -> int:
        """``MilliValue()``: thousandths, rounded up."""
        return int((self.value * 1000).to_integral_value(rounding=ROUND_CEILING))

    def int_value(self) -> int:
        """``Value()``: units, rounded up."""
        return int(self.value.to_integral_value(rounding=ROUND_CEILING))

    def __str__(self) -> str:
        return _canonical(self.value, self.format)


ZERO = Quantity(Decimal(0))


def parse(text: object) -> Quantity:
    """A quantity from its API string (or number); unparsable input counts as zero."""
    if isinstance(text, int | float) and not isinstance(text, bool):
        return Quantity(Decimal(str(text)))
    if not isinstance(text, str):
        return ZERO
    match = _PATTERN.fullmatch(text.strip())
    if not match:
        return ZERO
    number, suffix = Decimal(match.group(1)), match.group(2)
    with localcontext() as ctx:
        ctx.prec = 60
        if suffix in _BINARY:
            return Quantity(number * (Decimal(2) ** _BINARY[suffix]), Format.BINARY_SI)
        if suffix in _DECIMAL:
            return Quantity(number.scaleb(_DECIMAL[suffix]))
        if suffix[:1] in ("e", "E"):
            return Quantity(number.scaleb(int(suffix[1:])))
    return ZERO


def _canonical(value: Decimal, fmt: Format) -> str:
    if value == 0:
        return "0"
    # Precision finer than nano rounds up, as apimachinery does.
    value = (value.scaleb(9).to_integral_value(rounding=ROUND_CEILING)).scaleb(-9)
    if fmt is Format.BINARY_SI and abs(value) >= 1024 and value == value.to_integral_value():
        amount, exp = int(value), 0
        while exp < 60 and amount % 1024 == 0:
            amount //= 1024
            exp += 10
        return f"{amount}{_BINARY_BY_EXP.get(exp, '')}"
    exp = -9
    amount = int(value.scaleb(9))
    while exp < 18 and amount % 1000 == 0:
        amount //= 1000
        exp += 3
    return f"{amount}{_SUFFIX_BY_EXP[exp]}"


def total(quantities: list[Quantity]) -> Quantity:
    """The sum, in the first quantity's format (``Quantity.Add`` keeps the receiver's)."""
    if not quantities:
        return ZERO
    result = quantities[0]
    for q in quantities[1:]:
        result = result + q
    return result
