"""The raw database ceiling, in a process of its own: aiomysql alone, C connections, doing the
database work of N order creations and then of N completions on dolgo-pay's own tables, with
rows as wide as dolgo-pay's (copies of an order dolgo-pay created). No HTTP, no gateway.

    python bench/ceiling.py --dsn root@127.0.0.1:3306/db --template-order SEQ --n N --c C out.json

order creation: INSERT the order, INSERT its payment, INSERT a history row, COMMIT.
completion:     SELECT the payment by merchant_uid FOR UPDATE, UPDATE it to paid, INSERT a
                history row, COMMIT (the four round trips of issue #14's ceiling).
out.json: {"orders": <result>, "complete": <result>} in bench/loadgen.py's result format.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiomysql


def _insert(table: str, row: dict[str, Any]) -> tuple[str, list[Any]]:
    columns = ", ".join(f"`{c}`" for c in row)
    marks = ", ".join(["%s"] * len(row))
    return f"INSERT INTO `{table}` ({columns}) VALUES ({marks})", list(row.values())


async def _one(cursor: aiomysql.Cursor, sql: str, *args: Any) -> dict[str, Any]:
    await cursor.execute(sql, args)
    row = await cursor.fetchone()
    assert row is not None, sql
    return dict(row)


async def templates(pool: aiomysql.Pool, order_seq: int) -> tuple[dict, dict, dict, int]:
    async with pool.acquire() as conn, conn.cursor(aiomysql.DictCursor) as cursor:
        order = await _one(cursor, "SELECT * FROM payment_order WHERE seq = %s", order_seq)
        payment = await _one(cursor, "SELECT * FROM payment WHERE order_seq = %s", order_seq)
        history = await _one(
            cursor,
            "SELECT * FROM payment_history WHERE entity = 'payment' AND entity_id = %s LIMIT 1",
            payment["seq"],
        )
        top = await _one(
            cursor,
            "SELECT GREATEST((SELECT MAX(seq) FROM payment_order), (SELECT MAX(seq) FROM payment))"
            " AS top",
        )
        await conn.commit()
    history.pop("seq")  # auto-increment
    return order, payment, history, int(top["top"])


async def timed(n: int, concurrency: int, work) -> dict[str, Any]:  # noqa: ANN001
    latencies = [0.0] * n
    statuses = [0] * n
    queue = iter(range(n))

    async def worker() -> None:
        for i in queue:
            started = time.perf_counter()
            try:
                await work(i)
                statuses[i] = 200
            except Exception:  # counted as an error, like a failed request
                statuses[i] = 0
            latencies[i] = time.perf_counter() - started

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return {
        "elapsed": time.perf_counter() - started,
        "latencies": latencies,
        "statuses": statuses,
        "bodies": [None] * n,
    }


async def main(args: argparse.Namespace) -> dict[str, Any]:
    user, rest = args.dsn.split("@", 1)
    hostport, database = rest.split("/", 1)
    host, port = hostport.split(":")
    pool = await aiomysql.create_pool(
        host=host,
        port=int(port),
        user=user,
        db=database,
        charset="utf8mb4",
        minsize=args.c,
        maxsize=args.c,
        autocommit=False,
        init_command="SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED",
    )
    order, payment, history, top = await templates(pool, args.template_order)
    base = top + 1_000_000

    def uid(i: int) -> str:
        return f"ceiling{base}x{i}"

    async def create(i: int) -> None:
        async with pool.acquire() as conn, conn.cursor() as cursor:
            now = datetime.now(UTC).replace(tzinfo=None)
            o = {**order, "seq": base + 2 * i, "created_at": now}
            pay = {
                **payment,
                "seq": base + 2 * i + 1,
                "order_seq": base + 2 * i,
                "merchant_uid": uid(i),
                "imp_uid": None,
                "payment_dt": now,
            }
            h = {**history, "entity_id": base + 2 * i + 1, "occurred_at": now}
            for table, row in (("payment_order", o), ("payment", pay), ("payment_history", h)):
                await cursor.execute(*_insert(table, row))
            await conn.commit()

    async def complete(i: int) -> None:
        async with pool.acquire() as conn, conn.cursor() as cursor:
            now = datetime.now(UTC).replace(tzinfo=None)
            await cursor.execute("SELECT * FROM payment WHERE merchant_uid = %s FOR UPDATE", uid(i))
            row = await cursor.fetchone()
            seq = row[0]
            await cursor.execute(
                "UPDATE payment SET payment_status = 2, imp_uid = %s, payment_succ_dt = %s"
                " WHERE seq = %s",
                (f"imp_ceiling{base}{i}", now, seq),
            )
            h = {
                **history,
                "entity_id": seq,
                "event": "paid",
                "from_status": 0,
                "to_status": 2,
                "occurred_at": now,
            }
            await cursor.execute(*_insert("payment_history", h))
            await conn.commit()

    results = {
        "orders": await timed(args.n, args.c, create),
        "complete": await timed(args.n, args.c, complete),
    }
    pool.close()
    await pool.wait_closed()
    return results


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--dsn", required=True, help="user@host:port/database")
    p.add_argument("--template-order", type=int, required=True)
    p.add_argument("--n", type=int, required=True)
    p.add_argument("--c", type=int, required=True)
    p.add_argument("out")
    arguments = p.parse_args()
    results = asyncio.run(main(arguments))
    results["cpu"] = time.process_time()
    Path(arguments.out).write_text(json.dumps(results, default=str))
