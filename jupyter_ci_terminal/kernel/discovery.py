"""Find the Jupyter server to talk to: the one that started this kernel, as far as can be told.

Kernels are not told their server's URL (only Jupyter's terminals get ``JUPYTER_SERVER_URL``),
so this reads the servers' runtime files (``jpserver-<pid>.json``, which hold URL and token) and
picks, in order: an explicit URL (argument or ``JUPYTER_CI_SERVER_URL``); the server that is this
process's parent or ancestor (a kernel is the server's child process); the one whose URL a Jupyter
terminal was given; the one whose root folder holds this notebook (``JPY_SESSION_NAME``); the only
one; the one whose root folder holds the working directory.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from jupyter_core.paths import jupyter_runtime_dir
from jupyter_server.serverapp import list_running_servers

from .errors import NoServerError

_POINT = (
    "point at one with ci.connect(url, token), attach's --server and --token, "
    "or JUPYTER_CI_SERVER_URL and JUPYTER_CI_SERVER_TOKEN"
)
_LOOPBACK = {"localhost", "127.0.0.1", "::1", "0.0.0.0", "::", ""}  # noqa: S104 - compared, not bound


@dataclass(frozen=True)
class ServerInfo:
    """Where a Jupyter server is and how to authenticate to it."""

    url: str
    token: str = field(default="", repr=False)
    root_dir: str = ""
    pid: int | None = None

    def __post_init__(self) -> None:
        if not self.url.endswith("/"):
            object.__setattr__(self, "url", self.url + "/")

    @property
    def ws_url(self) -> str:
        """The websocket URL of the same server (``ws://`` or ``wss://``)."""
        return "ws" + self.url[4:] if self.url.startswith("http") else self.url

    @classmethod
    def from_runtime(cls, info: dict[str, Any]) -> ServerInfo:
        """Build from a ``jpserver-<pid>.json`` document."""
        return cls(
            url=str(info["url"]),
            token=str(info.get("token") or ""),
            root_dir=str(info.get("root_dir") or info.get("notebook_dir") or ""),
            pid=info.get("pid"),
        )


def same_server(a: str, b: str) -> bool:
    """True when two URLs name the same server (any loopback host counts as the same host)."""
    pa, pb = (
        urlsplit(a if a.endswith("/") else a + "/"),
        urlsplit(b if b.endswith("/") else b + "/"),
    )
    hosts_match = pa.hostname == pb.hostname or (
        (pa.hostname or "") in _LOOPBACK and (pb.hostname or "") in _LOOPBACK
    )
    return hosts_match and pa.port == pb.port and pa.path == pb.path


def _kernel_runtime_dir() -> str | None:
    """The folder of this kernel's connection file: the runtime dir of the server that started it."""
    kernelapp = sys.modules.get("ipykernel.kernelapp")
    if kernelapp is None or not kernelapp.IPKernelApp.initialized():
        return None
    connection_file = kernelapp.IPKernelApp.instance().connection_file
    return str(Path(connection_file).parent) if connection_file else None


def ancestor_pids(limit: int = 16) -> list[int]:
    """This process's parent, grandparent, …; only the parent where /proc is missing."""
    pids: list[int] = []
    pid = os.getppid()
    while pid > 1 and len(pids) < limit:
        pids.append(pid)
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            break
        pid = int(stat.rsplit(")", 1)[1].split()[1])
    return pids


def running_servers(runtime_dirs: Iterable[str | None] = ()) -> list[ServerInfo]:
    """Live servers listed in the default runtime dir and in ``runtime_dirs``, without duplicates."""
    seen: dict[int | str, ServerInfo] = {}
    for runtime_dir in {jupyter_runtime_dir(), *(d for d in runtime_dirs if d)}:
        for info in list_running_servers(runtime_dir):
            if info.get("sock"):
                continue  # a Unix-socket server cannot be reached over HTTP by requests
            server = ServerInfo.from_runtime(info)
            seen[server.pid or server.url] = server
    return list(seen.values())


def _under(path: str, root: str) -> bool:
    if not root:
        return False
    try:
        Path(path).resolve().relative_to(Path(root).resolve())
    except (ValueError, OSError):
        return False
    return True


def pick_server(
    servers: Sequence[ServerInfo],
    *,
    ancestors: Sequence[int] = (),
    terminal_url: str | None = None,
    session_path: str | None = None,
    cwd: str | None = None,
) -> ServerInfo:
    """Choose among running servers (see the module docstring for the order)."""
    if not servers:
        msg = f"No running Jupyter server was found; start JupyterLab, or {_POINT}."
        raise NoServerError(msg)
    for pid in ancestors:
        for server in servers:
            if server.pid == pid:
                return server
    if terminal_url:
        for server in servers:
            if same_server(server.url, terminal_url):
                return server
    if session_path:
        matches = [
            s
            for s in servers
            if _under(session_path, s.root_dir)
            or (not Path(session_path).is_absolute() and (Path(s.root_dir) / session_path).exists())
        ]
        if len(matches) == 1:
            return matches[0]
    if len(servers) == 1:
        return servers[0]
    if cwd:
        matches = [s for s in servers if _under(cwd, s.root_dir)]
        if matches:
            return max(matches, key=lambda s: len(Path(s.root_dir).resolve().parts))
    urls = ", ".join(s.url for s in servers)
    msg = (
        f"{len(servers)} Jupyter servers are running ({urls}) and none of them started this "
        f"process; {_POINT}."
    )
    raise NoServerError(msg)


def find_server(url: str | None = None, token: str | None = None) -> ServerInfo:
    """The server to use: explicit arguments, then the environment, then the runtime files."""
    url = url or os.environ.get("JUPYTER_CI_SERVER_URL") or None
    if token is None:
        token = os.environ.get("JUPYTER_CI_SERVER_TOKEN")
    servers = running_servers([_kernel_runtime_dir()])
    if url:
        if token is None:
            # A URL alone (e.g. from a Jupyter terminal) still finds its token in the runtime file.
            token = next((s.token for s in servers if same_server(s.url, url)), "")
        return ServerInfo(url, token)
    server = pick_server(
        servers,
        ancestors=ancestor_pids(),
        terminal_url=os.environ.get("JUPYTER_SERVER_URL"),
        session_path=os.environ.get("JPY_SESSION_NAME"),
        cwd=str(Path.cwd()),
    )
    return ServerInfo(server.url, token, server.root_dir, server.pid) if token else server
