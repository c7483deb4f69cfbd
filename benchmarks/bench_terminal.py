#!/usr/bin/env python3
"""JupyterLab's own terminal (terminado) against the CI terminal, through one real Jupyter server.

    python benchmarks/bench_terminal.py            # full: 100 MB, 300 keystrokes, 100 sessions
    python benchmarks/bench_terminal.py --quick    # sanity: 10 MB, 50 keystrokes, 10 sessions

The benchmark starts its own ``jupyter server`` (loopback only, random token, throw-away config,
data and runtime folders) on a throw-away project whose ``.gitlab-ci.yml`` holds one ``sleep 3600``
job per concurrent session; the server extension starts the embedded runner on first use. Both
terminals are driven by the same client code (the ``websockets`` package), in the same run:

1. output throughput: ``cat`` of a text file, from the command's send to an end marker, MB/s;
2. keystroke echo latency at an idle prompt, one character at a time, p50/p99 ms;
3. N idle-attached sessions, keystrokes sent round-robin (and once in a burst to all), p50/p99;
4. server RSS growth with one stalled viewer while a second viewer reads the whole ``cat``.

It only talks to 127.0.0.1 and stops every process it started. Results go to stdout (and to
``--json FILE``).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib.metadata
import json
import math
import os
import platform
import secrets
import shutil
import signal
import socket
import statistics
import string
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from websockets.asyncio.client import ClientConnection, connect

MB = 1_000_000
MIB = 1024 * 1024
TERMINADO = "terminado"
CI = "ci"
KINDS = (TERMINADO, CI)
LABEL = {TERMINADO: "terminado", CI: "CI terminal"}

# --------------------------------------------------------------------------------------------
# Small helpers


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100)."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def proc_status(pid: int, key: str) -> int:
    """A ``kB`` field of /proc/<pid>/status, in bytes (0 when the process is gone)."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def rss(pid: int) -> int:
    return proc_status(pid, "VmRSS")


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process, in seconds."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def machine_facts() -> dict[str, Any]:
    model = ""
    with contextlib.suppress(OSError), open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    mem = 0
    with contextlib.suppress(OSError), open("/proc/meminfo") as f:
        mem = int(f.readline().split()[1]) * 1024
    versions = {}
    for dist in (
        "jupyter-ci-terminal",
        "jupyter_server",
        "jupyterlab",
        "jupyter_server_terminals",
        "terminado",
        "tornado",
        "websockets",
        "pyte",
    ):
        try:
            versions[dist] = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            versions[dist] = "missing"
    with open("/proc/loadavg") as f:
        load = " ".join(f.read().split()[:3])
    return {
        "loadavg_at_start": load,
        "cpus": os.cpu_count(),
        "cpus_usable": len(os.sched_getaffinity(0)),
        "cpu_model": model,
        "memory_gib": round(mem / 1024**3, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "versions": versions,
    }


# --------------------------------------------------------------------------------------------
# The Jupyter server under test


class JupyterServer:
    """A ``jupyter server`` subprocess on a throw-away project; stopped by :meth:`stop`."""

    def __init__(self, work: Path, jobs: int) -> None:
        self.work = work
        self.jobs = jobs
        self.project = work / "project"
        self.env_dirs = {
            "JUPYTER_CONFIG_DIR": work / "jupyter-config",
            "JUPYTER_DATA_DIR": work / "jupyter-data",
            "JUPYTER_RUNTIME_DIR": work / "jupyter-runtime",
        }
        self.token = secrets.token_hex(24)
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}/"
        self.ws_base = f"ws://127.0.0.1:{self.port}/"
        self.proc: subprocess.Popen[bytes] | None = None
        self.log_path = work / "jupyter-server.log"
        self._log: Any = None

    def _write_project(self) -> None:
        self.project.mkdir(parents=True)
        lines = ["stages: [hold]", ""]
        for i in range(1, self.jobs + 1):
            lines += [f"hold-{i:03d}:", "  stage: hold", "  script:", "    - sleep 3600", ""]
        (self.project / ".gitlab-ci.yml").write_text("\n".join(lines))
        for d in self.env_dirs.values():
            d.mkdir(parents=True)

    def start(self) -> None:
        self._write_project()
        env = dict(os.environ)
        env.update({k: str(v) for k, v in self.env_dirs.items()})
        # Both terminals then run `bash -l` (terminado: $SHELL -l; the runner: bash -l).
        env["SHELL"] = shutil.which("bash") or "/bin/sh"
        argv = [
            sys.executable,
            "-m",
            "jupyter_server",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={self.port}",
            "--ServerApp.port_retries=0",
            f"--ServerApp.token={self.token}",
            "--ServerApp.open_browser=False",
            "--allow-root",
            f"--ServerApp.root_dir={self.project}",
            # The embedded runner runs 4 jobs at once by default; every session needs its job.
            f"--CITerminalApp.runner_concurrent={self.jobs}",
        ]
        self._log = open(self.log_path, "wb")  # noqa: SIM115
        self.proc = subprocess.Popen(
            argv,
            env=env,
            cwd=self.work,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                msg = f"jupyter server exited with {self.proc.returncode}; see {self.log_path}"
                raise RuntimeError(msg)
            with contextlib.suppress(OSError, urllib.error.URLError):
                self.rest("GET", "api/status")
                return
            time.sleep(0.2)
        msg = f"jupyter server did not answer within 90 s; see {self.log_path}"
        raise RuntimeError(msg)

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def runner_pids(self) -> list[int]:
        """Pids of runners that wrote a runtime file in this benchmark's runtime folder."""
        pids = []
        for path in self.env_dirs["JUPYTER_RUNTIME_DIR"].glob("ci-runner-*.json"):
            with contextlib.suppress(OSError, ValueError, KeyError):
                pids.append(int(json.loads(path.read_text())["pid"]))
        return pids

    def rest(self, method: str, path: str, body: Any = None, timeout: float = 120) -> Any:
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base + path, data=data, method=method)
        req.add_header("Authorization", f"token {self.token}")
        if data is not None:
            req.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(req, timeout=timeout) as resp:  # loopback only
            raw = resp.read()
        return json.loads(raw) if raw else None

    async def arest(self, method: str, path: str, body: Any = None) -> Any:
        return await asyncio.to_thread(self.rest, method, path, body)

    def stop(self) -> None:
        """Shut the server down (it stops the runner it started); force only what is left."""
        runners = self.runner_pids()
        if self.proc is not None and self.proc.poll() is None:
            with contextlib.suppress(OSError, urllib.error.URLError):
                self.rest("POST", "api/shutdown", timeout=10)
            try:
                self.proc.wait(45)
            except subprocess.TimeoutExpired:
                self.proc.send_signal(signal.SIGTERM)
                try:
                    self.proc.wait(15)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait()
        for pid in runners:  # only runners this server started (they live in our runtime dir)
            deadline = time.monotonic() + 20
            while alive(pid) and time.monotonic() < deadline:
                time.sleep(0.2)
            if alive(pid):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
        if self._log is not None:
            self._log.close()


