"""Amount and VAT: KRW integers, the tax-free part, VAT as one eleventh of the taxable part."""

import pytest

from domain.errors import InvalidValue
from domain.money import Amount, vat_of


@pytest.mark.parametrize(
    ("total", "tax_free", "field"),
    [
        (0, 0, "amount"),
        (-100, 0, "amount"),
        (True, 0, "amount"),
        (1_000.0, 0, "amount"),
        (1_000, -1, "tax_free"),
        (1_000, 1_001, "tax_free"),
        (1_000, 1.5, "tax_free"),
    ],
)
def test_amount_validation_names_the_field(total, tax_free, field):
    with pytest.raises(InvalidValue) as caught:
        Amount(total, tax_free)
    assert caught.value.field == field


def test_a_fully_tax_free_amount_is_valid():
    assert Amount(1_000, 1_000).vat == 0


@pytest.mark.parametrize(
    ("taxable", "vat"),
    [
        (0, 0),
        (11, 1),
        (5, 0),
        (6, 1),
        (1_000, 91),
        (10_000, 909),
        (11_000, 1_000),
        (16, 1),
        (17, 2),
    ],
)
def test_vat_is_one_eleventh_of_the_taxable_part_rounded_half_up(taxable, vat):
    assert vat_of(taxable) == vat
