"""`dolgo-pay`: serve, migrate, sandbox, jobs run <job>, report settlement --date D [--csv].

Configuration errors are printed with the variable they concern, and the process exits 2. An
operator's failure (database unreachable, schema not migrated, port taken) and any unexpected
error are one line on stderr and exit 1; `dolgo-pay --debug <command>` shows the traceback and
the libraries' INFO logs (Alembic's among them). Heavy modules (uvicorn, persistence, sandbox) are imported only by the command that needs them.
"""

import argparse
import asyncio
import errno
import inspect
import logging
import os
import socket
import sys
from collections.abc import Sequence
from typing import Any

from adapters.config import AppConfig, ConfigErrors, demo_banner, load_config
from adapters.config.demo_rules import refuse_production
from adapters.failures import OperatorError, PortInUse
from adapters.logs import configure as configure_logging
from adapters.logs import log_config
from adapters.scheduler.jobs import JOBS, JobReport, JobUnavailable
from domain.errors import InvalidValue

log = logging.getLogger("dolgo_pay.cli")


def _config() -> AppConfig:
    try:
        return load_config()
    except ConfigErrors as exc:
        print(exc, file=sys.stderr)
        raise SystemExit(2) from None


# -- jobs --------------------------------------------------------------------------------------
async def run_job(name: str, config: AppConfig, container: Any = None) -> JobReport:
    if name not in JOBS:
        raise SystemExit(f"unknown job {name!r}; jobs: {', '.join(JOBS)}")
    from adapters.container import build_container

    container = container or build_container(config)
    started = container.init_resources()
    if started is not None:
        await started
    try:
        engine = container.engine()
        engine = await engine if inspect.isawaitable(engine) else engine
        if engine is not None:
            from adapters.persistence import check_schema

            await check_schema(engine)
        return await JOBS[name][1](container)
    finally:
        stopped = container.shutdown_resources()
        if stopped is not None:
            await stopped


# -- commands ----------------------------------------------------------------------------------
def serve(args: argparse.Namespace) -> int:
    config = _config()
    import uvicorn

    from adapters.http.worker import hand_down, share_metrics, share_scheduler

    if not config.production:
        print(demo_banner(config), flush=True)
    if not config.production and config.is_sqlite:
        print(_migrate(config), flush=True)
    else:
        asyncio.run(_check_database(config))  # before uvicorn: one line, not an ExceptionGroup
    check_port(config.host, config.port)
    hand_down(config, _root_level(args))
    if config.workers > 1:
        share_metrics()
        share_scheduler()
    workers = f", {config.workers} workers" if config.workers > 1 else ""
    print(f"dolgo-pay on {config.public_base_url}/  (API docs: /schema{workers})", flush=True)
    # An import string and a factory: uvicorn starts several workers only so (each builds its
    # own app); uvloop and httptools are used when installed (loop/http "auto").
    uvicorn.run(
        "adapters.http.worker:app",
        factory=True,
        workers=config.workers,
        host=config.host,
        port=config.port,
        log_level=args.log_level,
        log_config=log_config(_root_level(args), config.log_format),
        **proxy_options(config),
    )
    return 0


def _root_level(args: argparse.Namespace) -> str:
    """Our and the libraries' logs: warnings and errors; --debug adds INFO."""
    return "INFO" if args.debug else "WARNING"


def proxy_options(config: AppConfig) -> dict[str, Any]:
    """uvicorn reads X-Forwarded-For only from DOLGO_TRUSTED_PROXIES: its own default trusts any
    loopback peer (docs/adr/0016)."""
    trusted = [str(network) for network in config.trusted_proxies]
    if not trusted:
        return {"proxy_headers": False}
    return {"proxy_headers": True, "forwarded_allow_ips": trusted}


async def _check_database(config: AppConfig) -> None:
    from adapters.persistence import check_schema, create_engine

    engine = create_engine(config.database_url, pool_size=1, max_overflow=0)
    try:
        await check_schema(engine)
    finally:
        await engine.dispose()