# --------------------------------------------------------------------------------------------
# One terminal client, the same for both servers


class Term:
    """A terminado-protocol websocket client (JupyterLab's TerminalConnection, minus the widget)."""

    def __init__(self, kind: str, ws: ClientConnection) -> None:
        self.kind = kind
        self.ws = ws

    @classmethod
    async def open(
        cls, server: JupyterServer, kind: str, name: str, *, stalled: bool = False
    ) -> Term:
        path = (
            f"terminals/websocket/{name}"
            if kind == TERMINADO
            else f"ci-terminal/terminals/websocket/{name}"
        )
        ws = await connect(
            server.ws_base + path,
            additional_headers={"Authorization": f"token {server.token}"},
            compression=None,
            proxy=None,
            max_size=None,
            ping_interval=None,
            open_timeout=60,
            close_timeout=2,
            # A stalled viewer: once one message is buffered the client stops reading the socket.
            max_queue=1 if stalled else 64,
        )
        term = cls(kind, ws)
        if not stalled:
            first = json.loads(await asyncio.wait_for(ws.recv(), 30))
            if first[0] != "setup":
                msg = f"{kind}: the first message is {first[0]!r}, not setup"
                raise RuntimeError(msg)
        return term

    async def send(self, text: str) -> None:
        await self.ws.send(json.dumps(["stdin", text]))

    async def recv_text(self, timeout: float | None = None) -> str:
        """The text of the next stdout message (other messages give '')."""
        raw = await asyncio.wait_for(self.ws.recv(), timeout)
        msg = json.loads(raw)
        return msg[1] if msg[0] == "stdout" else ""

    async def drain(self, quiet: float = 0.3) -> None:
        """Read until nothing arrives for ``quiet`` seconds."""
        while True:
            try:
                await asyncio.wait_for(self.ws.recv(), quiet)
            except TimeoutError:
                return

    async def run_until(self, command: str, marker: str, timeout: float = 600) -> dict[str, Any]:
        """Send ``command`` + CR, read raw frames until ``marker``; time and count what came.

        The stdout payload is searched in its JSON-escaped form: escaping is per character, so
        consecutive payloads concatenate, and the marker is plain [A-Za-z0-9].
        """
        needle = marker.encode()
        tail = b""
        newlines = 0
        received = 0
        messages = 0
        t0 = time.perf_counter()
        await self.send(command + "\r")
        deadline = t0 + timeout
        while True:
            left = deadline - time.perf_counter()
            if left <= 0:
                msg = f"{self.kind}: no {marker!r} within {timeout:g} s"
                raise TimeoutError(msg)
            raw = await asyncio.wait_for(self.ws.recv(decode=False), left)
            received += len(raw)
            messages += 1
            if not raw.startswith(b'["stdout"'):
                continue
            start = raw.index(b'"', 9) + 1
            payload = raw[start:-2]
            newlines += payload.count(b"\\n")
            window = tail + payload
            if needle in window:
                t1 = time.perf_counter()
                return {
                    "seconds": t1 - t0,
                    "newlines": newlines,
                    "wire_bytes": received,
                    "messages": messages,
                }
            tail = window[-len(needle) :]

    async def sync(self) -> None:
        """Wait until the shell has run everything sent so far, then for quiet."""
        token = secrets.token_hex(6)
        await self.run_until(f"printf 'SYNC%s\\n' {token}", f"SYNC{token}", timeout=120)
        await self.drain()

    async def keystroke(self, char: str, timeout: float = 30) -> float:
        """Send one character; seconds until a stdout message holding its echo arrives."""
        t0 = time.perf_counter()
        await self.send(char)
        deadline = t0 + timeout
        while True:
            text = await self.recv_text(max(0.001, deadline - time.perf_counter()))
            if char in text:
                return time.perf_counter() - t0

    async def clear_line(self) -> None:
        """Ctrl-U: empty the readline buffer, then wait for quiet."""
        await self.send("\x15")
        await self.drain(0.2)

    def abort(self) -> None:
        """Drop the connection without a closing handshake (a stalled client cannot do one)."""
        self.ws.transport.abort()

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.ws.close(), 3)
        self.abort()


