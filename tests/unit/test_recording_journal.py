"""Recordings: the journal a live session writes becomes, live or converted, exactly the
asciicast v2 lines json.dumps would write; an unfinished or orphaned journal loses nothing."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
from test_jsontext import TRICKY

from jupyter_ci_terminal.protocol.jsontext import Output
from jupyter_ci_terminal.sessions.journal import EVENT, SUFFIX, convert, recover
from jupyter_ci_terminal.sessions.recording import Recording, pieces


def record(path: Path, *, record_input: bool = True) -> Recording:
    rec = Recording(path, rows=24, cols=80, title="job #1", record_input=record_input)
    for text in TRICKY:
        rec.output(Output(text))
    rec.input("ls\r")
    rec.resize(30, 100)
    return rec


def cast_lines(text: str) -> tuple[dict[str, object], list[str]]:
    # Only "\n" ends a line (splitlines would also cut at \x0b, \x85, \u2028, which stay raw).
    header, *lines = (line + "\n" for line in text.split("\n")[:-1])
    return json.loads(header), lines


def check_cast(text: str, *, with_input: bool = True) -> None:
    header, lines = cast_lines(text)
    assert (header["version"], header["width"], header["height"]) == (2, 80, 24)
    assert header["title"] == "job #1"
    events = [json.loads(line) for line in lines]
    assert [data for _, kind, data in events if kind == "o"] == TRICKY
    assert [e[1:] for e in events if e[1] != "o"] == [
        *([["i", "ls\r"]] if with_input else []),
        ["r", "100x30"],
    ]
    times = [e[0] for e in events]
    assert times == sorted(times)
    # Byte for byte what json.dumps writes, so every asciicast v2 reader takes it.
    assert lines == [json.dumps(event, ensure_ascii=False) + "\n" for event in events]


def streamed(path: Path) -> str:
    return b"".join(pieces(path)).decode("utf-8")


@pytest.mark.parametrize("record_input", [True, False])
def test_a_closed_recording_is_the_asciicast_json_dumps_would_write(
    tmp_path: Path, record_input: bool
) -> None:
    path = tmp_path / "s.cast"
    thread = record(path, record_input=record_input).close()
    assert thread is not None
    thread.join()
    assert not (tmp_path / f"s{SUFFIX}").exists()
    check_cast(path.read_text(encoding="utf-8"), with_input=record_input)
    assert streamed(path) == path.read_text(encoding="utf-8")
    assert oct(path.stat().st_mode & 0o777) == "0o600"


def test_a_live_recording_streams_the_same_lines(tmp_path: Path) -> None:
    path = tmp_path / "s.cast"
    rec = record(path)
    rec.flush()
    assert not path.exists()
    check_cast(streamed(path))
    rec.output(Output("more\r\n"))
    rec.flush()
    assert json.loads(streamed(path).split("\n")[-2])[1:] == ["o", "more\r\n"]
    thread = rec.close()
    assert thread is not None
    thread.join()


@pytest.mark.parametrize("cut", [1, EVENT.size - 1, EVENT.size, EVENT.size + 3])
def test_an_event_written_only_in_part_is_left_out(tmp_path: Path, cut: int) -> None:
    """A server killed mid-write leaves a journal whose last event is cut short."""
    path = tmp_path / "s.cast"
    rec = record(path)
    rec.output(Output("the last one"))
    rec.flush()
    journal = tmp_path / f"s{SUFFIX}"
    whole = journal.read_bytes()
    last = EVENT.size + len(b"the last one")
    journal.write_bytes(whole[: len(whole) - last + cut])
    check_cast(streamed(path))
    thread = rec.close()
    assert thread is not None
    thread.join()


def test_recover_converts_orphaned_journals_and_leaves_live_ones(tmp_path: Path) -> None:
    live = record(tmp_path / "live.cast")
    orphan = record(tmp_path / "orphan.cast")
    orphan.flush()
    # What a stopped server leaves: a complete journal that no process holds any more.
    (tmp_path / f"left{SUFFIX}").write_bytes((tmp_path / f"orphan{SUFFIX}").read_bytes())
    assert recover(tmp_path) == 1
    check_cast((tmp_path / "left.cast").read_text(encoding="utf-8"))
    assert (tmp_path / f"live{SUFFIX}").exists()
    assert not (tmp_path / "live.cast").exists()
    threads = [live.close(), orphan.close()]
    for thread in threads:
        assert isinstance(thread, threading.Thread)
        thread.join()
    check_cast((tmp_path / "live.cast").read_text(encoding="utf-8"))


def test_an_empty_journal_converts_to_an_empty_file(tmp_path: Path) -> None:
    """A journal cut before its header line ends (nothing recorded yet) gives no lines."""
    (tmp_path / f"x{SUFFIX}").write_bytes(b'{"version": 2')
    convert(tmp_path / f"x{SUFFIX}", tmp_path / "x.cast")
    assert (tmp_path / "x.cast").read_bytes() == b""
