"""Run a render in a forked child process, with a wall-clock time limit and a memory limit.

Pure: a callable in, its value (or its exception) out. A staff template's render
then cannot stall the web process or grow it: the child is killed at the time
limit, and its address space is capped with ``setrlimit(RLIMIT_AS)`` above what
it inherited, so a runaway allocation fails in the child (``MemoryError``).
Forking a warm process is cheap (no imports, fonts already configured); where
there is no ``fork`` (not POSIX) the callable runs in process, unlimited.
"""

from __future__ import annotations

import os
import pickle
import resource
import select
import signal
import time
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from typing import Any, TypeVar

from cert_plugin.rendering.base import RenderError

__all__ = ["RenderLimitError", "run_limited"]

T = TypeVar("T")


class RenderLimitError(RenderError):
    """The render ran past its time or memory limit and was stopped."""


def run_limited(func: Callable[..., T], *args: Any, seconds: float, memory_mb: int,
                fork_guard: AbstractContextManager[Any] | None = None, **kwargs: Any) -> T:
    """``func(*args, **kwargs)`` in a child process; RenderLimitError past ``seconds`` or ``memory_mb``.

    ``fork_guard`` is held while forking: the renderer's in-process lock, so that the child is
    never forked while another thread of this process is inside Pango or fontconfig (their
    internal locks would be copied held, and the child would hang until its time limit).
    """
    if not hasattr(os, "fork"):
        return func(*args, **kwargs)
    reader, writer = os.pipe()
    with fork_guard or nullcontext():
        pid = os.fork()
    if pid == 0:  # the child: never returns
        os.close(reader)
        _child(writer, func, args, kwargs, seconds, memory_mb)
    os.close(writer)
    chunks: list[bytes] = []
    deadline = time.monotonic() + seconds
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([reader], [], [], left)[0]:
                raise RenderLimitError(f"the template took longer than {seconds:g} seconds to render "
                                       "and was stopped")
            chunk = os.read(reader, 1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(reader)
        _reap(pid)
    if not chunks:
        raise RenderLimitError(f"the template needed more than {memory_mb} MB to render and was stopped")
    ok, value = pickle.loads(b"".join(chunks))
    if ok:
        return value
    raise value


def _child(writer: int, func: Callable[..., Any], args: Any, kwargs: Any, seconds: float,
           memory_mb: int) -> None:
    status = 1
    try:
        try:
            _limit(seconds, memory_mb)
            answer: tuple[bool, Any] = (True, func(*args, **kwargs))
        except MemoryError:
            answer = (False, RenderLimitError(f"the template needed more than {memory_mb} MB to render "
                                              "and was stopped"))
        except BaseException as exc:  # noqa: BLE001  (handed to the parent, which raises it)
            answer = (False, exc)
        try:
            data = pickle.dumps(answer)
        except Exception:  # noqa: BLE001  (an exception that does not pickle)
            data = pickle.dumps((False, RenderError(str(answer[1]))))
        view = memoryview(data)
        while view:
            view = view[os.write(writer, view):]
        status = 0
    finally:
        os._exit(status)


def _limit(seconds: float, memory_mb: int) -> None:
    cpu = int(seconds) + 1
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    try:
        with open("/proc/self/statm") as statm:
            inherited = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return  # no way to know what the child inherited: the time limit alone applies
    limit = inherited + memory_mb * 1024 * 1024
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _reap(pid: int) -> None:
    try:
        done, _status = os.waitpid(pid, os.WNOHANG)
        if done == 0:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
    except ChildProcessError:
        pass
