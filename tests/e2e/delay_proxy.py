#!/usr/bin/env python3
"""delay_proxy.py UPSTREAM_PORT DELAY_S — a TCP proxy on 127.0.0.1 (a random port, printed
on stdout) in front of a real server on UPSTREAM_PORT: the first connection it accepts
waits DELAY_S seconds before it reaches the server, the others go straight through.  It
plays a slow server or network for the first request a client makes (store_cli.sh: diff's
new side taking seconds before its baseline is read)."""
import asyncio
import sys

UPSTREAM = int(sys.argv[1])
DELAY = float(sys.argv[2])
state = {"first": True}


async def pipe(r, w):
    try:
        while True:
            b = await r.read(65536)
            if not b:
                break
            w.write(b)
            await w.drain()
    except ConnectionError:
        pass
    finally:
        w.close()


async def handle(cr, cw):
    if state["first"]:
        state["first"] = False
        await asyncio.sleep(DELAY)
    ur, uw = await asyncio.open_connection("127.0.0.1", UPSTREAM)
    await asyncio.gather(pipe(cr, uw), pipe(ur, cw))


async def main():
    srv = await asyncio.start_server(handle, "127.0.0.1", 0)
    print(srv.sockets[0].getsockname()[1], flush=True)
    await srv.serve_forever()


asyncio.run(main())
