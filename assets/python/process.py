# process: each download in a child process with memory of its own.
import random
import time
from multiprocessing import Process

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
    processes = [Process(target=download, kwargs={'filename': f})
                 for f in FILENAMES]
    start = time.time()
    for process in processes:
        process.start()  # a new process: far dearer than a thread
    for process in processes:
        process.join()  # a crashed child fails only its own download
    print(f'Total time: {time.time() - start:.2f} seconds')

# children import this file: only the parent runs main()
if __name__ == '__main__':
    main()
