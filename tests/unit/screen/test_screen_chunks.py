"""Output split anywhere (inside escape sequences, inside UTF-8 characters, between CR and LF)
gives the same cells as the same output in one piece: the bulk paths (whole lines, coloured
lines, scroll regions, flood skipping) agree with applying one character at a time."""

from __future__ import annotations

import codecs

import pytest
from real_output import REAL
from screen_state import cells
from test_screen_oracle import STREAMS as ORACLE_STREAMS

from jupyter_ci_terminal.screen import ScreenModel, styled

EDGES = {
    "erase_at_the_right_edge": "a" * 20
    + "\x1b[K\r\n"
    + "b" * 20
    + "\x1b[1K\r\n"
    + "c" * 20
    + "\x1b[Xd\r\n"
    + "f" * 20
    + "\x1b[J\r\n$ ",
    "erase_line_from_column_0_of_a_wrapped_row": "e" * 25 + "\x1b[1G\x1b[K\r\n$ ",
    "coloured_lines_over_old_text": "".join(f"old text {i} " * 2 + "\r\n" for i in range(5))
    + "\x1b[5A"
    + "".join(f"\x1b[1mnew {i}\x1b[0m\x1b[K\r\n" for i in range(3))
    + "".join(f"\x1b[32mkeeps {i}\x1b[0m\r\n" for i in range(2)),
    # gcc's lines wider than the screen, EL after each SGR, written over old text (the rows
    # stay line by line) and then over blank rows and into the scrollback (cut in bulk).
    "wide_coloured_lines_with_erase_over_old_text": "".join(
        f"old text {i} " * 2 + "\r\n" for i in range(5)
    )
    + "\x1b[5A"
    + "".join(
        f"\x1b[01m\x1b[Kfile{i}.c:{i}:\x1b[m\x1b[K \x1b[01;35m\x1b[Kwarning: {'w' * (i % 30)}"
        f"\x1b[m\x1b[K\r\n"
        for i in range(60)
    ),
    # Coloured lines after a CR, over old text (longer, wrapped, a continued row) and a
    # progress bar's CRs among them.
    "coloured_lines_after_a_cr": "old text that wraps on"
    + "\r\x1b[1mnew\x1b[0m\r\nsecond \x1b[32mline\x1b[0m\r\n"
    + "abcdefgh\rXY\x1b[1mZ\x1b[0m\r\n"
    + "p" * 25
    + "\r\x1b[31mq\x1b[0m\r\n"
    + "".join(f"\r\x1b[33m{i}%\x1b[0m" for i in range(30))
    + "\r\x1b[K\x1b[32mdone\x1b[0m\r\nlast\r\n"
    + "".join(
        f"\x1b[2A\r\x1b[34m=> {i}\x1b[0m\x1b[K\r\n{'s' * (i % 25)}\x1b[K\r\n" for i in range(30)
    ),
    "pen_left_on_at_a_line_end": "".join(f"\x1b[1ma{i}\r\nb\x1b[0m\r\n" for i in range(40)),
    "many_distinct_colours": "".join(f"\x1b[38;5;{i}mc{i}\x1b[0m\r\n" for i in range(60)),
    # One shape of line in red, enough new colours for the markers to start over, the same
    # shape in green: lines remembered by skeleton must not keep the old markers' colours.
    "one_line_shape_before_and_after_the_markers_start_over": "".join(
        f"\x1b[31mab\x1b[0m tail {i}\r\n" for i in range(40)
    )
    + "".join(f"\x1b[38;5;{i}mc{i}\x1b[0m\r\n" for i in range(30))
    + "".join(f"\x1b[32mab\x1b[0m tail {i}\r\n" for i in range(40)),
    # Coloured lines as wide as the screen, one of them a cell wider (it wraps): the longest
    # line of a block is counted from its skeleton, markers left out.
    "coloured_lines_as_wide_as_the_screen_and_one_wider": "".join(
        f"\x1b[1mf{i:02d}\x1b[0m:\x1b[35mw\x1b[0m {'x' * (14 + (i == 30))}\r\n" for i in range(40)
    ),
    # Other controls among coloured lines (each ends a block of lines before its line): a tab,
    # a backspace, a BEL outside a link, DEL, and a tab inside a link's address.
    "other_controls_among_coloured_lines": "".join(
        f"\x1b[32mok {i}\x1b[0m\r\n\x1b[1ma\x1b[0m{c}b\r\n"
        for i, c in enumerate(["\t", "\b", "\x07", "\x7f"] * 10)
    )
    + "\x1b]8;;http://x/\ty\x07link\x1b]8;;\x07 \x1b[31mred\x1b[0m\r\n"
    + "".join(f"\x1b[33mafter {i}\x1b[0m\r\n" for i in range(20)),
    "a_stray_cr_in_coloured_lines": "".join(f"\x1b[33mx{i}\rY\x1b[0m\r\n" for i in range(30)),
    "saved_cursor_follows_its_line_up": "a\r\nb\r\nc\r\nd\x1b7"
    + "".join(f"\x1b[36mline {i}\x1b[0m\r\n" for i in range(3))
    + "\x1b8X\x1b7"
    + "".join(f"more {i}\r\n" for i in range(9))
    + "\x1b8Y",
    # Coloured lines cut short by other sequences: inside a line (CHA), at a line start (OSC),
    # and a redraw's cursor up (the first block of lines ends before each of them).
    "other_sequences_among_coloured_lines": "".join(
        f"\x1b[34mstep {i}\x1b[0m\x1b[K\r\nhalf\x1b[3Gx{i}\x1b[0m\r\n"
        f"\x1b]0;t{i}\x07\x1b[1mtitle set\x1b[0m\r\n\x1b[{1 + i % 3}A\r"
        for i in range(40)
    ),
    # A bar's updates after CR up to a log line (tqdm.write): longer, shorter, cleared with
    # spaces, Unicode blocks, a piece as wide as the screen, one wider (it wraps).
    "bar_updates_up_to_a_log_line": "".join(
        f"\r{i % 100:3d}%|{'█' * (i % 9)}{'▌' * (i % 2)}|"
        + ("" if i % 7 else f"\r{' ' * 20}\rlog {i}" + "!" * (i % 23) + "\r\n")
        for i in range(200)
    ),
    # A bar's updates and log lines in blocks of hundreds of lines (taken at once where each
    # line's last two pieces are its longest): lines whose first piece is the longest, one
    # as wide as the screen, wider ones (they wrap), lines without a CR, a wide character, a
    # pen change ending a block, an LF alone.
    "bars_and_log_lines_in_long_blocks": "".join(
        f"\r{i % 100:3d}%|{'█' * (i % 7)}{'▏' * (i % 2)}|"
        + ("" if i % 5 else f"\r{' ' * 13}\rlog {i}\r\n")
        + ("" if i % 97 else f"\r{'L' * (14 + i % 7)}\rab\rabc\r\n")
        + ("" if i % 131 else "w" * (20 + i % 3) + "\r\n")
        + ("" if i % 29 else f"plain {i}\r\nplain\r\n")
        + ("" if i % 173 else f"\r表 {i}\r\n")
        + ("" if i % 151 else "\x1b[1mbold\x1b[0m\r\n")
        + ("" if i % 397 else "\rlf\nalone\r\n")
        for i in range(800)
    ),
    # Redraws after CR and EL 2 up to a log line (rich): the pen left set by a skipped one,
    # EL 0 and 1 among them, one as wide as the screen, one wider (it wraps), a cursor move,
    # a background colour for the erase, log lines in colour, with a wide character, or
    # followed by another CR.
    "redraws_erased_before_each_log_line": "".join(
        f"\r\x1b[2K\x1b[3{i % 8}m{'━' * (i % 6)}\x1b[0m {i}"
        + ("\x1b[1m" if i % 4 == 0 else "")
        + ("\x1b[K" if i % 5 == 0 else "\x1b[1K" if i % 5 == 1 else "")
        + ("" if i % 9 else "\r\x1b[2K" + "w" * 20)
        + ("" if i % 13 else "\r\x1b[2K" + "v" * 21)
        + ("" if i % 17 else "\r\x1b[2Ka\x1b[2Cb")
        + ("" if i % 19 else "\x1b[44m")
        + (
            ""
            if i % 6
            else (
                "\r\x1b[2Kstep \x1b[1;36m{0}\x1b[0m ok\r\n",
                "\r\x1b[2K表 {0}\r\n",
                "\r\x1b[2Kx{0}\ry\r\n",
            )[i % 3].format(i)
            + "\x1b[0m"
            + f"bar {i}"
        )
        for i in range(240)
    ),
    # Redraws that repeat and come back in later stretches between log lines (their widths
    # are remembered) next to new ones that do not qualify: a wide character, a tab, a C1
    # control, a cursor move, a combining mark, one as wide as the screen, one wider.
    "known_redraws_among_new_ones": "".join(
        f"\r\x1b[2K\x1b[3{i // 7 % 3}m{'━' * (i // 7 % 4)}\x1b[0m {i // 7 % 5}"
        + (
            "",
            "",
            "表",
            "\t",
            "\x85",
            "\x1b[3C",
            "e\u0301",
            "w" * (18 - i // 7 % 4),
            "v" * (19 - i // 7 % 4),
        )[i % 9 if i % 5 == 0 else 0]
        + ("" if i % 6 else f"\r\x1b[2Klog {i}\r\n")
        for i in range(400)
    ),
    # A bar's updates between log lines taken as blocks of lines: some lines wider than the
    # screen, a tab, an LF alone, a wide character, the pen left bold, a cursor move up so
    # the lines are written over old rows, and longer runs of lines between those.
    "bar_updates_between_log_lines_in_blocks": "".join(
        f"\r{i % 100:3d}%|{'█' * (i % 9)}{'▌' * (i % 2)}|"
        + (
            ""
            if i % 5
            else f"\r{' ' * 16}\rlog {i}"
            + ("", "!" * 20, "\tt", "\nlf", "表", "\x1b[1m", "\x1b[3A", "", "", "")[i // 5 % 10]
            + "\r\n"
        )
        + ("\x1b[0m" if i % 50 == 0 else "")
        for i in range(600)
    ),
    # Log lines between erased redraws, collected and applied as blocks: over old rows (the
    # cursor moved up), turning insert mode on and off, moving the cursor, an LF alone, wider
    # than the screen, a bold pen left for the next redraw, a background colour at a line end.
    "log_lines_between_erased_redraws_in_blocks": "".join(
        ("\x1b[4A" if i % 23 == 0 else "")
        + f"\x1b[3{i % 8}m{'━' * (i % 5)}\x1b[0m {i}\r\x1b[2K\x1b[1m{i % 3}\x1b[0m\r\x1b[2K"
        + f"log {i}"
        + ("", "\x1b[4h", "\x1b[4l", "\x1b[2C!", "\nlf", "w" * 20, "\x1b[1m", "\x1b[44m", "", "")[
            i % 10
        ]
        + "\r\n"
        + ("\x1b[0m" if i % 10 == 7 else "")
        for i in range(300)
    ),
    # gcc's lines in blocks large enough to be marked in pieces (fed at once), and long
    # enough for a block to run out at the end of a 4,096-byte piece of output and go on with
    # the next. First a cursor up (rows written over, EL clears them), a tab, a wide
    # character, a pen left on at a line end; then 700 lines without those, wider than the
    # screen in turn, with a colour first seen every 100 lines; a line longer than a piece.
    "coloured_lines_marked_in_pieces": "".join(
        f"\x1b[01m\x1b[Kf{i}.c:\x1b[m\x1b[K \x1b[01;35m\x1b[Kwarning: {'w' * (i % 30)}"
        "\x1b[m\x1b[K\r\n"
        + ("" if i % 100 != 50 else f"\x1b[3{i // 100}mnew colour {i}\x1b[0m\r\n")
        + ("" if i >= 120 or i % 40 != 7 else "\x1b[3A\r")
        + ("" if i >= 120 or i % 40 != 17 else f"tab\there {i}\r\n")
        + ("" if i >= 120 or i % 40 != 27 else f"表 wide {i}\r\n")
        + ("" if i >= 120 or i % 40 != 37 else "\x1b[1mbold left on\r\nstill bold\x1b[0m\r\n")
        for i in range(820)
    )
    + "\x1b[32m"
    + "g" * 17_000
    + "\x1b[0m\r\nend\r\n",
    "tab_in_coloured_lines": "".join(f"\x1b[33mk{i}\x1b[0m\tv\r\n" for i in range(30)),
    # Long plain blocks (no escape) with other controls among the lines: a tab, a lone CR or
    # LF, a backspace, DEL; the blocks before and between them go in bulk.
    "other_controls_among_plain_lines": "".join(
        f"plain line {i:04d}\r\n"
        + ("", "a\tb\r\n", "50%\r99%\r\n", "x\ny\r\n", "u\bv\x7f\r\n")[i % 5]
        for i in range(400)
    ),
    # Coloured lines with characters past ASCII a cell wide (gcc's quotes on a UTF-8 terminal,
    # accents, box drawing, a character of four UTF-8 bytes) and "?"s among them, among lines
    # with a wide character, a tab or a C1 control (NEL: it moves the cursor).
    "coloured_lines_past_ascii": "".join(
        f"\x1b[01m\x1b[Kf{i}.c:{i}:\x1b[m\x1b[K \x1b[01;35m\x1b[Kwarning:\x1b[m\x1b[K "
        f"\u2018\x1b[01m\x1b[Kv{i}\x1b[m\x1b[K\u2019 caf\u00e9 \u2500\u2524\r\n"
        + (
            "",
            "\x1b[32m\u4e2d\u6587\x1b[0m\r\n",
            "\u00e9\tt\x1b[1m!\x1b[0m\r\n",
            "\x1b[31m\u2026x\x1b[0m\r\n",
            "?did you mean \x1b[1m\u2018w\u2019\x1b[0m??\r\n\x1b[32m\U0001f600?\u00e9\x1b[0m \U00010348\r\n",
            "\x1b[1mn\u0085l\x1b[0m\r\n",
        )[i % 6]
        for i in range(120)
    ),
    # gcc on a UTF-8 terminal: curly quotes and a link (OSC 8, BEL) per warning option, in bulk;
    # among them a BEL of its own, a link ended by ST, an address past ASCII and one with "?".
    "coloured_lines_with_links": "".join(
        f"\x1b[01m\x1b[Kf{i}.c:{i}:\x1b[m\x1b[K \x1b[01;35m\x1b[Kwarning: \x1b[m\x1b[K\u2018v{i}"
        f"\u2019 [\x1b[01;35m\x1b[K\x1b]8;;https://gcc.gnu.org/w#W{i % 3}\x07-Wunused\x1b]8;;\x07"
        f"\x1b[m\x1b[K]\r\n"
        + (
            "",
            "bell\x07 rings\r\n",
            "\x1b]8;;https://st.example/\x1b\\st\x1b]8;;\x1b\\ link\r\n",
            "\x1b]8;;https://\u00e9.example/\x07\u00e9\x1b]8;;\x07 \u2018q\u2019\r\n",
            "\x1b]8;;https://q.example/?a=1\x07query\x1b]8;;\x07 \u2018q\u2019\r\n",
        )[i % 5]
        for i in range(150)
    ),
    # OSC 8 hyperlinks (gcc's warning options, ls --hyperlink): kept through SGR 0, ended by
    # an empty one, replaced by the next, wrapped across rows, not given to erased cells, with
    # an id parameter, and one left open at the end (what follows belongs to it).
    "hyperlinks": "see \x1b]8;;https://example.com/a\x07the docs\x1b]8;;\x07 now\r\n"
    + "\x1b[1m\x1b]8;;file:///srv/x\x1b\\bold\x1b[0m plain\x1b]8;;\x1b\\ after\r\n"
    + "\x1b]8;id=w1;https://gcc.gnu.org/w#index-Wunused\x07-Wunused-variable-is-a-long-option"
    + "\x1b]8;;https://b.example/\x07 b\x1b[K\x1b]8;;\x07\r\n"
    + "".join(
        f"\x1b[3{i % 8}m{i}:\x1b]8;;https://x/{i}\x07link{i}\x1b]8;;\x07\x1b[0m\r\n"
        for i in range(12)
    )
    + "\x1b]8;;https://still.open/\x07$ ",
    # Controls just before, at and after the edges of the windows the next control is searched
    # in (128, 512, 2048... characters from where a search started), in runs that mix ASCII,
    # Latin-1 and wider characters (short of the scrollback limit: see "Known differences").
    "controls_at_the_edges_of_the_search_windows": "".join(
        ("x" * n if k % 3 else "é━" * (n // 2) + "y" * (n % 2)) + ctrl
        for k, (n, ctrl) in enumerate(
            zip(
                (127, 128, 129, 511, 512, 640, 641, 2047, 2048, 2688, 2689, 4000, 1),
                ("\x08", "\t", "\x1b[1m", "\x07", "\x1b[0m", "\r\n") * 3,
                strict=False,
            )
        )
    )
    + "$ ",
}
CHUNKED = {**ORACLE_STREAMS, **REAL, **EDGES}


def feed_bytes(data: str, size: int) -> ScreenModel:
    raw = data.encode()
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    model = ScreenModel(5, 20, history=1000)
    for k in range(0, len(raw), size):
        model.feed(decoder.decode(raw[k : k + size]))
    return model


@pytest.mark.parametrize("size", [1, 2, 3, 5, 7, 13, 4096])
@pytest.mark.parametrize("name", list(CHUNKED))
def test_output_split_anywhere_gives_the_same_cells(name: str, size: int) -> None:
    whole = ScreenModel(5, 20, history=1000)
    whole.feed(CHUNKED[name])
    assert cells(feed_bytes(CHUNKED[name], size)) == cells(whole)


@pytest.mark.parametrize("queue", [1, 1000, 100_000])
@pytest.mark.parametrize("name", list(CHUNKED))
def test_output_queued_and_applied_in_pieces_gives_the_same_cells(name: str, queue: int) -> None:
    whole = ScreenModel(5, 20, history=1000)
    whole.feed(CHUNKED[name])
    lazy = ScreenModel(5, 20, history=1000, queue=queue)
    raw = CHUNKED[name]
    for k in range(0, len(raw), 777):
        lazy.feed(raw[k : k + 777])
        if k // 777 % 5 == 3:
            lazy.snapshot()  # a viewer attaching in between applies what is queued
    assert cells(lazy) == cells(whole)


def test_lines_remembered_by_skeleton_are_forgotten_when_the_markers_start_over() -> None:
    # Red lines get the first two markers and are remembered (learnt in a first block, looked
    # up in a second); new colours, a line each, take the other markers until green makes
    # them start over, so green gets red's marker and green lines of the same shape get the
    # same skeleton.
    red = "".join(f"\x1b[31mab\x1b[0m tail {i}\r\n" for i in range(30))
    # (A piece's lines after its first line end go in bulk.)
    colours = [f"-\r\n\x1b[38;5;{i}mc\x1b[0m\r\n" for i in range(len(styled._MARKS) - 2)]
    colours.append("-\r\n\x1b[32mc\x1b[0m\r\n")
    green = "".join(f"\x1b[32mab\x1b[0m tail {i}\r\n" for i in range(30))
    styled._reset()
    model = ScreenModel(5, 20, history=1000)
    for piece in (red, red, *colours, green):
        model.feed(piece)
    assert styled._mark_of[b"\x1b[32m"][0] == styled._MARKS[0]  # where red's marker was
    assert cells(model) == cells(feed_bytes(red + red + "".join(colours) + green, 1))


PIECE_CASES = {
    "empty": (b"", [b""]),
    "shorter than a piece": (b"ab\r\ncd", [b"ab\r\ncd"]),
    "cut after the last line end in each piece": (
        b"abc\r\nde\r\nfghij\r\nk",
        [b"abc\r\n", b"de\r\n", b"fghij\r\n", b"k"],
    ),
    "a line end at the very edge of a piece": (b"abcdef\r\ngh", [b"abcdef\r\n", b"gh"]),
    "a line longer than a piece: the rest in one": (
        b"ab\r\ncdefghijkl\r\nm",
        [b"ab\r\n", b"cdefghijkl\r\nm"],
    ),
    "a lone CR or LF is no line end": (b"ab\rc\nd\r\nefg", [b"ab\rc\nd\r\n", b"efg"]),
}


@pytest.mark.parametrize("case", list(PIECE_CASES))
def test_a_block_is_cut_into_pieces_after_line_ends(
    case: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    text, pieces = PIECE_CASES[case]
    monkeypatch.setattr(styled, "PIECE", 8)
    assert styled._pieces(text) == pieces


MARK_CASES = {
    "one run": b"\x1b[1mab\x1b[0m\r\n" * 4,
    "a run first seen in a later piece": b"\x1b[1mab\x1b[0m\r\n" * 3 + b"c\x1b[31md\x1b[0m\r\n",
    "a run at a piece's start and end": b"ab\r\n\x1b[1m\x1b[K\r\ncd\x1b[m\x1b[K\r\n\x1b[1m\x1b[K",
    "another sequence in a later piece": b"\x1b[1mab\x1b[0m\r\n" * 3 + b"\x1b[3A\r\n",
    "no sequence": b"ab\r\ncd\r\n",
}


@pytest.mark.parametrize("case", list(MARK_CASES))
def test_marking_in_pieces_gives_the_block_marked_at_once(
    case: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = MARK_CASES[case]
    styled._reset()
    runs: list[bytes] = []
    at_once = styled._mark(text, runs)
    styled._reset()
    monkeypatch.setattr(styled, "PIECE", 12)
    assert len(styled._pieces(text)) > 1 or case == "no sequence"
    runs_in_pieces: list[bytes] = []
    assert styled._mark(text, runs_in_pieces) == at_once
    assert runs_in_pieces == runs  # the same runs, for the text of lines past ASCII
    assert (at_once is None) == (case == "another sequence in a later piece")


SCAN_CASES = {
    "ASCII": ("ab?\r\ncd", b"ab?\r\ncd", None),
    "quotes and a question mark": ("\u2018a\u2019?\r\n", b"?a??\r\n", "\u2018\u2019?"),
    "two, three and four UTF-8 bytes": (
        "\u00e9\u2501\U0001f600x",
        b"???x",
        "\u00e9\u2501\U0001f600",
    ),
    "a wide character: the lines before it": ("a\u2018\r\nb\u4e2d\r\nc", b"a?", "\u2018"),
    "a wide character on the first line": ("\u4e2d\r\nb", b"", None),
    "a C1 control after an accent": ("\u00e9\r\n\u00e9\u0085", b"?", "\u00e9"),
    "a combining mark": ("a\r\ne\u0301", b"a", None),
}


@pytest.mark.parametrize("case", list(SCAN_CASES))
def test_a_block_past_ascii_is_scanned_one_byte_per_character(case: str) -> None:
    text, scanned, others = SCAN_CASES[case]
    assert styled._scan(text) == (scanned, others)


RESTORED_CASES = {
    "no question mark": (b"\x81\x80ab\r\ncd", "", "ab\r\ncd"),
    "each in order": (b"\x81\x80\x80?x?\r\n?\x82", "\u00e9?\u2500", "\u00e9x?\r\n\u2500"),
    "more characters than the block holds": (b"a?b", "\u2018\u2019\u2500", "a\u2018b"),
    "at both ends": (b"?a?", "\u2018\u2019", "\u2018a\u2019"),
}


@pytest.mark.parametrize("case", list(RESTORED_CASES))
def test_the_characters_past_ascii_are_put_back_in_order(case: str) -> None:
    marked, others, text = RESTORED_CASES[case]
    assert styled._restored(marked, others) == text
