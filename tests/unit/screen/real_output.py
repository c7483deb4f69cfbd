"""Output of real tools, generated: the escape sequences each one sends, as captured from them.

Shared by the correctness tables (pyte, xterm.js, chunkings) and sized for a 5x20 terminal:
most lines are longer than the width, so they wrap.
"""

from __future__ import annotations


def gcc(n: int) -> str:
    """gcc 12 diagnostics: every SGR followed by EL, a source line, a caret line."""
    out = []
    for i in range(n):
        out.append(
            f"\x1b[01m\x1b[Ksrc/m{i}.c:{i + 1}:5:\x1b[m\x1b[K \x1b[01;35m\x1b[Kwarning: \x1b[m\x1b[K"
            f"unused variable '\x1b[01m\x1b[Kx{i}\x1b[m\x1b[K' [\x1b[01;35m\x1b[K-Wunused-variable"
            f"\x1b[m\x1b[K]\r\n"
            f"{i + 1:5d} |     int \x1b[01;35m\x1b[Kx{i}\x1b[m\x1b[K;\r\n"
            f"      |         \x1b[01;35m\x1b[K^~\x1b[m\x1b[K\r\n"
        )
    return "".join(out)


def clang(n: int) -> str:
    """clang diagnostics (SGR only, bold carried across the message)."""
    return "".join(
        f"\x1b[1ma{i}.c:{i}:7: \x1b[0m\x1b[0;1;35mwarning: \x1b[0m\x1b[1munused 'y{i}'"
        f" [-Wunused]\x1b[0m\r\n  int y{i};\r\n\x1b[0;1;32m      ^\r\n\x1b[0m"
        for i in range(n)
    )


def cargo(n: int) -> str:
    """cargo: right-aligned green verbs, rustc warnings with 256-colour arrows."""
    out = [f"\x1b[1m\x1b[32m   Compiling\x1b[0m dep{i} v0.{i}.0\r\n" for i in range(n)]
    out.append(
        "\x1b[0m\x1b[1m\x1b[33mwarning\x1b[0m\x1b[0m\x1b[1m: unused variable: `x`\x1b[0m\r\n"
        "\x1b[0m \x1b[0m\x1b[0m\x1b[1m\x1b[38;5;12m--> \x1b[0m\x1b[0msrc/main.rs:2:9\x1b[0m\r\n"
        "\x1b[1m\x1b[32m    Finished\x1b[0m dev [unoptimized] target(s) in 1.2s\r\n"
    )
    return "".join(out)


def pytest_progress(n: int) -> str:
    """pytest: a file's dots, then the percentage at the right; a failure in red."""
    out = ["\x1b[1m===== test session starts =====\x1b[0m\r\n"]
    for i in range(n):
        dots = "".join(
            "\x1b[31mF\x1b[0m" if (i + k) % 7 == 0 else "\x1b[32m.\x1b[0m" for k in range(5)
        )
        out.append(f"t{i}.py {dots}\x1b[32m [{(i + 1) * 100 // n:3d}%]\x1b[0m\r\n")
    out.append("\x1b[31m\x1b[1m1 failed\x1b[0m, \x1b[32m9 passed\x1b[0m\x1b[31m in 0.1s\x1b[0m\r\n")
    return "".join(out)


def ls_color(n: int) -> str:
    """``ls --color``: bold blue directories, green executables, black on green (a background
    colour reset before the line end)."""
    return "".join(
        f"\x1b[0m\x1b[01;34md{i}\x1b[0m  \x1b[01;32mrun{i}.sh\x1b[0m  f{i}.txt  "
        f"\x1b[30;42mtmp{i}\x1b[0m\r\n"
        for i in range(n)
    )


def git_graph(n: int) -> str:
    """``git log --graph --color --oneline``: coloured graph edges, decorations, ESC[m resets."""
    out = []
    for i in range(n):
        deco = (
            "\x1b[33m (\x1b[m\x1b[1;36mHEAD -> \x1b[m\x1b[1;32mmain\x1b[m\x1b[33m)\x1b[m"
            if i == 0
            else ""
        )
        out.append(f"* \x1b[33m{i:07x}\x1b[m{deco} Commit {i}\r\n")
        if i % 4 == 1:
            out.append(
                "\x1b[31m|\x1b[m\x1b[32m\\\x1b[m  \r\n\x1b[31m|\x1b[m * side\r\n\x1b[31m|\x1b[m\x1b[32m/\x1b[m\r\n"
            )
    return "".join(out)


