"""The logging setup of every command: one place every log line passes through.

Anything a request carries (a webhook's imp_uid, a path, a header) may reach a log line. The
formatters here escape control characters (newline, CR, NUL, ESC, C1, Unicode line breaks) in
the message, so no request can write a line of its own; a traceback keeps its lines, each
marked as a continuation of the record it belongs to (docs/adr/0020). Every line, in either
format, is scrubbed of issued card numbers, and carries the id of the request it was written
for (`REQUEST_ID`, set by adapters/http/request_id.py) (docs/adr/0023).

Formats (`DOLGO_LOG_FORMAT`): `text`, one line per record, or `json`, one JSON object per line
(python-json-logger): `timestamp` (UTC), `level`, `logger`, `message`, `request_id`, and
`exc_info` with a traceback.
"""

import logging
import logging.config
from contextvars import ContextVar
from types import TracebackType
from typing import Any, Literal

from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter

from domain.masking import scrub_issued_card_numbers

LogFormat = Literal["text", "json"]
LOG_FORMATS: tuple[LogFormat, ...] = ("text", "json")

# The id of the HTTP request being answered (None outside one: a job, the startup).
REQUEST_ID: ContextVar[str | None] = ContextVar("dolgo_pay_request_id", default=None)

_CONTROLS = [*range(0x20), 0x7F, *range(0x80, 0xA0), 0x2028, 0x2029]
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
_ESCAPES = {
    code: _NAMED.get(chr(code), f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
    for code in _CONTROLS
}
CONTINUATION = "  | "

ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None] | tuple[None, None, None]


def escape(text: str) -> str:
    """`text` on one line: every control character written as its escape."""
    return text.translate(_ESCAPES)


def continuation(text: str) -> str:
    """A multi-line block (a traceback) whose every line is marked as a continuation."""
    return "\n".join(CONTINUATION + escape(line) for line in text.split("\n"))


class Escaping(logging.Formatter):
    """Mixed into a formatter: the message on one line, tracebacks marked line by line."""

    def format(self, record: logging.LogRecord) -> str:
        cached, record.exc_text = record.exc_text, None  # another handler's, unescaped
        try:
            return super().format(record)
        finally:
            record.exc_text = cached

    def formatMessage(self, record: logging.LogRecord) -> str:
        return escape(scrub_issued_card_numbers(super().formatMessage(record)))

    def formatException(self, ei: ExcInfo) -> str:  # type: ignore[override]
        return continuation(scrub_issued_card_numbers(super().formatException(ei)))

    def formatStack(self, stack_info: str) -> str:
        return continuation(scrub_issued_card_numbers(super().formatStack(stack_info)))


class EscapingFormatter(Escaping, logging.Formatter):
    """Ours, the libraries' and uvicorn's server logs."""


def access_formatter(fmt: str) -> logging.Formatter:
    """uvicorn's access log formatter (the request line is the client's, decoded), escaped;
    uvicorn is imported only when a command configures it."""
    from uvicorn.logging import AccessFormatter

    class EscapingAccessFormatter(Escaping, AccessFormatter):
        pass

    return EscapingAccessFormatter(fmt=fmt, use_colors=False)  # its handler adds request_tag


class JsonLines(JsonFormatter):
    """One JSON object per record; every string in it scrubbed of issued card numbers. JSON's
    own escaping keeps each record on one line (non-ASCII as \\u escapes)."""

    def __init__(self) -> None:
        super().__init__(
            "{levelname}{name}{message}{request_id}",
            style="{",
            rename_fields={"levelname": "level", "name": "logger"},
            timestamp=True,
            reserved_attrs=[*RESERVED_ATTRS, "request_tag", "color_message"],
        )

    def process_log_record(self, log_data: dict[str, Any]) -> dict[str, Any]:
        return {
            key: scrub_issued_card_numbers(value) if isinstance(value, str) else value
            for key, value in log_data.items()
        }


class RequestContext(logging.Filter):
    """Adds the request id to every record a handler writes: `request_id` (None outside a
    request) and `request_tag` (" [<id>]", or nothing) for the text format."""

    def filter(self, record: logging.LogRecord) -> bool:
        request_id = REQUEST_ID.get()
        record.request_id = request_id
        record.request_tag = f" [{request_id}]" if request_id else ""
        return True


NO_REQUEST = {"request_id": None, "request_tag": ""}  # a handler without RequestContext
FORMAT = "%(asctime)s %(levelname)s %(name)s%(request_tag)s: %(message)s"
ACCESS_FORMAT = (
    '%(asctime)s %(levelname)s%(request_tag)s %(client_addr)s - "%(request_line)s" %(status_code)s'
)


def _formatters(fmt: LogFormat) -> dict[str, Any]:
    if fmt == "json":
        return {"default": {"()": JsonLines}, "access": {"()": JsonLines}}
    return {
        "default": {"()": EscapingFormatter, "fmt": FORMAT, "defaults": NO_REQUEST},
        "access": {"()": access_formatter, "fmt": ACCESS_FORMAT},
    }


def log_config(level: str = "WARNING", fmt: LogFormat = "text") -> dict[str, Any]:
    """A `logging.config.dictConfig` (uvicorn's `log_config` too): uvicorn's loggers as uvicorn
    sets them up, ours and the libraries' on the root at `level`, all escaped and scrubbed, in
    the format `fmt`, each line with its request's id."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": _formatters(fmt),
        "filters": {"request": {"()": RequestContext}},
        "handlers": {
            "default": {
                "class": "logging.StreamHandler",
                "formatter": "default",
                "filters": ["request"],
                "stream": "ext://sys.stderr",
            },
            "access": {
                "class": "logging.StreamHandler",
                "formatter": "access",
                "filters": ["request"],
                "stream": "ext://sys.stdout",
            },
        },
        "loggers": {
            "uvicorn": {"handlers": ["default"], "level": "INFO", "propagate": False},
            "uvicorn.error": {"level": "INFO"},
            "uvicorn.access": {"handlers": ["access"], "level": "INFO", "propagate": False},
        },
        "root": {"handlers": ["default"], "level": level},
    }


def configure(level: str = "WARNING", fmt: LogFormat = "text") -> None:
    """Set up logging for a command that does not run uvicorn (jobs, report)."""
    logging.config.dictConfig(log_config(level, fmt))
