# Sleeps of two lesson seconds three ways; each prints the real seconds it took.
import asyncio
import time
from time import sleep


def timed(label, wait):
    start = time.monotonic()
    wait()
    print(f'{label} {time.monotonic() - start:.4f}', flush=True)


timed('time.sleep', lambda: time.sleep(2))
timed('from-import', lambda: sleep(2))
timed('asyncio.sleep', lambda: asyncio.run(asyncio.sleep(2)))
