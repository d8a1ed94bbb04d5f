"""Socket guard loaded into every Python process of a test (via PYTHONPATH).

Any connection or name lookup that is not loopback or a local socket is refused and written to
the file named by ``WEGWIJS_GUARD_LOG``, so the test can prove nothing reached outside.
"""

import ipaddress
import os
import socket

_LOG = os.environ.get("WEGWIJS_GUARD_LOG")
_LOCAL_NAMES = {"localhost", "127.0.0.1", "::1", "", None}


def _record(what: str) -> None:
    if _LOG:
        with open(_LOG, "a", encoding="utf-8") as log:
            log.write(f"{os.getpid()} {what}\n")


def _is_local(address: object) -> bool:
    if isinstance(address, (str, bytes)):
        return True  # AF_UNIX path
    host = address[0] if isinstance(address, tuple) else None
    try:
        return ipaddress.ip_address(host).is_loopback  # type: ignore[arg-type]
    except ValueError:
        return host in _LOCAL_NAMES


if _LOG:
    _connect = socket.socket.connect
    _connect_ex = socket.socket.connect_ex
    _getaddrinfo = socket.getaddrinfo

    def connect(self: socket.socket, address: object) -> None:
        if not _is_local(address):
            _record(f"connect {address!r}")
            raise ConnectionRefusedError(f"socket guard: no outside connections ({address!r})")
        _connect(self, address)

    def connect_ex(self: socket.socket, address: object) -> int:
        if not _is_local(address):
            _record(f"connect_ex {address!r}")
            return 111
        return _connect_ex(self, address)

    def getaddrinfo(host: object, *args: object, **kwargs: object) -> object:
        if host not in _LOCAL_NAMES and not _is_local((host,)):
            _record(f"getaddrinfo {host!r}")
            raise socket.gaierror(f"socket guard: no outside lookups ({host!r})")
        return _getaddrinfo(host, *args, **kwargs)

    socket.socket.connect = connect  # type: ignore[method-assign,assignment]
    socket.socket.connect_ex = connect_ex  # type: ignore[method-assign,assignment]
    socket.getaddrinfo = getaddrinfo  # type: ignore[assignment]
