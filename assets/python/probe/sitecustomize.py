"""threadlab watch's probe: tells threadlab what this Python process's threads do.

threadlab writes this file to a private directory and puts that directory first on PYTHONPATH,
so Python runs it at start-up. It does nothing unless THREADLAB_WATCH_SOCKET is set; then it
reports threads, sleeps, thread-pool work and printed lines as JSON lines on that Unix socket.
The protocol is described in docs/watch-protocol.md. Whatever goes wrong in here is swallowed:
the program must run exactly as it would without threadlab.
"""

import os as _os
import sys as _sys


def _run_next_sitecustomize():
    # Ours shadows the distribution's own sitecustomize (Debian ships one): run that one too.
    # The import system's own frozen modules are used: importlib.util would cost every program
    # its import time.
    try:
        import _frozen_importlib
        import _frozen_importlib_external

        here = _os.path.dirname(_os.path.abspath(__file__))
        rest = [p for p in _sys.path if _os.path.abspath(p or '.') != here]
        spec = _frozen_importlib_external.PathFinder.find_spec('sitecustomize', rest)
        if spec is not None and spec.loader is not None:
            module = _frozen_importlib.module_from_spec(spec)
            spec.loader.exec_module(module)
    except Exception:
        pass


_run_next_sitecustomize()

VERSION = 1
# Longest text sent for one printed line or one argument: the screen shows far less.
_MAX_TEXT = 2000
_MAX_ARG = 120
# Bytes kept back when threadlab reads slower than the program writes; beyond it, we give up.
_MAX_PENDING = 1 << 20


_ESCAPES = {i: '\\u%04x' % i for i in range(32)}
_ESCAPES.update({ord('"'): '\\"', ord('\\'): '\\\\'})


def _json(v):
    # json.dumps would import json and re into every program; these few types are all we send.
    if v is None:
        return 'null'
    if v is True:
        return 'true'
    if v is False:
        return 'false'
    if isinstance(v, str):
        return '"' + v.translate(_ESCAPES) + '"'
    if isinstance(v, int):
        return int.__repr__(v)
    if isinstance(v, float):
        return float.__repr__(v) if v - v == 0 else 'null'
    if isinstance(v, (list, tuple)):
        return '[' + ','.join([_json(x) for x in v]) + ']'
    if isinstance(v, dict):
        return '{' + ','.join([_json(str(k)) + ':' + _json(x) for k, x in v.items()]) + '}'
    return _json(str(v))


