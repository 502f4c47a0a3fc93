# threads: one thread per download, all started, then all joined.
import random
import time
from threading import Thread

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
    threads = [Thread(target=download, kwargs={'filename': f})
               for f in FILENAMES]
    start = time.time()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()  # main waits for the last download
    print(f'Total time: {time.time() - start:.2f} seconds')

if __name__ == '__main__':
    main()
