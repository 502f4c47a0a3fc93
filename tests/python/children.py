# Two multiprocessing children that sleep until they are killed; their pids go to the file
# named by argv[1] (written whole, then renamed), argv[2] is the start method.
import multiprocessing as mp
import os
import sys
import time


def nap():
    time.sleep(600)


if __name__ == '__main__':
    mp.set_start_method(sys.argv[2] if len(sys.argv) > 2 else 'fork')
    kids = [mp.Process(target=nap) for _ in range(2)]
    for k in kids:
        k.start()
    with open(sys.argv[1] + '.part', 'w') as f:
        f.write(' '.join(str(k.pid) for k in kids))
    os.rename(sys.argv[1] + '.part', sys.argv[1])
    print('ready', flush=True)
    for k in kids:
        k.join()
