"""Shared wire pieces: constrained scalars and the problem document (for OpenAPI)."""

from typing import Annotated

import msgspec
from litestar.params import QueryParameter
from msgspec import Meta

Id = Annotated[int, Meta(gt=0, lt=2**53, description="an id", examples=[1234567])]
Won = Annotated[int, Meta(gt=0, le=100_000_000, description="KRW", examples=[10000])]
TaxFree = Annotated[int, Meta(ge=0, le=100_000_000, description="tax-free part, KRW")]
ShortText = Annotated[str, Meta(min_length=1, max_length=100)]
Name = Annotated[str, Meta(min_length=1, max_length=100, examples=["돌고 정기후원"])]
BuyerName = Annotated[str, Meta(min_length=1, max_length=50, examples=["홍길동"])]
Tel = Annotated[str, Meta(pattern=r"^[0-9+\-() ]{7,20}$", examples=["010-1234-5678"])]
Email = Annotated[
    str, Meta(pattern=r"^[^@\s]{1,64}@[^@\s]{1,190}$", examples=["sponsor@example.kr"])
]
ImpUid = Annotated[str, Meta(pattern=r"^[A-Za-z0-9_\-]{1,60}$", examples=["imp_123456789012"])]
MerchantUid = Annotated[str, Meta(pattern=r"^[A-Za-z0-9_\-]{1,40}$", examples=["dp1234567a1"])]
Reason = Annotated[str, Meta(min_length=1, max_length=200, examples=["후원 취소 요청"])]
# Query parameters: Litestar applies constraints given as QueryParameter, not msgspec Meta.
Limit = Annotated[int, QueryParameter(ge=1, le=200, description="page size")]
Offset = Annotated[int, QueryParameter(ge=0, le=1_000_000)]
UserSeqQuery = Annotated[int | None, QueryParameter(gt=0, lt=2**53, description="user_seq")]
MerchantUidQuery = Annotated[str | None, QueryParameter(pattern=r"^[A-Za-z0-9_\-]{1,40}$")]
ImpUidQuery = Annotated[str | None, QueryParameter(pattern=r"^[A-Za-z0-9_\-]{1,60}$")]


class Problem(msgspec.Struct, omit_defaults=True):
    """RFC 9457 problem details, as every error is answered (application/problem+json)."""

    status: int
    code: str
    title: str
    detail: str
    type: str = "about:blank"
    field: str | None = None
    rule: str | None = None
    invalid_params: list[dict[str, str]] | None = None
