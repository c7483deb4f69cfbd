"""Screen model throughput: MB/s of terminal output applied, per kind of output.

    .venv/bin/python benchmarks/bench_screen.py            # all workloads, 3 repetitions
    .venv/bin/python benchmarks/bench_screen.py --pyte     # also pyte on a slice, for scale
    .venv/bin/python benchmarks/bench_screen.py --cpu      # MB/s of CPU time, not wall-clock
    .venv/bin/python benchmarks/bench_screen.py --cpu --against ../other-checkout  # A/B

Each workload is fed in 64 KiB chunks (what the relay hands over per websocket frame) to a
24x80 model with 1000 lines of scrollback; the best of the repetitions is reported.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
# Real tools' output, as the correctness tests generate it (the same streams, longer).
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "unit" / "screen"))

from real_output import buildkit, buildkit_running, rich_with_log, tqdm, tqdm_with_log

from jupyter_ci_terminal.screen import ScreenModel

CHUNK = 64 * 1024


def plain(mb: int) -> str:
    """`cat` of a log: 100-byte printable lines, CR LF as a pty sends them."""
    line = "".join(chr(33 + i % 90) for i in range(90))
    n = mb * 1_000_000 // 100
    return "".join(f"{i:08d} {line}\r\n" for i in range(n))


def cursor_flood(updates: int) -> str:
    """A header drawn once, then one row updated `updates` times at an absolute position."""
    head = "\x1b[H\x1b[2J\x1b[1mHEADER: build status\x1b[0m\r\n" + "-" * 80 + "\r\n"
    return head + "".join(f"\x1b[5;1Hcompiled {i} files \x1b[K" for i in range(updates))


def cr_flood(updates: int) -> str:
    """A progress counter rewritten with CR (curl, pip, wget)."""
    return "Downloading\r\n" + "".join(
        f"\r\x1b[32m{i // 7000:3d}%\x1b[0m {i} bytes" for i in range(updates)
    )


def cr_recoloured(updates: int) -> str:
    """A counter rewritten with CR in a new colour each time: no update repeats another, so
    none is skipped (the general path, one update at a time)."""
    return "Counting\r\n" + "".join(f"\r\x1b[38;5;{i % 256}m{i} files done" for i in range(updates))


def apt(updates: int) -> str:
    """apt's status line: a scroll region for the log, the bar saved/restored below it."""
    out = ["\x1b7\x1b[0;23r\x1b8\x1b[1A"]
    for i in range(updates):
        if i % 50 == 0:
            out.append(f"Unpacking package-{i} (1.{i}) ...\r\n")
        pct = i * 100 // updates
        bar = "#" * (pct * 60 // 100)
        out.append(
            f"\x1b7\x1b[24;0f\x1b[42m\x1b[30mProgress: [{pct:3d}%]\x1b[49m\x1b[39m [{bar:<60}] \x1b8"
        )
    return "".join(out)


def coloured(mb: int) -> str:
    """Compiler-like output: a few SGR sequences per line."""
    n = mb * 1_000_000 // 90
    return "".join(
        f"\x1b[1msrc/mod{i}.c:{i}:5:\x1b[0m \x1b[35mwarning:\x1b[0m unused variable 'x{i}'\r\n"
        for i in range(n)
    )


def gcc(mb: int) -> str:
    """gcc 12 diagnostics: each SGR followed by EL, a source line and a caret line per warning."""
    n = mb * 1_000_000 // 190
    return "".join(
        f"\x1b[01m\x1b[Ksrc/mod{i % 97}/file{i}.c:{i}:{i % 40}:\x1b[m\x1b[K \x1b[01;35m\x1b[K"
        f"warning: \x1b[m\x1b[Kunused variable '\x1b[01m\x1b[Kv{i}\x1b[m\x1b[K' "
        f"[\x1b[01;35m\x1b[K-Wunused-variable\x1b[m\x1b[K]\r\n"
        f"{i:5d} |     int \x1b[01;35m\x1b[Kv{i}\x1b[m\x1b[K;\r\n"
        f"      |         \x1b[01;35m\x1b[K^~~\x1b[m\x1b[K\r\n"
        for i in range(n)
    )


def gcc_utf8(mb: int) -> str:
    """gcc 10+ on a UTF-8 terminal, as captured on a pty: quotes are U+2018/U+2019 and each
    warning option links to its documentation (OSC 8), so no line is ASCII."""
    url = "https://gcc.gnu.org/onlinedocs/gcc/Warning-Options.html#index-Wunused-variable"
    n = mb * 1_000_000 // 330
    return "".join(
        f"\x1b[01m\x1b[Ksrc/file{i}.c:{i}:7:\x1b[m\x1b[K \x1b[01;35m\x1b[Kwarning: \x1b[m\x1b[K"
        f"unused variable \u2018\x1b[01m\x1b[Kv{i}\x1b[m\x1b[K\u2019 [\x1b[01;35m\x1b[K"
        f"\x1b]8;;{url}\x07-Wunused-variable\x1b]8;;\x07\x1b[m\x1b[K]\r\n"
        f"{i:5d} |   int \x1b[01;35m\x1b[Kv{i}\x1b[m\x1b[K;\r\n"
        f"      |       \x1b[01;35m\x1b[K^~~\x1b[m\x1b[K\r\n"
        for i in range(n)
    )


def pytest_verbose(mb: int) -> str:
    """pytest -v: a test id of varying length, a coloured outcome, the percentage at the edge."""
    n = mb * 1_000_000 // 80
    tests = (f"tests/unit/test_mod{i % 13}.py::test_case_{i}" for i in range(n))
    return "".join(
        f"{test} \x1b[{c}m{word}\x1b[0m\x1b[{c}m{' ' * (60 - len(test))}[{i * 100 // n:3d}%]\x1b[0m\r\n"
        for i, test in enumerate(tests)
        for word, c in [("FAILED", 31) if i % 50 == 0 else ("PASSED", 32)]
    )


def ls_color(mb: int) -> str:
    """``ls --color`` of many directories: several colours per line, a background colour."""
    n = mb * 1_000_000 // 95
    return "".join(
        f"\x1b[0m\x1b[01;34mdir{i}\x1b[0m  \x1b[01;32mbuild{i}.sh\x1b[0m  notes{i}.txt  "
        f"\x1b[01;36mlink{i}\x1b[0m  \x1b[30;42mtmp{i}\x1b[0m  data{i}.csv\r\n"
        for i in range(n)
    )


def run(
    data: str,
    feed_factory: Callable[[], Callable[[str], None]],
    reps: int,
    clock: Callable[[], float] = time.perf_counter,
) -> float:
    best = float("inf")
    for _ in range(reps):
        feed = feed_factory()
        start = clock()
        for k in range(0, len(data), CHUNK):
            feed(data[k : k + CHUNK])
        best = min(best, clock() - start)
    return len(data.encode()) / best / 1e6


def interleaved(
    data: str,
    feed_factories: list[Callable[[], Callable[[str], None]]],
    reps: int,
    clock: Callable[[], float] = time.perf_counter,
) -> list[float]:
    """:func:`run` for several models, repetition by repetition in turn (each one first in
    turn), so that all of them see the same machine speed; MB/s of each."""
    best = [0.0] * len(feed_factories)
    for r in range(reps):
        for k in [(r + i) % len(feed_factories) for i in range(len(feed_factories))]:
            best[k] = max(best[k], run(data, feed_factories[k], 1, clock))
    return best


def other_tree(root: str) -> type[ScreenModel]:
    """The screen model of another source tree (a checkout of another commit), imported under
    another package name beside this one."""
    package = Path(root, "jupyter_ci_terminal")
    spec = importlib.util.spec_from_file_location(
        "other_jupyter_ci_terminal",
        package / "__init__.py",
        submodule_search_locations=[str(package)],
    )
    if spec is None or spec.loader is None:
        raise SystemExit(f"{root} holds no jupyter_ci_terminal package.")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    model: type[ScreenModel] = importlib.import_module(f"{spec.name}.screen").ScreenModel
    return model


def python_speed() -> float:
    """ns per iteration of an empty loop: how loaded the machine is (~20 ns when quiet)."""
    start = time.perf_counter()
    for _ in range(1_000_000):
        pass
    return (time.perf_counter() - start) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--pyte", action="store_true", help="also time pyte on 200 KB of each")
    parser.add_argument("--only", default="", help="only workloads whose name contains this")
    parser.add_argument(
        "--cpu",
        action="store_true",
        help="time the model in CPU seconds (time.process_time) instead of wall-clock seconds:"
        " what it costs, less swayed by other work on the machine",
    )
    parser.add_argument(
        "--against",
        metavar="TREE",
        help="also time the screen model of another source tree (a checkout of another commit),"
        " the two models' repetitions interleaved so that both see the same machine speed",
    )
    args = parser.parse_args()
    other = other_tree(args.against) if args.against else None
    workloads = {
        "plain text, 100-byte lines (20 MB)": plain(20),
        "header + 700,000 CUP row updates": cursor_flood(700_000),
        "CR progress counter, 700,000 updates": cr_flood(700_000),
        "CR counter in a new colour each time, 50,000 updates": cr_recoloured(50_000),
        "apt status line + scroll region, 200,000 updates": apt(200_000),
        "coloured compiler output (5 MB)": coloured(5),
        "one 5 MB line without a newline": "x" * 5_000_000,
        "gcc diagnostics, SGR + EL pairs (5 MB)": gcc(5),
        "gcc on a UTF-8 terminal, quotes + OSC 8 links (1 MB)": gcc_utf8(1),
        "pytest -v outcomes (5 MB)": pytest_verbose(5),
        "ls --color (5 MB)": ls_color(5),
        "docker BuildKit redraws, 4,000 frames": buildkit(4_000),
        "tqdm bar, 200,000 updates": tqdm(200_000),
        "docker BuildKit, steps running, 4,000 frames": buildkit_running(4_000),
        "tqdm bar, tqdm.write line every 10, 100,000 updates": tqdm_with_log(100_000, 10),
        "rich bar (EL 2), a line every 20, 50,000 updates": rich_with_log(50_000, 20),
    }
    loop = python_speed()
    print(f"empty Python loop: {loop:.0f} ns per iteration (machine load); load average", end=" ")
    print(Path("/proc/loadavg").read_text().split()[0] if Path("/proc/loadavg").exists() else "?")
    print(
        f"{'workload':52} {'MB':>6} {'CPU MB/s' if args.cpu else 'model MB/s':>11}"
        + (f" {'TREE MB/s':>10}" if other else "")
        + (f" {'pyte MB/s':>10}" if args.pyte else "")
    )
    for name, data in workloads.items():
        if args.only not in name:
            continue
        clock = time.process_time if args.cpu else time.perf_counter
        models = [ScreenModel] + ([other] if other else [])
        rates = interleaved(
            data, [lambda m=m: m(24, 80, history=1000).feed for m in models], args.reps, clock
        )
        line = f"{name:52} {len(data) / 1e6:6.1f} {rates[0]:11.1f}"
        line += "".join(f" {rate:10.1f}" for rate in rates[1:])
        if args.pyte:
            import pyte

            def pyte_feed() -> Callable[[str], None]:
                return pyte.Stream(pyte.HistoryScreen(80, 24, history=1000)).feed

            line += f" {run(data[:200_000], pyte_feed, 1):10.2f}"
        print(line, flush=True)
    print(f"empty Python loop after: {python_speed():.0f} ns per iteration")


if __name__ == "__main__":
    main()
