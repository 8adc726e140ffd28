"""The Autobahn-Python peer of the interop check (asyncio).

    peer.py serve URL REALM   register com.example.py.mul2 (a * b), com.example.py.add2 (a + b,
                              for the bench), com.example.py.echo (returns its args) and
                              com.example.py.fail (an ApplicationError); print READY; run until
                              killed (bounded: 600 s)
    peer.py check URL REALM   call the Rust client's com.example.add2 and round-trip
                              com.example.ping -> com.example.pong; exit 0 when both match
"""
import asyncio
import sys

from autobahn.asyncio.component import Component
from autobahn.wamp.exception import ApplicationError

mode, url, realm = sys.argv[1], sys.argv[2], sys.argv[3]
component = Component(transports=[{"url": url, "serializers": ["json"], "max_retries": 0}], realm=realm)
outcome = {"ok": False}


async def check(session):
    # The Rust side may still be registering: retry no_such_procedure a bounded number of times.
    for attempt in range(100):
        try:
            total = await session.call("com.example.add2", 2, 3)
            break
        except ApplicationError as e:
            if e.error != "wamp.error.no_such_procedure" or attempt == 99:
                raise
            await asyncio.sleep(0.1)
    assert total == 5, f"add2(2, 3) gave {total!r}"
    big = await session.call("com.example.add2", 2**40, 2**40)
    assert big == 2**41, f"add2(2^40, 2^40) gave {big!r}"
    print(f"peer: com.example.add2(2, 3) = {total}, add2(2^40, 2^40) = {big}")
    try:
        await session.call("com.example.add2", "x", [])
        raise AssertionError("add2('x', []) did not fail")
    except ApplicationError as e:
        print(f"peer: com.example.add2('x', []) -> ERROR {e.error}")

    pong = asyncio.get_running_loop().create_future()
    await session.subscribe(lambda *args: pong.done() or pong.set_result(list(args)), "com.example.pong")
    session.publish("com.example.ping", 1, "two", {"three": 3})
    args = await asyncio.wait_for(pong, 10)
    assert args == [1, "two", {"three": 3}], f"pong carried {args!r}"
    print(f"peer: com.example.ping -> com.example.pong {args}")
    outcome["ok"] = True


async def serve(session):
    def fail(*args):
        raise ApplicationError("com.example.error.refused", "refused on purpose")

    await session.register(lambda a, b: a * b, "com.example.py.mul2")
    await session.register(lambda a, b: a + b, "com.example.py.add2")
    await session.register(lambda *args: list(args), "com.example.py.echo")
    await session.register(fail, "com.example.py.fail")
    print("READY", flush=True)
    await asyncio.sleep(600)


@component.on_join
async def joined(session, details):
    try:
        await (check(session) if mode == "check" else serve(session))
    finally:
        await session.leave()


if __name__ == "__main__":
    from autobahn.asyncio.component import run

    run([component], log_level="warn")
    sys.exit(0 if outcome["ok"] or mode == "serve" else 1)
