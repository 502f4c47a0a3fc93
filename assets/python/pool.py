# pool: 4 reused workers take downloads from one queue.
import random
import time
from concurrent.futures import ThreadPoolExecutor

FILENAMES = [
    'Python从入门到住院.pdf',
    'MySQL从删库到跑路.avi',
    'Linux从精通到放弃.mp4',
]

def download(*, filename):
    start = time.time()
    print(f'Downloading {filename}...')
    time.sleep(random.randint(3, 6))
    print(f'Downloaded {filename}')
    print(f'Download time: {time.time() - start:.2f} seconds')

def main():
    start = time.time()
    with ThreadPoolExecutor(max_workers=4) as pool:
        for filename in FILENAMES:
            pool.submit(download, filename=filename)  # into the queue
    # leaving `with` closes the queue and joins every worker
    print(f'Total time: {time.time() - start:.2f} seconds')

if __name__ == '__main__':
    main()
