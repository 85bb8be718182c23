"""Raw card data for key issuance. Lives only in memory for one call; repr never shows it."""

import re
from dataclasses import dataclass, field

from domain.errors import InvalidValue

_NUMBER = re.compile(r"^\d{4}-?\d{4}-?\d{4}-?\d{2,4}$")
_EXPIRY = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


@dataclass(frozen=True, slots=True)
class CardCredentials:
    number: str = field(repr=False)
    expiry: str = field(repr=False)  # YYYY-MM
    birth: str = field(repr=False)  # YYMMDD, or 10-digit business number for corporate cards
    pwd_2digit: str = field(repr=False)

    def __post_init__(self) -> None:
        if not isinstance(self.number, str) or not _NUMBER.match(self.number):
            raise InvalidValue("card_number", "must be 14 to 16 digits, dashes allowed")
        if not isinstance(self.expiry, str) or not _EXPIRY.match(self.expiry):
            raise InvalidValue("expiry", "must be YYYY-MM")
        if not isinstance(self.birth, str) or not (
            self.birth.isdigit() and len(self.birth) in (6, 10)
        ):
            raise InvalidValue("birth", "must be 6 digits (YYMMDD) or a 10-digit business number")
        if not isinstance(self.pwd_2digit, str) or not (
            self.pwd_2digit.isdigit() and len(self.pwd_2digit) == 2
        ):
            raise InvalidValue("pwd_2digit", "must be the first 2 digits of the card password")

    @property
    def digits(self) -> str:
        return self.number.replace("-", "")

    @property
    def dashed_number(self) -> str:
        d = self.digits
        return "-".join(d[i : i + 4] for i in range(0, len(d), 4))

    @property
    def masked(self) -> str:
        return "*" * (len(self.digits) - 4) + self.digits[-4:]

    def __repr__(self) -> str:
        return f"CardCredentials(number={self.masked})"

    __str__ = __repr__
