# async: one thread juggles every download on one event loop.
import asyncio
import random
import time

FILENAMES = [
    'Python从入门到住院.pdf',
    'MySQL从删库到跑路.avi',
    'Linux从精通到放弃.mp4',
]

async def download(*, filename):
    start = time.time()
    print(f'Downloading {filename}...')
    # the one thread runs the other downloads while this one waits
    await asyncio.sleep(random.randint(3, 6))
    print(f'Downloaded {filename}')
    print(f'Download time: {time.time() - start:.2f} seconds')

async def main():
    start = time.time()
    await asyncio.gather(*(download(filename=f) for f in FILENAMES))
    print(f'Total time: {time.time() - start:.2f} seconds')

if __name__ == '__main__':
    asyncio.run(main())