class PeakRSS:
    """Samples a process's RSS every 20 ms until :meth:`stop`."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak = rss(pid)
        self._done = asyncio.Event()
        self._task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        while not self._done.is_set():
            self.peak = max(self.peak, rss(self.pid))
            await asyncio.sleep(0.02)

    async def stop(self) -> int:
        self._done.set()
        await self._task
        return self.peak


# --------------------------------------------------------------------------------------------
# The benchmark


@dataclass
class Bench:
    server: JupyterServer
    data_file: Path
    data_lines: int
    mb: int
    keys: int
    sessions: int
    reps: int
    profile_dir: Path | None = None
    only: tuple[str, ...] = ("memory", "throughput", "echo", "many")
    jobs: list[int] = field(default_factory=list)
    ci_names: dict[int, str] = field(default_factory=dict)
    results: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    # -- setup ---------------------------------------------------------------------------------

    async def start_jobs(self) -> None:
        """Run the pipeline and wait until as many of its jobs as possible run."""
        t0 = time.monotonic()
        pipeline = await self.server.arest("POST", "ci-terminal/api/projects/local/pipelines", {})
        path = f"ci-terminal/api/projects/local/pipelines/{pipeline['id']}/jobs"
        running: list[int] = []
        total = 0
        deadline = time.monotonic() + 180
        stable_since = time.monotonic()
        while time.monotonic() < deadline:
            jobs = await self.server.arest("GET", path)
            total = len(jobs)
            now_running = sorted(j["id"] for j in jobs if j["status"] == "running")
            if now_running != running:
                running, stable_since = now_running, time.monotonic()
            if len(running) >= self.sessions:
                break
            if running and time.monotonic() - stable_since > 20:
                break  # no more jobs start: the runner's concurrency (or the API) caps it
            await asyncio.sleep(0.5)
        self.jobs = running
        self.results["jobs"] = {
            "asked": self.sessions,
            "listed": total,
            "running": len(running),
            "seconds_to_run": round(time.monotonic() - t0, 1),
        }
        log(
            f"pipeline {pipeline['id']}: {len(running)}/{self.sessions} jobs running "
            f"({total} listed) after {time.monotonic() - t0:.1f} s"
        )
        if not running:
            msg = "no CI job is running"
            raise RuntimeError(msg)
        if len(running) < self.sessions:
            self.notes.append(
                f"only {len(running)} of {self.sessions} jobs ran at once; "
                "the concurrency test used that many"
            )

    async def ci_session(self, job: int) -> str:
        if job not in self.ci_names:
            body = {"project": "local", "job": job}
            self.ci_names[job] = (
                await self.server.arest("POST", "ci-terminal/api/terminals", body)
            )["name"]
        return self.ci_names[job]

    async def terminado_session(self) -> str:
        return str((await self.server.arest("POST", "api/terminals", {}))["name"])

    async def open_pair(self, job_index: int) -> dict[str, str]:
        """A fresh terminado terminal and the CI session of one job."""
        return {
            TERMINADO: await self.terminado_session(),
            CI: await self.ci_session(self.jobs[job_index % len(self.jobs)]),
        }

    def cat_command(self) -> tuple[str, str]:
        mark = secrets.token_hex(8)
        return f"cat {self.data_file}; printf 'END%s\\n' {mark}", f"END{mark}"

    # -- 4. memory with a stalled viewer (first: the server is fresh) ---------------------------

    async def bench_memory(self, names: dict[str, str]) -> None:
        out: dict[str, Any] = {}
        runner = (self.server.runner_pids() or [0])[0]
        for kind in (CI, TERMINADO):  # ours first: it cannot reuse memory terminado freed
            reader = await Term.open(self.server, kind, names[kind])
            stalled = await Term.open(self.server, kind, names[kind], stalled=True)
            await reader.sync()
            await asyncio.sleep(1.0)
            before = rss(self.server.pid)
            runner_before = rss(runner) if kind == CI else 0
            sampler = PeakRSS(self.server.pid)
            command, marker = self.cat_command()
            run = await reader.run_until(command, marker)
            after = rss(self.server.pid)
            await asyncio.sleep(1.0)
            settled = rss(self.server.pid)
            peak = await sampler.stop()
            stalled.abort()
            await reader.close()
            out[kind] = {
                "rss_before_mib": before / MIB,
                "growth_mib": (after - before) / MIB,
                "growth_after_1s_mib": (settled - before) / MIB,
                "peak_growth_mib": (max(peak, after) - before) / MIB,
                "reader_mb_s": self.mb / run["seconds"],
                "reader_delivered": run["newlines"] / self.data_lines,
            }
            if kind == CI and runner:
                out[kind]["runner_growth_mib"] = (rss(runner) - runner_before) / MIB
            log(
                f"memory {LABEL[kind]:12s} growth {out[kind]['growth_mib']:7.1f} MiB "
                f"(peak {out[kind]['peak_growth_mib']:7.1f}), reader {out[kind]['reader_mb_s']:6.1f} MB/s"
            )
            await asyncio.sleep(2.0)  # let the server drop the stalled connection
        self.results["memory"] = out

    # -- 1. throughput ---------------------------------------------------------------------------

    async def bench_throughput(self, names: dict[str, str]) -> None:
        runs: dict[str, list[dict[str, Any]]] = {k: [] for k in KINDS}
        terms = {k: await Term.open(self.server, k, names[k]) for k in KINDS}
        for t in terms.values():
            await t.sync()
        runner = (self.server.runner_pids() or [0])[0]
        for rep in range(self.reps):
            for kind in KINDS:  # alternate, so drift hits both alike
                term = terms[kind]
                cpu0 = {
                    "server": cpu_seconds(self.server.pid),
                    "runner": cpu_seconds(runner) if runner else 0.0,
                    "client": time.process_time(),
                }
                command, marker = self.cat_command()
                run = await term.run_until(command, marker)
                cpu = {
                    "server": cpu_seconds(self.server.pid) - cpu0["server"],
                    "runner": (cpu_seconds(runner) - cpu0["runner"])
                    if (runner and kind == CI)
                    else 0.0,
                    "client": time.process_time() - cpu0["client"],
                }
                await term.sync()
                runs[kind].append(
                    {
                        "mb_s": self.mb / run["seconds"],
                        "seconds": run["seconds"],
                        "delivered": run["newlines"] / self.data_lines,
                        "messages": run["messages"],
                        "cpu_s": cpu,
                    }
                )
                log(
                    f"throughput {LABEL[kind]:12s} rep {rep + 1}: {self.mb / run['seconds']:7.1f} MB/s "
                    f"({run['newlines'] / self.data_lines:.1%} of lines in {run['messages']} messages; cpu server "
                    f"{cpu['server']:.1f} s, runner {cpu['runner']:.1f} s, client {cpu['client']:.1f} s)"
                )
        if self.profile_dir is not None:
            await self.profile_cat(terms, runner)
        for t in terms.values():
            await t.close()
        self.results["throughput"] = {
            kind: {
                "mb_s_median": statistics.median(r["mb_s"] for r in runs[kind]),
                "runs": runs[kind],
            }
            for kind in KINDS
        }

    async def profile_cat(self, terms: dict[str, Term], runner: int) -> None:
        """One more (unmeasured) cat per terminal with py-spy on the server (and the runner)."""
        assert self.profile_dir is not None
        spy = find_py_spy()
        if spy is None:
            self.notes.append("--profile: py-spy is not installed (pip install py-spy)")
            return
        await asyncio.to_thread(self.profile_dir.mkdir, parents=True, exist_ok=True)
        for kind in KINDS:
            targets = {"server": self.server.pid}
            if kind == CI and runner:
                targets["runner"] = runner
            spies = {}
            for what, pid in targets.items():
                out = self.profile_dir / f"{kind}-{what}.txt"
                spies[what] = await asyncio.create_subprocess_exec(
                    *(spy, "record", "--nonblocking", "-r", "250", "-f", "raw"),
                    *("-o", str(out), "-p", str(pid)),
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            await asyncio.sleep(1.0)  # py-spy attaches
            command, marker = self.cat_command()
            await terms[kind].run_until(command, marker)
            for proc in spies.values():
                proc.send_signal(signal.SIGINT)
            for what, proc in spies.items():
                try:
                    await asyncio.wait_for(proc.wait(), 30)
                except TimeoutError:
                    proc.kill()
                    await proc.wait()
                path = self.profile_dir / f"{kind}-{what}.txt"
                summary = await asyncio.to_thread(summarize_profile, path)
                if summary is not None:
                    self.results.setdefault("profile", {})[f"{kind}-{what}"] = summary
            await terms[kind].sync()

    # -- 2. echo latency -------------------------------------------------------------------------

    async def bench_echo(self, names: dict[str, str]) -> None:
        terms = {k: await Term.open(self.server, k, names[k]) for k in KINDS}
        for t in terms.values():
            await t.sync()
        samples: dict[str, list[float]] = {k: [] for k in KINDS}
        block = 25  # alternate in blocks, clear the line every block
        done = 0
        while done < self.keys:
            n = min(block, self.keys - done)
            for kind in KINDS:
                term = terms[kind]
                for _ in range(n):
                    samples[kind].append(await term.keystroke("x") * 1000)
                    await asyncio.sleep(0.01)
                await term.clear_line()
            done += n
        for t in terms.values():
            await t.close()
        self.results["echo"] = {
            kind: {
                "n": len(v),
                "p50_ms": percentile(v, 50),
                "p99_ms": percentile(v, 99),
                "max_ms": max(v),
            }
            for kind, v in samples.items()
        }
        for kind in KINDS:
            e = self.results["echo"][kind]
            log(
                f"echo {LABEL[kind]:12s} p50 {e['p50_ms']:.2f} ms, p99 {e['p99_ms']:.2f} ms (n={e['n']})"
            )

    # -- 3. many idle-attached sessions --------------------------------------------------------

    async def bench_many(self) -> None:
        n = len(self.jobs)
        out: dict[str, Any] = {"sessions": n}
        gate = asyncio.Semaphore(8)

        async def one(kind: str, job: int) -> Term:
            async with gate:
                name = await self.ci_session(job) if kind == CI else await self.terminado_session()
                term = await Term.open(self.server, kind, name)
                await term.sync()
                return term

        for kind in KINDS:
            t0 = time.monotonic()
            terms = await asyncio.gather(*(one(kind, job) for job in self.jobs))
            attach_s = time.monotonic() - t0
            await asyncio.sleep(1.0)
            rounds = max(1, math.ceil(self.keys / n))
            rr: list[float] = []
            for _ in range(rounds):
                for term in terms:
                    rr.append(await term.keystroke("x") * 1000)
            burst: list[float] = []
            for _ in range(3):
                await asyncio.sleep(0.3)
                burst += [
                    v * 1000 for v in await asyncio.gather(*(t.keystroke("y") for t in terms))
                ]
            await asyncio.gather(*(t.close() for t in terms))
            out[kind] = {
                "attach_seconds": attach_s,
                "rr_n": len(rr),
                "rr_p50_ms": percentile(rr, 50),
                "rr_p99_ms": percentile(rr, 99),
                "rr_max_ms": max(rr),
                "burst_p50_ms": percentile(burst, 50),
                "burst_p99_ms": percentile(burst, 99),
            }
            o = out[kind]
            log(
                f"{n} sessions {LABEL[kind]:12s} attach {attach_s:5.1f} s; round-robin p50 "
                f"{o['rr_p50_ms']:.2f} p99 {o['rr_p99_ms']:.2f} ms; burst p50 {o['burst_p50_ms']:.1f} "
                f"p99 {o['burst_p99_ms']:.1f} ms"
            )
        self.results["many"] = out

    async def run(self) -> None:
        await self.start_jobs()
        if "memory" in self.only:
            await self.bench_memory(await self.open_pair(0))
        if "throughput" in self.only:
            await self.bench_throughput(await self.open_pair(1))
        if "echo" in self.only:
            await self.bench_echo(await self.open_pair(2))
        if "many" in self.only:
            await self.bench_many()


# --------------------------------------------------------------------------------------------
# Report


def log(text: str) -> None:
    print(f"  [{time.strftime('%H:%M:%S')}] {text}", flush=True)


def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def report(bench: Bench) -> list[list[str]]:
    r = bench.results
    rows: list[list[str]] = [
        ["metric", "terminado", "CI terminal", "ours vs terminado", "target", "result"]
    ]
    if "throughput" in r:
        rows += _throughput_rows(bench)
    if "echo" in r:
        rows += _echo_rows(bench)
    if "many" in r:
        rows += _many_rows(bench)
    if "memory" in r:
        rows += _memory_rows(bench)
    return rows


def _throughput_rows(bench: Bench) -> list[list[str]]:
    rows = []
    tp = bench.results["throughput"]
    t_tp, c_tp = tp[TERMINADO]["mb_s_median"], tp[CI]["mb_s_median"]
    rows.append(
        [
            f"1. cat {bench.mb} MB, MB/s (median of {bench.reps})",
            f"{t_tp:.1f}",
            f"{c_tp:.1f}",
            f"{c_tp / t_tp:.2f}x",
            ">= 1.20x",
            verdict(c_tp >= 1.2 * t_tp),
        ]
    )
    return rows


def _echo_rows(bench: Bench) -> list[list[str]]:
    rows = []
    e = bench.results["echo"]
    d50 = e[CI]["p50_ms"] - e[TERMINADO]["p50_ms"]
    rows.append(
        [
            f"2. echo p50, ms (n={e[CI]['n']})",
            f"{e[TERMINADO]['p50_ms']:.2f}",
            f"{e[CI]['p50_ms']:.2f}",
            f"{d50:+.2f} ms",
            "<= +1 ms",
            verdict(d50 <= 1.0),
        ]
    )
    rows.append(
        [
            "   echo p99, ms",
            f"{e[TERMINADO]['p99_ms']:.2f}",
            f"{e[CI]['p99_ms']:.2f}",
            f"{e[CI]['p99_ms'] / e[TERMINADO]['p99_ms']:.2f}x",
            "",
            "",
        ]
    )
    return rows


def _many_rows(bench: Bench) -> list[list[str]]:
    rows = []
    m = bench.results["many"]
    n = m["sessions"]
    rows.append(
        [
            f"3. {n} idle sessions, round-robin echo p99, ms",
            f"{m[TERMINADO]['rr_p99_ms']:.2f}",
            f"{m[CI]['rr_p99_ms']:.2f}",
            f"{m[CI]['rr_p99_ms'] / m[TERMINADO]['rr_p99_ms']:.2f}x",
            f"< 50 ms ({n}/{bench.sessions} sessions)",
            verdict(m[CI]["rr_p99_ms"] < 50 and n >= bench.sessions),
        ]
    )
    rows.append(
        [
            "   round-robin echo p50, ms",
            f"{m[TERMINADO]['rr_p50_ms']:.2f}",
            f"{m[CI]['rr_p50_ms']:.2f}",
            f"{m[CI]['rr_p50_ms'] / m[TERMINADO]['rr_p50_ms']:.2f}x",
            "",
            "",
        ]
    )
    rows.append(
        [
            f"   one keystroke to all {n} at once: p50 / p99, ms",
            f"{m[TERMINADO]['burst_p50_ms']:.1f} / {m[TERMINADO]['burst_p99_ms']:.1f}",
            f"{m[CI]['burst_p50_ms']:.1f} / {m[CI]['burst_p99_ms']:.1f}",
            "",
            "",
            "",
        ]
    )
    return rows


def _memory_rows(bench: Bench) -> list[list[str]]:
    rows = []
    mem = bench.results["memory"]
    rows.append(
        [
            f"4. server RSS growth, stalled viewer, {bench.mb} MB, MiB",
            f"{mem[TERMINADO]['growth_mib']:.1f}",
            f"{mem[CI]['growth_mib']:.1f}",
            f"{mem[CI]['growth_mib'] - mem[TERMINADO]['growth_mib']:+.1f} MiB",
            "< 16 MiB",
            verdict(mem[CI]["growth_mib"] < 16 and mem[CI]["peak_growth_mib"] < 16),
        ]
    )
    rows.append(
        [
            "   peak RSS growth during the cat, MiB",
            f"{mem[TERMINADO]['peak_growth_mib']:.1f}",
            f"{mem[CI]['peak_growth_mib']:.1f}",
            "",
            "",
            "",
        ]
    )
    if "runner_growth_mib" in mem[CI]:
        rows.append(
            [
                "   runner RSS growth (CI only), MiB",
                "-",
                f"{mem[CI]['runner_growth_mib']:.1f}",
                "",
                "",
                "",
            ]
        )
    rows.append(
        [
            "   reading viewer's MB/s beside the stalled one",
            f"{mem[TERMINADO]['reader_mb_s']:.1f}",
            f"{mem[CI]['reader_mb_s']:.1f}",
            f"{mem[CI]['reader_mb_s'] / mem[TERMINADO]['reader_mb_s']:.2f}x",
            "",
            "",
        ]
    )
    return rows


def find_py_spy() -> str | None:
    spy = shutil.which("py-spy")
    beside = Path(sys.executable).with_name("py-spy")
    return spy or (str(beside) if beside.exists() else None)


def summarize_profile(path: Path, top: int = 12) -> dict[str, Any] | None:
    """Self and inclusive sample shares per function from py-spy's collapsed (raw) stacks."""
    if not path.exists():
        return None
    own: dict[str, int] = {}
    incl: dict[str, int] = {}
    total = 0
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n = int(count)
        total += n
        frames = [
            f.split(" (")[0] + " (" + f.split(" (")[1].split(":")[0] + ")" if " (" in f else f
            for f in stack.split(";")
        ]
        own[frames[-1]] = own.get(frames[-1], 0) + n
        for f in set(frames):
            incl[f] = incl.get(f, 0) + n

    def best(d: dict[str, int], cap: float = 1.0) -> list[tuple[str, float]]:
        ranked = sorted(d.items(), key=lambda kv: -kv[1])
        return [(k, round(v / total, 3)) for k, v in ranked if v <= cap * total][:top]

    # Inclusive: leave out the event loop's outer frames (in 90 % of the samples or more).
    return {"samples": total, "self": best(own), "inclusive": best(incl, 0.9)}


