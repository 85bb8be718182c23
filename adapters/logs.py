"""The logging setup of every command: one place every log line passes through.

Anything a request carries (a webhook's imp_uid, a path, a header) may reach a log line. The
formatters here escape control characters (newline, CR, NUL, ESC, C1, Unicode line breaks) in
the message, so no request can write a line of its own; a traceback keeps its lines, each
marked as a continuation of the record it belongs to (docs/adr/0020).
"""

import logging
import logging.config
from types import TracebackType
from typing import Any

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
        return escape(super().formatMessage(record))

    def formatException(self, ei: ExcInfo) -> str:  # type: ignore[override]
        return continuation(super().formatException(ei))

    def formatStack(self, stack_info: str) -> str:
        return continuation(super().formatStack(stack_info))


class EscapingFormatter(Escaping, logging.Formatter):
    """Ours, the libraries' and uvicorn's server logs."""


def access_formatter(fmt: str) -> logging.Formatter:
    """uvicorn's access log formatter (the request line is the client's, decoded), escaped;
    uvicorn is imported only when a command configures it."""
    from uvicorn.logging import AccessFormatter

    class EscapingAccessFormatter(Escaping, AccessFormatter):
        pass

    return EscapingAccessFormatter(fmt=fmt, use_colors=False)


FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
ACCESS_FORMAT = '%(asctime)s %(levelname)s %(client_addr)s - "%(request_line)s" %(status_code)s'


def log_config(level: str = "WARNING") -> dict[str, Any]:
    """A `logging.config.dictConfig` (uvicorn's `log_config` too): uvicorn's loggers as uvicorn
    sets them up, ours and the libraries' on the root at `level`, all escaped."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "default": {"()": EscapingFormatter, "fmt": FORMAT},
            "access": {"()": access_formatter, "fmt": ACCESS_FORMAT},
        },
        "handlers": {
            "default": {
                "class": "logging.StreamHandler",
                "formatter": "default",
                "stream": "ext://sys.stderr",
            },
            "access": {
                "class": "logging.StreamHandler",
                "formatter": "access",
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


def configure(level: str = "WARNING") -> None:
    """Set up logging for a command that does not run uvicorn (jobs, report)."""
    logging.config.dictConfig(log_config(level))
