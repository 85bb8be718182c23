"""The benchmark's load generator, in a process of its own: sends a list of requests at
concurrency C over keep-alive connections (aiohttp) and writes what it saw as JSON.

    python bench/loadgen.py job.json result.json

job.json: {"base_url": ..., "concurrency": C, "keep_bodies": bool,
           "requests": [{"method": "POST", "path": "/x", "headers": {...}, "json": {...}}, ...]}
result.json: {"elapsed": s, "latencies": [s, ...], "statuses": [int, ...], "bodies": [...],
              "cpu": s}  (status 0: no HTTP answer; bodies only with keep_bodies)
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path
from typing import Any

import aiohttp


async def run(job: dict[str, Any]) -> dict[str, Any]:
    requests: list[dict[str, Any]] = job["requests"]
    concurrency = int(job["concurrency"])
    keep_bodies = bool(job.get("keep_bodies"))
    latencies = [0.0] * len(requests)
    statuses = [0] * len(requests)
    bodies: list[Any] = [None] * len(requests)
    queue = iter(range(len(requests)))
    connector = aiohttp.TCPConnector(limit=concurrency, limit_per_host=concurrency)
    timeout = aiohttp.ClientTimeout(total=120)
    async with aiohttp.ClientSession(
        job["base_url"], connector=connector, timeout=timeout
    ) as session:

        async def worker() -> None:
            for i in queue:
                r = requests[i]
                started = time.perf_counter()
                try:
                    async with session.request(
                        r["method"], r["path"], headers=r.get("headers"), json=r.get("json")
                    ) as response:
                        raw = await response.read()
                        statuses[i] = response.status
                except (aiohttp.ClientError, TimeoutError) as exc:
                    raw = repr(exc).encode()
                latencies[i] = time.perf_counter() - started
                if keep_bodies:
                    try:
                        bodies[i] = json.loads(raw)
                    except ValueError:
                        bodies[i] = raw[:300].decode(errors="replace")

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    return {"elapsed": elapsed, "latencies": latencies, "statuses": statuses, "bodies": bodies}


def main() -> None:
    job = json.loads(Path(sys.argv[1]).read_text())
    result = asyncio.run(run(job))
    result["cpu"] = time.process_time()
    Path(sys.argv[2]).write_text(json.dumps(result))


if __name__ == "__main__":
    main()