def check_port(host: str, port: int) -> None:
    """Raise PortInUse unless `serve` can listen on host:port (uvicorn's own error names
    neither variable)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise PortInUse(
                    f"cannot listen on {host}:{port}: the address is already in use "
                    "(another dolgo-pay?); stop it or choose another DOLGO_PORT"
                ) from exc
            raise PortInUse(
                f"cannot listen on {host}:{port}: {exc.strerror}; check DOLGO_HOST and DOLGO_PORT"
            ) from exc


def _migrate(config: AppConfig) -> Any:
    from adapters.persistence.migrations import upgrade

    return upgrade(config.database_url)


def migrate(_: argparse.Namespace) -> int:
    config = _config()
    print(_migrate(config), flush=True)
    return 0


def sandbox(args: argparse.Namespace) -> int:
    refused = refuse_production(os.environ)
    if refused:
        print(ConfigErrors(refused), file=sys.stderr)
        return 2
    from adapters.iamport.sandbox import server

    server.run(args.host, args.port)
    return 0


def jobs(args: argparse.Namespace) -> int:
    if args.jobs_command != "run":
        return 2
    config = _config()
    # Warnings and errors on stderr; the one summary line on stdout (cron mails / alerts on
    # the exit code: 0 done, 1 the job reported errors or failed).
    configure_logging(_root_level(args), config.log_format)
    if not config.production and config.is_sqlite:
        _migrate(config)
    try:
        report = asyncio.run(run_job(args.job, config))
    except JobUnavailable as exc:
        print(exc, file=sys.stderr)
        return 1
    except Exception as exc:  # noqa: BLE001 - one line for cron; the traceback is logged
        if args.debug:
            log.exception("job %s failed", args.job)
        print(f"{args.job}: failed: {type(exc).__name__}: {exc}", flush=True)
        return 1
    print(
        f"{args.job}: {report.summary}" + (f" ({report.errors} errors)" if report.errors else ""),
        flush=True,
    )
    return 1 if report.errors else 0


async def settlement_report(config: AppConfig, day: Any, container: Any = None) -> Any:
    """The 정산 report of `day` (Asia/Seoul), as an operator of the command line sees it."""
    from adapters.container import build_container
    from application.use_cases.actor import Actor
    from application.use_cases.settlement_report import SettlementReportQuery

    container = container or build_container(config)
    started = container.init_resources()
    if started is not None:
        await started
    try:
        build = container.build_settlement_report()
        build = await build if inspect.isawaitable(build) else build
        return await build.execute(SettlementReportQuery(Actor(0, operator=True), day))
    finally:
        stopped = container.shutdown_resources()
        if stopped is not None:
            await stopped


def report(args: argparse.Namespace) -> int:
    from adapters.reports.settlement import to_csv, to_text

    config = _config()
    configure_logging(_root_level(args), config.log_format)
    if not config.production and config.is_sqlite:
        _migrate(config)
    try:
        result = asyncio.run(settlement_report(config, args.date))
    except InvalidValue as exc:
        print(f"dolgo-pay report settlement: --{exc}", file=sys.stderr)
        return 2
    sys.stdout.write(to_csv(result) if args.csv else to_text(result))
    return 1 if result.errors else 0


def _day(raw: str) -> Any:
    from datetime import date

    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{raw!r} is not a date YYYY-MM-DD") from None


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="dolgo-pay",
        description="Payment service of the dolgo sponsorship platform (iamport / PortOne V1). "
        "Configured by DOLGO_* environment variables; with none it runs the demo.",
    )
    p.add_argument(
        "--debug",
        action="store_true",
        help="show tracebacks and the libraries' INFO logs (e.g. Alembic's)",
    )
    sub = p.add_subparsers(dest="command", required=True)

    s = sub.add_parser("serve", help="run the HTTP API (demo: migrations + in-process sandbox)")
    s.add_argument("--log-level", default="info", choices=["debug", "info", "warning", "error"])
    s.set_defaults(func=serve)

    m = sub.add_parser("migrate", help="bring the database schema up to date")
    m.set_defaults(func=migrate)

    b = sub.add_parser("sandbox", help="run the iamport sandbox alone")
    b.add_argument("--port", type=int, default=8090)
    b.add_argument("--host", default="127.0.0.1")
    b.set_defaults(func=sandbox)

    j = sub.add_parser("jobs", help="one-shot jobs, for cron")
    jsub = j.add_subparsers(dest="jobs_command", required=True)
    run = jsub.add_parser("run", help="run one job once: " + ", ".join(JOB_NAMES))
    run.add_argument("job", help="one of: " + ", ".join(JOB_NAMES))
    j.set_defaults(func=jobs)

    r = sub.add_parser("report", help="operators' reports")
    rsub = r.add_subparsers(dest="report_command", required=True)
    st = rsub.add_parser("settlement", help="정산: one Seoul day, ours beside iamport's")
    st.add_argument("--date", required=True, type=_day, help="YYYY-MM-DD (Asia/Seoul)")
    st.add_argument("--csv", action="store_true", help="CSV instead of a table")
    r.set_defaults(func=report)
    return p


JOB_NAMES = tuple(JOBS)


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    # Alembic logs ~10 INFO lines per migration check; they bury the one line that matters.
    logging.getLogger("alembic").setLevel(logging.INFO if args.debug else logging.WARNING)
    try:
        return int(args.func(args) or 0)
    except OperatorError as exc:
        if args.debug:
            raise
        print(f"dolgo-pay {args.command}: {exc}", file=sys.stderr, flush=True)
        return 1
    except Exception as exc:  # noqa: BLE001 - one line; --debug shows where
        if args.debug:
            raise
        print(
            f"dolgo-pay {args.command}: unexpected {type(exc).__name__}: {exc}"
            " (dolgo-pay --debug shows the traceback)",
            file=sys.stderr,
            flush=True,
        )
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
