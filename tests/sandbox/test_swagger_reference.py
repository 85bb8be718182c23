"""Every sandbox response in this suite is validated against iamport's swagger (conftest);
this test makes its absence visible instead of silently validating nothing."""

from .swagger import SWAGGER, require_swagger, swagger


def test_swagger_reference_is_present_so_responses_are_validated() -> None:
    require_swagger()
    assert "PaymentAnnotation" in swagger()["definitions"], SWAGGER
