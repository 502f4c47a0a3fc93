#!/usr/bin/env python3
"""What the `threadlab watch` probe costs a program: the same program with and without it.

Runs each program RUNS times (default 15) alternately with the probe (connected to a listener
that reads every line, as threadlab does) and without, and prints the medians of the program's
own "Total time" line and of the whole process's wall time (start-up included).

The lesson's threads.py sleeps 3 to 6 s; to compare it at --speed 100 without the probe (which is
what divides the sleeps), it runs a copy whose sleeps are already divided by 100 and whose random
durations are seeded, under the probe at speed 1. cpu_threads.py runs with argument CPU_DIVISOR
(default 5) and seeded
durations. Both copies print their total to the microsecond.

Usage: scripts/measure-watch-overhead.py [RUNS] [CPU_DIVISOR]
"""
import os
import re
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
RUNS = int(sys.argv[1]) if len(sys.argv) > 1 else 15
# cpu_threads.py's argument: 5 does a fifth of its default work.
CPU_DIVISOR = sys.argv[2] if len(sys.argv) > 2 else '5'


def listener(path):
    server = socket.socket(socket.AF_UNIX)
    server.bind(path)
    server.listen(64)

    def drain(conn):
        with conn:
            while conn.recv(65536):
                pass

    def accept():
        while True:
            conn, _ = server.accept()
            threading.Thread(target=drain, args=(conn,), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()


def children_cpu():
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def run(args, env):
    cpu = children_cpu()
    start = time.monotonic()
    out = subprocess.run(args, env=env, capture_output=True, text=True, check=True).stdout
    wall = time.monotonic() - start
    total = float(re.search(r'Total time: ([0-9.]+)', out).group(1))
    # CPU time moves far less than wall time when other programs share the cores.
    return total, wall, children_cpu() - cpu


def compare(name, args, probed_env, plain_env):
    probed, plain = [], []
    for _ in range(RUNS):
        plain.append(run(args, plain_env))
        probed.append(run(args, probed_env))
    med = lambda xs, i: statistics.median(x[i] for x in xs)
    for i, what in enumerate(['program Total time', 'process wall time', 'process CPU time']):
        a, b = med(plain, i), med(probed, i)
        print(f'{name:<24} {what:<19} without {a * 1000:8.2f} ms   with {b * 1000:8.2f} ms   '
              f'difference {(b - a) * 1000:+7.2f} ms ({(b / a - 1) * 100:+5.1f}%)')


def variant(tmp, name, source):
    # The same durations every run, and the total to the microsecond instead of 10 ms.
    source = source.replace('import random\n', 'import random\nrandom.seed(1)\n')
    source = source.replace("Total time: {time.time() - start:.2f}", "Total time: {time.time() - start:.6f}")
    path = os.path.join(tmp, name)
    with open(path, 'w') as f:
        f.write(source)
    return path


def main():
    tmp = tempfile.mkdtemp(prefix='threadlab-measure-')
    with open(os.path.join(ROOT, 'assets/python/probe/sitecustomize.py')) as f:
        probe = f.read()
    with open(os.path.join(tmp, 'sitecustomize.py'), 'w') as f:
        f.write(probe)
    sock = os.path.join(tmp, 'probe.sock')
    listener(sock)
    plain_env = dict(os.environ)
    plain_env.pop('PYTHONPATH', None)
    probed_env = dict(plain_env, PYTHONPATH=tmp, THREADLAB_WATCH_SOCKET=sock, THREADLAB_WATCH_SPEED='1')

    with open(os.path.join(ROOT, 'assets/python/threads.py')) as f:
        threads = f.read()
    threads = threads.replace('time.sleep(random.randint(3, 6))', 'time.sleep(random.randint(3, 6) / 100)')
    scaled = variant(tmp, 'threads_speed100.py', threads)
    with open(os.path.join(ROOT, 'assets/python/cpu_threads.py')) as f:
        cpu = variant(tmp, 'cpu_threads.py', f.read())

    print(f'python {sys.version.split()[0]} ({sys.executable}), median of {RUNS} runs each')
    compare('threads.py, sleeps /100', [sys.executable, scaled], probed_env, plain_env)
    compare(f'cpu_threads.py {CPU_DIVISOR}', [sys.executable, cpu, CPU_DIVISOR], probed_env, plain_env)


if __name__ == '__main__':
    main()
