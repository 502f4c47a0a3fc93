# cpu_processes: the same checksums in a pool of processes. Each process has
# an interpreter (and a GIL) of its own, so they compute on every core at once.
import random
import sys
import time
from concurrent.futures import ProcessPoolExecutor

FILENAMES = [
    'Python从入门到住院.pdf',
    'MySQL从删库到跑路.avi',
    'Linux从精通到放弃.mp4',
]
# Rounds of work per "second" of a download; `python3 cpu_processes.py 10` does a tenth.
ROUNDS = 1_000_000 // (int(sys.argv[1]) if len(sys.argv) > 1 else 1)

def checksum(filename, seconds):
    start = time.time()
    print(f'Checking {filename}...', flush=True)
    total = 0
    for i in range(seconds * ROUNDS):
        total = (total + i * i) % 1_000_003
    print(f'Checked {filename}: {total}', flush=True)
    print(f'Check time: {time.time() - start:.2f} seconds', flush=True)

def main():
    start = time.time()
    with ProcessPoolExecutor() as pool:  # one process per core
        for filename in FILENAMES:
            # the parent draws the sizes: each child would draw the same ones
            pool.submit(checksum, filename, random.randint(3, 6))
    print(f'Total time: {time.time() - start:.2f} seconds')

if __name__ == '__main__':
    main()
