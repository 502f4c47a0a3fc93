# custom: a thread type of our own that overrides run().
import random
import time
from threading import Thread

FILENAMES = [
    'Python从入门到住院.pdf',
    'MySQL从删库到跑路.avi',
    'Linux从精通到放弃.mp4',
]

class DownloadThread(Thread):
    def __init__(self, filename):
        self.filename = filename
        super().__init__()

    def run(self):  # what start() runs on the new thread
        start = time.time()
        print(f'Downloading {self.filename}...')
        time.sleep(random.randint(3, 6))
        print(f'Downloaded {self.filename}')
        print(f'Download time: {time.time() - start:.2f} seconds')

def main():
    threads = [DownloadThread(filename) for filename in FILENAMES]
    start = time.time()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print(f'Total time: {time.time() - start:.2f} seconds')

if __name__ == '__main__':
    main()
