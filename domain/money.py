"""KRW amounts. Money is an int of won everywhere; never float or Decimal."""

from dataclasses import dataclass

from domain.errors import InvalidValue


@dataclass(frozen=True, slots=True)
class Amount:
    """A charge: the total and its tax-free part (면세공급가액), both in KRW."""

    total: int
    tax_free: int = 0

    def __post_init__(self) -> None:
        if not isinstance(self.total, int) or isinstance(self.total, bool) or self.total <= 0:
            raise InvalidValue("amount", "must be a positive whole number of KRW")
        if not isinstance(self.tax_free, int) or isinstance(self.tax_free, bool):
            raise InvalidValue("tax_free", "must be a whole number of KRW")
        if not 0 <= self.tax_free <= self.total:
            raise InvalidValue("tax_free", "must be between 0 and the amount")

    @property
    def taxable(self) -> int:
        return self.total - self.tax_free

    @property
    def vat(self) -> int:
        return vat_of(self.taxable)


def vat_of(taxable: int) -> int:
    """iamport's rule: VAT is 1/11 of the taxable part, rounded half up."""
    return (2 * taxable + 11) // 22 if taxable > 0 else 0