def _install(path):
    # Only modules that are built in or already loaded: the probe must not slow start-up.
    import _frozen_importlib_external
    import _socket
    import _thread
    import atexit
    import builtins
    import itertools
    import time

    real_sleep = time.sleep
    real_print = builtins.print
    real_exit = _os._exit
    mono = time.monotonic
    native_id = _thread.get_native_id
    get_ident = _thread.get_ident
    stdlib = _os.path.dirname(_os.__file__) + _os.sep
    try:
        speed = float(_os.environ.get('THREADLAB_WATCH_SPEED', '1'))
        if not (speed > 0 and speed < float('inf')):
            speed = 1.0
    except ValueError:
        speed = 1.0

    # One connection per process; `link` is replaced wholesale after a fork.
    class Link:
        pass

    link = Link()

    def connect():
        link.pid = _os.getpid()
        link.lock = _thread.allocate_lock()
        link.pending = b''
        link.owner = None
        link.sock = None
        try:
            s = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
            s.settimeout(1.0)
            s.connect(path)
            s.setblocking(False)
            link.sock = s
        except Exception:
            link.sock = None

    def send(ev, **fields):
        if link.sock is None:
            return
        try:
            fields['v'] = VERSION
            fields['ev'] = ev
            fields['t'] = mono()
            fields['pid'] = link.pid
            fields['tid'] = native_id()
            data = (_json(fields) + '\n').encode('utf-8', 'backslashreplace')
            me = get_ident()
            if link.owner == me:
                return  # a signal handler or finaliser printing while this thread sends: drop it
            with link.lock:
                link.owner = me
                try:
                    sock = link.sock
                    if sock is None:
                        return
                    data = link.pending + data
                    try:
                        sent = sock.send(data)
                    except (BlockingIOError, InterruptedError):
                        sent = 0
                    link.pending = data[sent:]
                    if len(link.pending) > _MAX_PENDING:
                        # threadlab has stopped reading: drop the link rather than hold the program.
                        link.sock = None
                        sock.close()
                finally:
                    link.owner = None
        except Exception:
            try:
                link.sock = None
            except Exception:
                pass

    def flush_pending():
        # At exit only, and briefly: what threadlab has not taken in 0.2 s is dropped.
        try:
            with link.lock:
                sock = link.sock
                if sock is None or not link.pending:
                    return
                sock.settimeout(0.2)
                sock.sendall(link.pending)
                link.pending = b''
        except Exception:
            pass

    def text(value, limit=_MAX_ARG):
        try:
            s = value if isinstance(value, str) else repr(value)
        except Exception:
            s = '<' + type(value).__name__ + '>'
        return s if len(s) <= limit else s[: limit - 1] + '…'

    simple = (str, int, float, bool)

    def describe(args, kwargs):
        # What a thread or a task works on: only plain values (a file name, a number) say that.
        out = [['', text(a)] for a in args[:4] if isinstance(a, simple)]
        out += [[str(k), text(a)] for k, a in list(kwargs.items())[:4] if isinstance(a, simple)]
        return out

    def public_fields(obj):
        try:
            items = [(k, a) for k, a in vars(obj).items() if not k.startswith('_') and isinstance(a, simple)]
        except TypeError:
            return []
        return [[k, text(a)] for k, a in items[:4]]

    def frame_args(frame):
        # The arguments of the function that called sleep: `download(filename)` names its file.
        code = frame.f_code
        n = code.co_argcount + code.co_kwonlyargcount
        names = code.co_varnames[:n]
        values = frame.f_locals
        out = []
        for name in names:
            if name not in values:
                continue
            value = values[name]
            if name == 'self':
                out.extend(public_fields(value))
            elif isinstance(value, simple):
                out.append([name, text(value)])
        return out[:4]

    def func_name(fn):
        return text(getattr(fn, '__qualname__', None) or getattr(fn, '__name__', None) or type(fn).__name__)

    def thread_list():
        threading = _sys.modules.get('threading')
        if threading is None:
            return []  # never imported: the main thread is the only one
        return [
            {'tid': th.native_id, 'name': th.name, 'daemon': th.daemon}
            for th in threading.enumerate()
            if th.native_id is not None and th.native_id != native_id()
        ]

    def thread_name():
        threading = _sys.modules.get('threading')
        return threading.current_thread().name if threading is not None else 'MainThread'

    def hello():
        gil = getattr(_sys, '_is_gil_enabled', None)
        try:
            usable = len(_os.sched_getaffinity(0))
        except Exception:
            usable = _os.cpu_count()
        send(
            'hello',
            ppid=_os.getppid(),
            python=_sys.version.split()[0],
            implementation=_sys.implementation.name,
            gil=bool(gil()) if gil is not None else True,
            cpus=_os.cpu_count(),
            cpus_usable=usable,
            speed=speed,
            name=thread_name(),
            argv=[text(a) for a in getattr(_sys, 'argv', [])[:8]],
            cpu=time.process_time(),
            thread_cpu=time.thread_time(),
        )

    # --- threads: start/run/join -----------------------------------------------------------
    def patch_threading(threading):
        Thread = threading.Thread
        real_start = Thread.start
        real_join = Thread.join
        Thread.start = lambda self, *a, **k: start(real_start, self, *a, **k)
        Thread.join = lambda self, *a, **k: join(real_join, self, *a, **k)
        Thread.start.__doc__, Thread.join.__doc__ = real_start.__doc__, real_join.__doc__

    def start(real_start, self, *a, **k):
        try:
            parent = native_id()
            run = self.run  # the subclass's own run() too (DownloadThread overrides it)

            def run_probed():
                target = getattr(self, '_target', None)
                send(
                    'thread_start',
                    name=self.name,
                    daemon=self.daemon,
                    cls=type(self).__name__,
                    target=func_name(target) if target is not None else None,
                    args=describe(getattr(self, '_args', ()) or (), getattr(self, '_kwargs', {}) or {})
                    if target is not None
                    else public_fields(self),
                    parent=parent,
                )
                error = None
                try:
                    return run()
                except BaseException as e:
                    error = type(e).__name__
                    raise
                finally:
                    send('thread_end', name=self.name, cpu=time.thread_time(), error=error)

            self.run = run_probed
        except Exception:
            pass
        return real_start(self, *a, **k)

    def join(real_join, self, *a, **k):
        if self.native_id is None:
            return real_join(self, *a, **k)  # not started: raises as it would have
        send('join', target=self.native_id, name=self.name)
        try:
            return real_join(self, *a, **k)
        finally:
            send('joined', target=self.native_id, name=self.name, alive=self.is_alive())


    # --- time.sleep: the waits, divided by --speed ----------------------------------------------
    def sleep(secs):
        try:
            frame = _sys._getframe(1)
            if frame.f_code.co_filename.startswith(stdlib):
                return real_sleep(secs)  # the library's own waits are not the program's
            d = float(secs)
        except Exception:
            return real_sleep(secs)
        if not d >= 0:
            return real_sleep(secs)  # raises as it would have
        send(
            'sleep',
            d=d,
            fn=text(frame.f_code.co_name),
            site=text(frame.f_code.co_filename, 300) + ':' + str(frame.f_lineno),
            args=frame_args(frame),
        )
        try:
            return real_sleep(d / speed)
        finally:
            send('wake')

    sleep.__doc__ = real_sleep.__doc__
    time.sleep = sleep

    # --- asyncio.sleep: waits that share one thread, so each carries an id ----------------------
    async_waits = itertools.count(1)

    def patch_asyncio(tasks):
        real_async_sleep = tasks.sleep

        async def sleep(delay, result=None):
            try:
                frame = _sys._getframe(1)  # the coroutine that awaits this sleep
                root = frame.f_code.co_filename.startswith(stdlib)
                if root and frame.f_code.co_flags & 0x380:
                    # a coroutine of the library's own awaits it: not the program's wait
                    return await real_async_sleep(delay, result)
                # else the event loop runs this sleep as a task of its own
                # (asyncio.run(asyncio.sleep(2)), wait_for): the program made it
                d = float(delay)
            except Exception:
                return await real_async_sleep(delay, result)
            if not d >= 0:
                return await real_async_sleep(delay, result)
            w = next(async_waits)
            if root:
                send('sleep', d=d, w=w, fn='sleep', site='', args=[])
            else:
                send(
                    'sleep',
                    d=d,
                    w=w,
                    fn=text(frame.f_code.co_name),
                    site=text(frame.f_code.co_filename, 300) + ':' + str(frame.f_lineno),
                    args=frame_args(frame),
                )
            try:
                return await real_async_sleep(d / speed, result)
            finally:
                send('wake', w=w)

        sleep.__doc__ = real_async_sleep.__doc__
        tasks.sleep = sleep

    # --- print: the program's lines, with the thread that printed them -------------------------
    def probed_print(*args, sep=' ', end='\n', file=None, flush=False):
        real_print(*args, sep=sep, end=end, file=file, flush=flush)
        try:
            out = _sys.stdout if file is None else file
            stream = 'stdout' if out is _sys.stdout else 'stderr' if out is _sys.stderr else None
            if stream is not None:
                s = (' ' if sep is None else sep).join(str(a) for a in args) + ('\n' if end is None else end)
                send('print', stream=stream, text=text(s, _MAX_TEXT))
        except Exception:
            pass

    builtins.print = probed_print

    # --- ThreadPoolExecutor.submit, patched when the program imports it ---------------------------
    items = itertools.count(1)

    def patch_pool(module):
        pool = module.ThreadPoolExecutor
        real_submit = pool.submit

        def submit(*args, **kwargs):
            # (self, fn, /, *args, **kwargs), spelled so that Python 3.7 still parses this file
            if len(args) < 2:
                return real_submit(*args, **kwargs)
            self, fn, args = args[0], args[1], args[2:]
            try:
                item = next(items)
                send(
                    'submit',
                    item=item,
                    fn=func_name(fn),
                    args=describe(args, kwargs),
                    pool=text(getattr(self, '_thread_name_prefix', '')),
                    max_workers=getattr(self, '_max_workers', None),
                )
            except Exception:
                return real_submit(self, fn, *args, **kwargs)

            def work():
                send('work_start', item=item)
                error = None
                try:
                    return fn(*args, **kwargs)
                except BaseException as e:
                    error = type(e).__name__
                    raise
                finally:
                    send('work_end', item=item, error=error)

            return real_submit(self, work)

        submit.__doc__ = real_submit.__doc__
        pool.submit = submit

    # Patched when the program imports them: importing them ourselves would cost every program
    # their import time.
    patches = {
        'threading': patch_threading,
        'concurrent.futures.thread': patch_pool,
        # Patched before the package's `from .tasks import *`, so asyncio.sleep is ours too.
        'asyncio.tasks': patch_asyncio,
    }

    def patch(name, module):
        try:
            patches.pop(name)(module)
        except Exception:
            pass

    class Finder:
        @staticmethod
        def find_spec(name, path=None, target=None):
            if name not in patches:
                return None
            spec = _frozen_importlib_external.PathFinder.find_spec(name, path)
            if spec is None or spec.loader is None or not hasattr(spec.loader, 'exec_module'):
                return spec
            real_exec = spec.loader.exec_module

            def exec_module(module):
                real_exec(module)
                patch(name, module)

            spec.loader.exec_module = exec_module
            return spec

    for name in list(patches):
        if name in _sys.modules:
            patch(name, _sys.modules[name])
    if patches:
        _sys.meta_path.insert(0, Finder)

    # --- exit: the threads still alive (daemons die with the process) ---------------------------
    def exit_event(code=None):
        send('exit', code=code, alive=thread_list(), cpu=time.process_time(), thread_cpu=time.thread_time())
        flush_pending()

    def at_exit():
        exit_event()

    def probed_exit(code):
        # multiprocessing's forked children end with os._exit, which skips atexit.
        try:
            exit_event(code)
        except Exception:
            pass
        real_exit(code)

    atexit.register(at_exit)
    _os._exit = probed_exit

    def after_fork():
        try:
            old = link.sock
            if old is not None:
                old.close()  # the parent's connection: ours is a new one
        except Exception:
            pass
        connect()
        hello()

    if _sys.version_info >= (3, 10):
        _os.register_at_fork(after_in_child=after_fork)
    else:
        # Python 3.8 and 3.9 crash at exit when sitecustomize registers a fork hook: wrap os.fork.
        real_fork = _os.fork

        def fork():
            pid = real_fork()
            if pid == 0:
                after_fork()
            return pid

        _os.fork = fork
    connect()
    hello()


if _os.environ.get('THREADLAB_WATCH_SOCKET'):
    try:
        _install(_os.environ['THREADLAB_WATCH_SOCKET'])
    except Exception:
        pass
