# workshops: 2 processes of 3 threads each; a thread that aborts
# stops its whole workshop, the other workshop carries on.
import random
import time
from concurrent.futures import ThreadPoolExecutor
from multiprocessing import Process

FILENAMES = [
    'Python从入门到住院.pdf',
    'MySQL从删库到跑路.avi',
    'Linux从精通到放弃.mp4',
]

def download(*, filename):
    time.sleep(random.randint(3, 6))  # os.abort() here ends the process
    print(f'Downloaded {filename}')

def workshop(filenames):
    # 3 threads that share this process's memory
    with ThreadPoolExecutor(max_workers=3) as threads:
        for filename in filenames:
            threads.submit(download, filename=filename)

def main():
    shares = [FILENAMES[:2], FILENAMES[2:]]
    workshops = [Process(target=workshop, args=(s,)) for s in shares]
    for w in workshops:
        w.start()
    for w in workshops:
        w.join()

if __name__ == '__main__':
    main()
