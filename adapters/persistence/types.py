"""Column types shared by the tables: UTC datetimes, integer money, bytes."""

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import BigInteger, DateTime, Integer, LargeBinary
from sqlalchemy.dialects import mysql
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import TypeDecorator, TypeEngine

# DATETIME(6) on MySQL/MariaDB (microseconds); SQLite stores ISO text at full precision.
DATETIME6 = DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")

# Primary keys of the history log: BIGINT AUTO_INCREMENT on MySQL, INTEGER PRIMARY KEY (the
# rowid alias, the only auto-incrementing type) on SQLite.
BIGINT_AUTOINCREMENT = BigInteger().with_variant(Integer(), "sqlite")

Money = BigInteger  # KRW, whole won: never float, never Decimal


class UtcDateTime(TypeDecorator[datetime]):
    """An aware UTC datetime in the program, a naive UTC DATETIME(6) in the database.

    Binding a naive datetime is a bug (whose clock was it?) and raises.
    """

    impl = DateTime
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[datetime]:
        if dialect.name in ("mysql", "mariadb"):
            return dialect.type_descriptor(mysql.DATETIME(fsp=6))
        return dialect.type_descriptor(DateTime())

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("naive datetime given to a UTC column; pass an aware datetime")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class _UnhexOnMysql(FunctionElement[bytes]):
    """UNHEX(:param) on MySQL/MariaDB, the bare parameter elsewhere."""

    inherit_cache = True
    type = LargeBinary()


@compiles(_UnhexOnMysql)
def _render_plain(element: _UnhexOnMysql, compiler: Any, **kw: Any) -> str:
    return compiler.process(element.clauses, **kw)


@compiles(_UnhexOnMysql, "mysql")
@compiles(_UnhexOnMysql, "mariadb")
def _render_unhex(element: _UnhexOnMysql, compiler: Any, **kw: Any) -> str:
    return f"UNHEX({compiler.process(element.clauses, **kw)})"


class Blob(TypeDecorator[bytes]):
    """Bytes: MEDIUMBLOB on MySQL/MariaDB, BLOB on SQLite.

    On MySQL the value is sent as hex text and decoded by UNHEX(): aiomysql 0.3.2 cannot bind
    `bytes` with PyMySQL >= 1.2 (`escape_bytes_prefixed` became a placeholder string there).
    """

    impl = LargeBinary
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[bytes]:
        if dialect.name in ("mysql", "mariadb"):
            return dialect.type_descriptor(mysql.MEDIUMBLOB())
        return dialect.type_descriptor(LargeBinary())

    def bind_expression(self, bindvalue: Any) -> Any:
        return _UnhexOnMysql(bindvalue)

    def bind_processor(self, dialect: Dialect) -> Any:
        if dialect.name not in ("mysql", "mariadb"):
            return super().bind_processor(dialect)

        def to_hex(value: bytes | None) -> str | None:
            return None if value is None else bytes(value).hex()

        return to_hex  # replaces the driver's binary processor: the parameter is text

    def process_result_value(self, value: Any, dialect: Dialect) -> bytes | None:
        return bytes(value) if value is not None else None
