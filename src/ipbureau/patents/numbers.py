"""Chinese patent application numbers: normalisation and the check character.

Since 2003 an application number is 12 digits (year, type digit, serial) and a
check character; before, 8 digits. The check character is the weighted sum of the
digits (weights 2..9 repeating) modulo 11, with 10 written as X.
"""

from __future__ import annotations

import re

from ipbureau.patents.enums import PatentType

APPLICATION_NO_RE = re.compile(r"^(?:CN|ZL)?(\d{12}|\d{8})\.?([0-9X])$")
WEIGHTS = (2, 3, 4, 5, 6, 7, 8, 9) * 2


def check_character(digits: str) -> str:
    total = sum(int(d) * WEIGHTS[i] for i, d in enumerate(digits)) % 11
    return "X" if total == 10 else str(total)


class ApplicationNumberError(ValueError):
    pass


def normalise_application_no(raw: object) -> str:
    text = re.sub(r"[\s\u3000]", "", str(raw or "")).upper()
    match = APPLICATION_NO_RE.match(text)
    if not match:
        raise ApplicationNumberError(f"申请号格式不正确：“{raw}”（应如 CN202223220665.2）")
    digits, check = match.groups()
    expected = check_character(digits)
    if check != expected:
        raise ApplicationNumberError(f"申请号校验位不符：“{raw}”，按校验规则应为 {expected}")
    return f"CN{digits}.{check}"


def type_from_application_no(application_no: str) -> PatentType | None:
    digits = application_no[2:].split(".")[0]
    type_digit = digits[4] if len(digits) == 12 else digits[2]
    return {
        "1": PatentType.INVENTION,
        "8": PatentType.INVENTION,  # PCT application entering the national phase
        "2": PatentType.UTILITY_MODEL,
        "9": PatentType.UTILITY_MODEL,
        "3": PatentType.DESIGN,
    }.get(type_digit)


def make_application_no(year: int, type_digit: int, serial: int) -> str:
    """Build a valid number (used by the demo generator and tests)."""
    digits = f"{year:04d}{type_digit:01d}{serial:07d}"
    return f"CN{digits}.{check_character(digits)}"
