# Two multiprocessing children that each wait for a file, started by the method in argv[1]
# (fork, spawn or forkserver): each must appear as a process of its own.
import multiprocessing as mp
import sys
import time


def download(filename):
    time.sleep(1)


if __name__ == '__main__':
    mp.set_start_method(sys.argv[1])
    kids = [mp.Process(target=download, args=(f,)) for f in ('a.pdf', 'b.pdf')]
    for k in kids:
        k.start()
    for k in kids:
        k.join()
    print('children done', flush=True)
