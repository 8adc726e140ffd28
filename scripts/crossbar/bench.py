"""The Autobahn-Python side of the bench (asyncio): N sequential calls of PROCEDURE(i, 1).

    bench.py URL REALM N PROCEDURE
prints `bench: N sequential calls in S s = R calls/s, client CPU C us/call`.
"""
import asyncio
import sys
import time

from autobahn.asyncio.component import Component, run

url, realm, count, procedure = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
component = Component(transports=[{"url": url, "serializers": ["json"], "max_retries": 0}], realm=realm)
outcome = {"ok": False}


@component.on_join
async def joined(session, details):
    try:
        for i in range(100):
            await session.call(procedure, i, 1)
        start, cpu = time.perf_counter(), time.process_time()
        for i in range(count):
            value = await session.call(procedure, i, 1)
            if value != i + 1:
                raise AssertionError(f"{procedure}({i}, 1) gave {value!r}")
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
        print(f"bench: {count} sequential calls in {elapsed:.3f} s = {count / elapsed:.0f} calls/s, "
              f"client CPU {cpu / count * 1e6:.1f} us/call on asyncio", flush=True)
        outcome["ok"] = True
    finally:
        await session.leave()


if __name__ == "__main__":
    run([component], log_level="warn")
    sys.exit(0 if outcome["ok"] else 1)
