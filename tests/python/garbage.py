# Writes what no probe would to threadlab's socket: a line that is not JSON and one far too long.
import os
import socket

s = socket.socket(socket.AF_UNIX)
s.connect(os.environ['THREADLAB_WATCH_SOCKET'])
s.sendall(b'not json\n' + b'x' * 200_000 + b'\n{"v":1,"ev":"hello","t":"soon"}\n')
s.close()
print('still fine')
