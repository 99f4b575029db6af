"""Resource quantities (``250m``, ``128Mi``) as the quota controller adds them up.

apimachinery's ``Quantity``: an exact amount that prints in the suffix family it was written in
(binary ``Ki``/``Mi``/``Gi`` or decimal ``m``/``k``/``M``), canonically (``1500m``, ``1Gi``), so a
quota's ``status.used`` reads as a real cluster writes it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal

_BINARY = {"Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60}
_DECIMAL = {"n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}
_DECIMAL_SUFFIX = {v: k for k, v in _DECIMAL.items()}
_BINARY_SUFFIX = {v: k for k, v in _BINARY.items()}
_PATTERN = re.compile(r"([+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+))([eE][+-]?[0-9]+|[A-Za-z]*)")


@dataclass(frozen=True, slots=True)
class Quantity:
    """An amount and whether it prints with binary suffixes."""

    value: Decimal
    binary: bool = False

    def __add__(self, other: Quantity) -> Quantity:
        return Quantity(self.value + other.value, self.binary)  # Add keeps the receiver's format

    def __str__(self) -> str:
        value = self.value
        if value == 0:
            return "0"
        value = value.scaleb(9).to_integral_value(rounding=ROUND_CEILING).scaleb(-9)
        if self.binary and abs(value) >= 1024 and value == value.to_integral_value():
            amount, exp = int(value), 0
            while exp < 60 and amount % 1024 == 0:
                amount //= 1024
                exp += 10
            return f"{amount}{_BINARY_SUFFIX.get(exp, '')}"
        amount, exp = int(value.scaleb(9)), -9
        while exp < 18 and amount % 1000 == 0:
            amount //= 1000
            exp += 3
        return f"{amount}{_DECIMAL_SUFFIX[exp]}"


ZERO = Quantity(Decimal(0))


def parse(text: object) -> Quantity:
    """A quantity from its API form; anything unparsable counts as zero."""
    if isinstance(text, int) and not isinstance(text, bool):
        return Quantity(Decimal(text))
    if not isinstance(text, str):
        return ZERO
    match = _PATTERN.fullmatch(text.strip())
    if match is None:
        return ZERO
    number, suffix = Decimal(match.group(1)), match.group(2)
    if suffix in _BINARY:
        return Quantity(number * (Decimal(2) ** _BINARY[suffix]), binary=True)
    exponent = _DECIMAL.get(suffix)
    if exponent is None and suffix[:1] in ("e", "E"):
        exponent = int(suffix[1:])
    return ZERO if exponent is None else Quantity(number.scaleb(exponent))


def total(quantities: list[Quantity], *, like: Quantity = ZERO) -> Quantity:
    """The sum, printed like the first term (or like ``like`` when there is none)."""
    result = quantities[0] if quantities else Quantity(Decimal(0), like.binary)
    for q in quantities[1:]:
        result = result + q
    return result
