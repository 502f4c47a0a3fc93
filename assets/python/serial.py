# serial: one worker, so the total is the sum of the downloads.
import random
import time

FILENAMES = [
    'Python从入门到住院.pdf',
    'MySQL从删库到跑路.avi',
    'Linux从精通到放弃.mp4',
]

def download(filename):
    start = time.time()
    print(f'Downloading {filename}...')
    time.sleep(random.randint(3, 6))
    print(f'Downloaded {filename}')
    print(f'Download time: {time.time() - start:.2f} seconds')

def main():
    start = time.time()
    for filename in FILENAMES:
        download(filename)  # each one waits for the one before it
    print(f'Total time: {time.time() - start:.2f} seconds')

if __name__ == '__main__':
    main()