def buildkit(frames: int) -> str:
    """docker build (BuildKit): the step list redrawn in place, cursor up over the last frame,
    each line cleared with EL."""
    out = []
    height = 0
    for f in range(frames):
        steps = [f"\x1b[34m => [{k}/4] RUN step {k}\x1b[0m {f / 10:.1f}s" for k in range(1 + f % 4)]
        frame = [f"[+] Building {f / 10:.1f}s ({len(steps)}/4)", *steps]
        if height:
            out.append(f"\x1b[{height}A\r")
        out.extend(f"{line}\x1b[K\r\n" for line in frame)
        height = len(frame)
    return "".join(out)


def buildkit_running(frames: int) -> str:
    """docker build (BuildKit) while its steps run: the frame keeps its height for many redraws
    (only the timers change) and grows by a line as each of three steps starts."""
    out = []
    height = 0
    for f in range(frames):
        took = f"{f / 10:.1f}s"
        steps = [f"\x1b[34m => [{k}] RUN\x1b[0m {took}" for k in range(1 + f * 3 // frames)]
        if height:
            out.append(f"\x1b[{height}A\r")
        out.extend(f"{line}\x1b[K\r\n" for line in [f"[+] Building {took}", *steps])
        height = 1 + len(steps)
    return "".join(out)


def tqdm(updates: int) -> str:
    """tqdm: a bar of Unicode blocks redrawn after CR (multi-byte characters)."""
    out = []
    for i in range(updates + 1):
        full, part = divmod(i * 8 * 10 // updates, 8)
        bar = "█" * full + (" ▏▎▍▌▋▊▉"[part] if full < 10 else "") + " " * (9 - full)
        out.append(f"\r{i * 100 // updates:3d}%|{bar[:10]}| {i}/{updates} [00:01<00:00]")
    return "".join(out) + "\r\n"


def pip_progress(updates: int) -> str:
    """pip (rich): cursor hidden, a truecolour bar of box-drawing characters, EL before each
    redraw."""
    out = ["\x1b[?25l"]
    for i in range(updates + 1):
        done = i * 12 // updates
        out.append(
            f"\r\x1b[2K   \x1b[38;2;249;38;114m{'━' * done}\x1b[0m\x1b[38;5;237m{'━' * (12 - done)}"
            f"\x1b[0m \x1b[32m{i / 10:.1f}/{updates / 10:.1f} MB\x1b[0m"
        )
    return "".join(out) + "\r\n\x1b[?25h"


def tqdm_with_log(updates: int, every: int, compact: bool = False) -> str:
    """A training loop: a tqdm bar redrawn after CR and, every ``every`` updates, a metrics line
    printed with ``tqdm.write`` (tqdm clears the bar with CR and spaces, prints the line, draws
    the bar again). ``compact``: a bar and lines that fit 20 columns."""
    out = []
    shown = ""
    for i in range(updates + 1):
        if i and i % every == 0:
            log = (
                f"step {i}: {1 / i:.3f}"
                if compact
                else f"step {i}: loss={1 / i:.4f} acc={i / updates:.3f}"
            )
            out.append(f"\r{' ' * len(shown)}\r{log}\r\n")
        full, part = divmod(i * 8 * 10 // updates, 8)
        bar = ("█" * full + (" ▏▎▍▌▋▊▉"[part] if full < 10 else "")).ljust(10)
        shown = f"{i * 100 // updates:3d}%|{bar}|"
        if not compact:
            shown = f"train: {shown} {i}/{updates} [00:{i % 60:02d}<00:{i % 7:02d}]"
        out.append(f"\r{shown}")
    return "".join(out) + "\r\n"


def _rich_bar(done: int, total: int, width: int = 40) -> str:
    """rich's BarColumn: a pink (green when done) part, a dim rest after a half-line tip."""
    bars, half = divmod(width * 2 * done // total, 2)
    style = "38;5;70" if done >= total else "38;5;197"
    out = f"\x1b[{style}m{'━' * bars}\x1b[0m" if bars else ""
    out += f"\x1b[{style}m╸\x1b[0m" if half else ""
    rest = width - bars - half
    if rest and bars and not half:
        out += "\x1b[38;5;237m╺\x1b[0m"
        rest -= 1
    return out + (f"\x1b[38;5;237m{'━' * rest}\x1b[0m" if rest else "")


def rich_with_log(updates: int, every: int, width: int = 40, label: str = "train") -> str:
    """rich's progress bar (pip's, or a training loop's), each redraw after CR and EL 2, with a
    line printed through rich's console every ``every`` updates (highlighted numbers), as
    captured from pip's vendored rich 13 on a pty."""

    # 1 kB per update; rich's DownloadColumn picks the unit from the total.
    unit, suffix = (1, "kB") if updates < 1000 else (1000, "MB")

    def bar(i: int) -> str:
        done = f"{i / unit:.1f}/{updates / unit:.1f} {suffix}"
        return f"\x1b[1;34m{label}\x1b[0m {_rich_bar(i, updates, width)} \x1b[32m{done}\x1b[0m"

    out = ["\x1b[?25l\r\x1b[2K" + bar(0)]
    for i in range(1, updates + 1):
        if i % every == 0:
            whole, frac = f"{1 / i:.4f}".split(".")
            out.append(
                f"\r\x1b[2Kstep \x1b[1;36m{i}\x1b[0m: \x1b[33mloss\x1b[0m=\x1b[1;36m{whole}\x1b[0m"
                f"\x1b[1;36m.{frac}\x1b[0m\r\n{bar(i - 1)}"  # the last frame drawn, again
            )
        out.append(f"\r\x1b[2K{bar(i)}")
    return "".join(out) + f"\r\x1b[2K{bar(updates)}\r\n\x1b[?25h"


def apt_with_log(lines: int) -> str:
    """apt with many log lines between status updates: the region scrolls in bulk."""
    out = ["HEADER\r\n\x1b7\x1b[0;4r\x1b8\x1b[1A"]
    for i in range(lines):
        out.append(f"Setting up lib{i} (1.{i}) ...\r\n")
        if i % 9 == 8:
            out.append(f"\x1b7\x1b[5;0f\x1b[42m\x1b[30mProgress: [{i:3d}%]\x1b[49m\x1b[39m\x1b8")
    return "".join(out)


def region_in_the_middle(lines: int) -> str:
    """A scroll region away from the top (a pager's status lines): scrolled rows are gone."""
    return (
        "top\r\n\x1b[2;4r\x1b[2;1H"
        + "".join(f"\x1b[3{i % 8}mrow {i} " + "r" * (i % 23) + "\x1b[0m\r\n" for i in range(lines))
        + "\x1b[r\x1b[5;1Hbottom"
    )


def background_scrolls(lines: int) -> str:
    """Lines scrolled in under a background colour (scrolled-in rows take it, as in xterm)."""
    return "\x1b[44m" + "".join(f"blue {i}\r\n" for i in range(lines)) + "\x1b[0mend"


#: Streams of lines only (no cursor addressing or CR redraws).
LINES = {
    "gcc_diagnostics": gcc(30),
    "clang_diagnostics": clang(30),
    "cargo_build": cargo(40),
    "pytest_progress": pytest_progress(30),
    "ls_color": ls_color(40),
    "git_log_graph": git_graph(30),
}
#: Streams that redraw or use a scroll region.
REDRAWS = {
    "docker_buildkit": buildkit(60),
    "tqdm_bar": tqdm(500),
    "docker_buildkit_steps_running": buildkit_running(150),
    "tqdm_bar_with_log_lines": tqdm_with_log(400, 9),
    # As narrow as the screen: the lines between escape sequences go as rows, in one go.
    "tqdm_bar_fitting_the_width": tqdm_with_log(400, 9, compact=True),
    "rich_bar_with_log_lines": rich_with_log(300, 7),
    # As narrow as the screen: every redraw but the last before a log line is skipped.
    "rich_bar_fitting_the_width": rich_with_log(60, 7, width=4, label="t"),
    "pip_progress_bar": pip_progress(300),
    "apt_with_many_log_lines": apt_with_log(400),
    "scroll_region_in_the_middle": region_in_the_middle(200),
    "background_colour_scrolls": background_scrolls(40),
}
REAL = {**LINES, **REDRAWS}