def print_profiles(profiles: dict[str, Any]) -> None:
    for name, prof in profiles.items():
        print(f"\nprofile {name} ({prof['samples']} busy samples at 250 Hz): top self time")
        for frame, share in prof["self"]:
            print(f"  {share:6.1%}  {frame}")
        print("  inclusive:")
        for frame, share in prof["inclusive"]:
            print(f"  {share:6.1%}  {frame}")


def print_table(rows: list[list[str]]) -> None:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for j, row in enumerate(rows):
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
        if j == 0:
            print("  ".join("-" * w for w in widths))


# --------------------------------------------------------------------------------------------


def write_data(path: Path, mb: int) -> int:
    """``mb`` MB of printable 100-byte lines (no backslash, no upper case: markers stay unique)."""
    alphabet = (string.ascii_lowercase + string.digits) * 4
    lines = mb * MB // 100
    with open(path, "w") as f:
        f.writelines(
            "".join(
                f"{i:010d} {alphabet[i % 36 : i % 36 + 88]}\n"
                for i in range(start, min(lines, start + 10_000))
            )
            for start in range(0, lines, 10_000)
        )
    return lines


def run(args: argparse.Namespace) -> int:
    facts = machine_facts()
    print(
        f"machine: {facts['cpus_usable']}/{facts['cpus']} cores ({facts['cpu_model']}), "
        f"{facts['memory_gib']} GiB, Linux {facts['kernel']}, Python {facts['python']}, "
        f"load average {facts['loadavg_at_start']}"
    )
    print("versions: " + ", ".join(f"{k} {v}" for k, v in facts["versions"].items()))
    print(
        f"settings: {args.mb} MB cat x{args.reps}, {args.keys} keystrokes, "
        f"{args.sessions} sessions{' (quick)' if args.quick else ''}"
    )
    work = Path(tempfile.mkdtemp(prefix="bench-terminal-"))
    server = JupyterServer(work, args.sessions)
    failed = True
    try:
        data = work / "data" / "lines.txt"
        data.parent.mkdir()
        lines = write_data(data, args.mb)
        server.start()
        log(f"jupyter server pid {server.pid} on 127.0.0.1:{server.port}")
        bench = Bench(
            server,
            data,
            lines,
            args.mb,
            args.keys,
            args.sessions,
            args.reps,
            Path(args.profile).resolve() if args.profile else None,
            tuple(args.only.split(",")),
        )
        asyncio.run(bench.run())
        failed = False
    finally:
        if failed:
            print(f"benchmark failed; server log: {server.log_path}", file=sys.stderr)
        server.stop()
        if args.keep or failed:
            with contextlib.suppress(OSError):
                (work / "data" / "lines.txt").unlink()
            print(f"kept {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)
    print()
    rows = report(bench)
    print_table(rows)
    for note in bench.notes:
        print(f"note: {note}")
    if "profile" in bench.results:
        print_profiles(bench.results["profile"])
    if args.json:
        result = {
            "machine": facts,
            "settings": vars(args),
            "results": bench.results,
            "notes": bench.notes,
            "table": rows,
        }
        Path(args.json).write_text(json.dumps(result, indent=2))
    return 0


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="10 MB, 50 keystrokes, 10 sessions")
    p.add_argument("--mb", type=int, help="size of the cat, MB (default 100; quick 10)")
    p.add_argument("--keys", type=int, help="keystrokes per terminal (default 300; quick 50)")
    p.add_argument("--sessions", type=int, help="concurrent CI sessions (default 100; quick 10)")
    p.add_argument("--reps", type=int, default=3, help="throughput repetitions (median; default 3)")
    p.add_argument("--json", help="also write the results to this JSON file")
    p.add_argument(
        "--profile",
        metavar="DIR",
        help="after the throughput runs, one more cat per terminal under py-spy (server, runner); "
        "collapsed stacks go to DIR",
    )
    p.add_argument(
        "--only",
        default="memory,throughput,echo,many",
        help="comma-separated parts to run: memory,throughput,echo,many (default: all)",
    )
    p.add_argument("--keep", action="store_true", help="keep the work folder (server log)")
    args = p.parse_args()
    args.mb = args.mb or (10 if args.quick else 100)
    args.keys = args.keys or (50 if args.quick else 300)
    args.sessions = args.sessions or (10 if args.quick else 100)
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
