"""Terminal replies told apart from keystrokes: a table of both, and properties."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jupyter_ci_terminal.protocol.replies import Piece, keystrokes, split

FAST = settings(max_examples=200, deadline=None, database=None)

#: What xterm.js answers to the queries programs send.
REPLIES = [
    "\x1b[24;80R",  # CPR (DSR 6)
    "\x1b[1;1R",  # CPR at the top left (not a modified F3: no modifier is 1)
    "\x1b[1;42R",  # CPR on row 1 beyond any modifier value
    "\x1b[?5;7R",  # DECXCPR
    "\x1b[?1;2c",  # DA1
    "\x1b[>0;276;0c",  # DA2
    "\x1b[0n",  # DSR 5: status OK
    "\x1b[?2004;1$y",  # DECRQM, DEC mode
    "\x1b[4;2$y",  # DECRQM, ANSI mode
    "\x1b[8;24;80t",  # window size in characters
    "\x1b[4;600;800t",  # window size in pixels
    "\x1b[?0u",  # keyboard protocol flags
    "\x1b[I",  # focus in
    "\x1b[O",  # focus out
    "\x1bP>|xterm.js(5.5.0)\x1b\\",  # XTVERSION
    "\x1bP1$r0m\x1b\\",  # DECRQSS: SGR
    "\x1bP0$r\x1b\\",  # DECRQSS: invalid request
    "\x1b]10;rgb:ffff/ffff/ffff\x1b\\",  # OSC 10 foreground
    "\x1b]11;rgb:0000/0000/0000\x07",  # OSC 11 background, BEL-terminated
    "\x1b]4;1;rgb:cd00/0000/0000\x1b\\",  # OSC 4 palette entry
]

#: What keys, pastes and the mouse send: never a reply, from any viewer.
KEYSTROKES = [
    "ls -l\r",
    "\x1b[A",  # up
    "\x1b[1;5A",  # Ctrl+Up
    "\x1bOP",  # F1
    "\x1b[15~",  # F5
    "\x1b[15;2~",  # Shift+F5
    "\x1b[1;2R",  # Shift+F3 (looks like a CPR for row 1)
    "\x1b[1;16R",  # Ctrl+Alt+Shift+Meta+F3
    "\x1b[Z",  # Shift+Tab
    "\x1b[<0;12;5M",  # SGR mouse press
    "\x1b[<0;12;5m",  # SGR mouse release
    "\x1b[M #!",  # X10 mouse
    "\x1bx",  # Alt+x
    "\x1b",  # Escape alone
    "\x1b[",  # Alt+[
    "\x1bP",  # Alt+Shift+p
    "\x1b]",  # Alt+]
    "\x1b[200~pasted \x1b[6;7R text\x1b[201~",  # a paste holds text, whatever it looks like
    "\x1b[200~unterminated paste \x1b[?1;2c",
    "\x1b[24;80",  # a reply cut across messages: passed on, never dropped
    "\x1b]11;rgb:0000/0000/0000",
]


@pytest.mark.parametrize("reply", REPLIES)
def test_a_reply_is_recognised_alone_and_between_keystrokes(reply: str) -> None:
    assert split(reply) == [Piece(reply, reply=True)]
    assert split(f"a{reply}b") == [
        Piece("a", reply=False),
        Piece(reply, reply=True),
        Piece("b", reply=False),
    ]


@pytest.mark.parametrize("keys", KEYSTROKES)
def test_keystrokes_are_never_replies(keys: str) -> None:
    assert split(keys) == [Piece(keys, reply=False)]


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("", ""),
        ("\x1b[2;3R\x1b[?1;2c", ""),
        ("j\x1b[2;3Rk", "jk"),
        ("\x1b[A\x1b[I\x1b[B", "\x1b[A\x1b[B"),
        ("\x1b[200~x\x1b[201~\x1b[2;3R", "\x1b[200~x\x1b[201~"),
    ],
)
def test_keystrokes_leave_out_the_replies(text: str, kept: str) -> None:
    assert keystrokes(split(text)) == kept


any_input = st.lists(
    st.one_of(st.sampled_from(REPLIES), st.sampled_from(KEYSTROKES), st.text(max_size=20)),
    max_size=8,
).map("".join)

#: Whole keys: Escape, Alt+[ and the like followed by text are the same bytes as a reply, but
#: xterm.js sends each key in a message of its own.
KEYS = [k for k in KEYSTROKES[:14] if k != "\x1b"]

#: Typing: printable text (no ESC) and key sequences, in any order.
typing = st.lists(
    st.one_of(
        st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=10),
        st.sampled_from(KEYS),
    ),
    max_size=10,
).map("".join)


@FAST
@given(any_input)
def test_the_pieces_reassemble_the_input(text: str) -> None:
    pieces = split(text)
    assert "".join(piece.text for piece in pieces) == text
    assert all(piece.text for piece in pieces)


@FAST
@given(typing)
def test_typing_is_never_a_reply(text: str) -> None:
    assert keystrokes(split(text)) == text
