# Ping/Pong: daemon threads die with the main thread; others keep
# the process alive after main() returns (the d key flips DAEMON).
import time
from threading import Thread

DAEMON = True

def display(content):
    while True:
        print(content, end='', flush=True)
        time.sleep(0.1)

def main():
    Thread(target=display, args=('Ping', ), daemon=DAEMON).start()
    Thread(target=display, args=('Pong', ), daemon=DAEMON).start()
    time.sleep(5)

if __name__ == '__main__':
    main()
