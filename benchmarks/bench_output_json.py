"""CPU seconds a session spends turning output into viewer messages and recording lines.

    .venv/bin/python benchmarks/bench_output_json.py            # 50 MB, 2 viewers, 3 repetitions
    .venv/bin/python benchmarks/bench_output_json.py --mb 10 --viewers 5
    .venv/bin/python benchmarks/bench_output_json.py --output binary --no-recording

The output (coloured 100-character lines, a few non-ASCII) goes in 64 KiB frames, as the session
reads them, to a recording and to viewers that keep up (each message holds one frame); the
screen model and the sockets are left out, but a JSON message is encoded in UTF-8 as tornado
does before writing it. ``--output binary``: the viewers asked for binary output. Prints each
repetition's CPU seconds, and those spent after it turning the recording's journal into its
asciicast file (when the session ends, on a thread).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from jupyter_ci_terminal.protocol import terminado
from jupyter_ci_terminal.protocol.jsontext import Output
from jupyter_ci_terminal.sessions.recording import Recording
from jupyter_ci_terminal.sessions.viewer import Viewer

CHUNK = 64 * 1024


def frames(mb: int) -> list[str]:
    """``mb`` MB of coloured lines in 64 KiB frames."""
    line = "".join(chr(33 + (i * 7) % 90) for i in range(80))
    block = "".join(f"\x1b[32m{i:06d}\x1b[0m {line}\u00e9\r\n" for i in range(2000))
    text = (block * (mb * 1_000_000 // len(block) + 1))[: mb * 1_000_000]
    return [text[i : i + CHUNK] for i in range(0, len(text), CHUNK)]


async def ignore(message: str | bytes) -> None:
    del message


def wire(message: str | bytes) -> bytes:
    """The bytes tornado writes: a text message is encoded in UTF-8, a binary one is as it is."""
    return message.encode() if isinstance(message, str) else message


async def once(
    chunks: list[str], viewers: int, folder: Path, output: str, record: bool
) -> tuple[float, float]:
    """CPU seconds for one pass over ``chunks``, and for converting the recording after it."""
    recording = Recording(folder / "b.cast", rows=24, cols=80, title="b", record_input=False)
    stdout = terminado.output_format(output)
    sinks = [
        Viewer(ignore, lambda: "", user="b", max_backlog=1 << 40, max_lag=1e9, stdout=stdout)
        for _ in range(viewers)
    ]
    start = time.process_time()
    for chunk in chunks:
        out = Output(chunk)
        if record:
            recording.output(out)
        for viewer in sinks:
            viewer.push(out)
            while (step := viewer._next_message()) is not None:  # what the sender would send
                wire(step[0])
    hot = time.process_time() - start
    thread = recording.close()  # the journal becomes the .cast file, off the output's path
    if thread is not None:
        thread.join()
    return hot, time.process_time() - start - hot


def main() -> None:
    """Run the repetitions and print their CPU seconds."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=50)
    parser.add_argument("--viewers", type=int, default=2)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--output", choices=terminado.OUTPUT_FORMATS, default="json")
    parser.add_argument("--no-recording", action="store_true", help="record_sessions=False")
    args = parser.parse_args()
    chunks = frames(args.mb)
    with tempfile.TemporaryDirectory() as folder:
        for rep in range(args.reps):
            cpu, after = asyncio.run(
                once(chunks, args.viewers, Path(folder), args.output, not args.no_recording)
            )
            print(
                f"rep {rep + 1}: {cpu:.3f} CPU-s for {args.mb} MB to {args.viewers} viewers "
                f"({args.output}{', no recording' if args.no_recording else ''}); "
                f"{after:.3f} CPU-s to convert the recording when the session ends"
            )


if __name__ == "__main__":
    main()
