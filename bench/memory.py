"""dolgo-pay's memory over a long run (issue #14: flat over 20,000 requests), on MariaDB.
Prints figures; asserts nothing.

    ./dev bench memory                            # 10 rounds of 1,000 orders + 1,000 completions
    ./dev bench memory --rounds 4 --n 500 --workers 2

One `dolgo-pay serve` (the same processes, pools and caches for the whole run) against the
sandbox in its own process with every REST call delayed by L (20 ms), as in bench/complete.py.
A round is N `POST /api/orders`, each paid at the sandbox through its PG window (not counted),
then N `POST /api/payments/complete`; after every round the resident set of the server's
processes (VmRSS, summed over the worker tree) is read. The first round warms up (statement
caches, connection pools, imports done lazily); growth is measured from its end to the last.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.billing import load  # noqa: E402
from bench.complete import (  # noqa: E402
    Sandbox,
    Server,
    bench_world,
    dolgo_server,
    driver_url,
    order_pay_complete,
    rss_of,
)


def one_round(
    server: Server, sandbox: Sandbox, n: int, c: int, start: int
) -> tuple[float, float, int]:
    """(orders req/s, completions req/s, requests that did not succeed) of one round."""
    ordered, completed = order_pay_complete(server, sandbox, "round", n, c, first_user=start)
    return ordered.rps, completed.rps, ordered.errors + completed.errors


def run(args: argparse.Namespace) -> list[tuple[int, float, float, float, int]]:
    """Per round: (requests so far, RSS MiB, orders req/s, completions req/s, errors)."""
    rounds: list[tuple[int, float, float, float, int]] = []
    with bench_world("memory", args.latency) as (url, sandbox):
        with dolgo_server(driver_url(url, args.driver), sandbox, args.workers) as server:
            started = rss_of(server.pid)
            print(f"server RSS at start: {started:.1f} MiB", flush=True)
            for i in range(args.rounds):
                orders, completions, errors = one_round(server, sandbox, args.n, args.c, i * args.n)
                done = 2 * args.n * (i + 1)
                rss = rss_of(server.pid)
                rounds.append((done, rss, orders, completions, errors))
                print(
                    f"round {i + 1}: {done:,} requests, RSS {rss:.1f} MiB,"
                    f" {orders:.0f} orders/s, {completions:.0f} completions/s, {errors} errors",
                    flush=True,
                )
    return rounds


def report(rounds: list[tuple[int, float, float, float, int]]) -> None:
    print()
    print("| requests | server RSS MiB | orders req/s | completions req/s | errors |")
    print("|---|---|---|---|---|")
    for done, rss, orders, completions, errors in rounds:
        print(f"| {done:,} | {rss:.1f} | {orders:.0f} | {completions:.0f} | {errors} |")
    print()
    print(load())
    if len(rounds) < 2:
        print("memory: at least 2 rounds are needed (the first warms up)")
        return
    (warm, warm_rss, *_), (last, last_rss, *_) = rounds[0], rounds[-1]
    half, half_rss, *_ = rounds[(len(rounds) - 1) // 2]

    def growth(since: int, since_rss: float) -> str:
        return f"{(last_rss - since_rss) * 1024 / ((last - since) / 1000):+.0f} KiB"

    print(
        f"memory: RSS {warm_rss:.1f} MiB after {warm:,} requests, {last_rss:.1f} MiB after"
        f" {last:,} ({last_rss / warm_rss:.3f}×; per 1,000 requests {growth(warm, warm_rss)}"
        f" since {warm:,}, {growth(half, half_rss)} since {half:,}),"
        f" {sum(r[4] for r in rounds)} errors"
    )


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--rounds", type=int, default=10, help="rounds of orders + completions")
    p.add_argument("--n", type=int, default=1_000, help="orders (and completions) per round")
    p.add_argument("--c", type=int, default=64, help="concurrency")
    p.add_argument("--latency", type=float, default=0.020, help="seconds per gateway call")
    p.add_argument("--driver", default="aiomysql", choices=("aiomysql", "asyncmy"))
    p.add_argument("--workers", type=int, default=1, help="DOLGO_WORKERS")
    args = p.parse_args()
    print(load())
    print(
        f"{args.rounds} rounds of {args.n:,} orders + {args.n:,} completions,"
        f" C = {args.c}, L = {args.latency * 1000:.0f} ms per gateway call,"
        f" {args.driver}, {args.workers} worker(s)"
    )
    report(run(args))


if __name__ == "__main__":
    main()
