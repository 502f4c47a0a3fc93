# cpu_threads: the downloads' shape, but each one computes instead of waiting.
# On a Python with a GIL only one thread runs Python code at a time: three
# threads take turns on one core, however many cores the machine has.
import random
import sys
import time
from threading import Thread

FILENAMES = [
    'Python从入门到住院.pdf',
    'MySQL从删库到跑路.avi',
    'Linux从精通到放弃.mp4',
]
# Rounds of work per "second" of a download; `python3 cpu_threads.py 10` does a tenth.
ROUNDS = 1_000_000 // (int(sys.argv[1]) if len(sys.argv) > 1 else 1)

def checksum(*, filename):
    start = time.time()
    print(f'Checking {filename}...')
    total = 0
    for i in range(random.randint(3, 6) * ROUNDS):  # pure Python: holds the GIL
        total = (total + i * i) % 1_000_003
    print(f'Checked {filename}: {total}')
    print(f'Check time: {time.time() - start:.2f} seconds')

def main():
    threads = [Thread(target=checksum, kwargs={'filename': f})
               for f in FILENAMES]
    start = time.time()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print(f'Total time: {time.time() - start:.2f} seconds')

if __name__ == '__main__':
    main()
