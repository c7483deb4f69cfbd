"""Table-driven tests of the runner subprotocol codecs (no I/O)."""

from __future__ import annotations

import base64
import codecs
import json

import pytest

from jupyter_ci_terminal.errors import ProtocolError
from jupyter_ci_terminal.protocol import frames, limits
from jupyter_ci_terminal.protocol.frames import Frame, Input, Resize

K8S_STDIN, K8S_STDOUT, K8S_STDERR, K8S_ERROR, K8S_RESIZE = (
    b"\x00",
    b"\x01",
    b"\x02",
    b"\x03",
    b"\x04",
)


@pytest.mark.parametrize(
    ("offered", "chosen"),
    [
        (["terminal.gitlab.com"], "terminal.gitlab.com"),
        (["terminal.gitlab.com", "channel.k8s.io"], "channel.k8s.io"),
        (["base64.terminal.gitlab.com"], "base64.terminal.gitlab.com"),
        (["base64.terminal.gitlab.com", "terminal.gitlab.com"], "terminal.gitlab.com"),
        (["chat"], None),
        ([], None),
    ],
)
def test_server_picks_the_best_offered_subprotocol(offered: list[str], chosen: str | None) -> None:
    assert frames.choose_subprotocol(offered) == chosen


@pytest.mark.parametrize(
    ("subprotocol", "frame", "events"),
    [
        ("terminal.gitlab.com", Frame(b"ls\r"), [Input(b"ls\r")]),
        ("terminal.gitlab.com", Frame(b"ls\r", binary=False), [Input(b"ls\r")]),
        ("terminal.gitlab.com", Frame(b"\x04"), [Input(b"\x04")]),
        ("terminal.gitlab.com", Frame(b""), []),
        ("base64.terminal.gitlab.com", Frame(base64.b64encode(b"pwd\r"), False), [Input(b"pwd\r")]),
        ("channel.k8s.io", Frame(K8S_STDIN + b"id\r"), [Input(b"id\r")]),
        (
            "channel.k8s.io",
            Frame(K8S_RESIZE + json.dumps({"Width": 132, "Height": 43}).encode()),
            [Resize(43, 132)],
        ),
        ("channel.k8s.io", Frame(K8S_STDIN), []),
        (None, Frame(b"uname\n"), [Input(b"uname\n")]),
    ],
)
def test_server_decodes_client_frames(
    subprotocol: str | None, frame: Frame, events: list[object]
) -> None:
    assert frames.server_codec(subprotocol).decode_client(frame) == events


@pytest.mark.parametrize(
    ("subprotocol", "frame", "fragment"),
    [
        ("base64.terminal.gitlab.com", Frame(b"not base64!", False), "not valid base64"),
        ("channel.k8s.io", Frame(K8S_STDOUT + b"x"), r"channel 0 \(stdin\) or 4 \(resize\)"),
        ("channel.k8s.io", Frame(K8S_RESIZE + b"{nope"), "must be JSON"),
        ("channel.k8s.io", Frame(K8S_RESIZE + b'{"Width": 0, "Height": 5}'), "1 to 10000"),
        ("channel.k8s.io", Frame(K8S_RESIZE + b'{"Width": Infinity, "Height": 5}'), "JSON"),
        ("channel.k8s.io", Frame(K8S_RESIZE + b'{"Width": 1e400, "Height": 5}'), "JSON"),
        ("channel.k8s.io", Frame(K8S_RESIZE + b'{"Width": 80, "Height": NaN}'), "JSON"),
        ("channel.k8s.io", Frame(K8S_RESIZE + b"[" * 100_000), "JSON"),
        ("channel.k8s.io", Frame(K8S_RESIZE + b'{"Width": 80, "Height": [5]}'), "JSON"),
        ("channel.k8s.io", Frame(K8S_RESIZE + b"[80, 24]"), "JSON"),
        ("channel.k8s.io", Frame(K8S_RESIZE + b'{"Width": 80, "Height": "9' + b"9" * 99), "JSON"),
    ],
)
def test_server_refuses_malformed_frames(subprotocol: str, frame: Frame, fragment: str) -> None:
    with pytest.raises(ProtocolError, match=fragment) as refused:
        frames.server_codec(subprotocol).decode_client(frame)
    assert refused.value.close_code == 1007
    assert "999" not in str(refused.value)  # a huge number is not echoed


@pytest.mark.parametrize(
    ("subprotocol", "frame"),
    [
        ("terminal.gitlab.com", Frame(b"x" * 1025)),
        ("terminal.gitlab.com", Frame(b"x" * 1025, binary=False)),
        ("base64.terminal.gitlab.com", Frame(base64.b64encode(b"x" * 1025), False)),
        ("base64.terminal.gitlab.com", Frame(b"A" * 10_000, False)),  # refused before decoding
        ("channel.k8s.io", Frame(K8S_STDIN + b"x" * 1025)),
        (None, Frame(b"x" * 1025)),
    ],
)
def test_input_frames_over_the_cap_close_with_1009_and_a_sentence(
    subprotocol: str | None, frame: Frame
) -> None:
    codec = frames.server_codec(subprotocol, max_input=1024)
    with pytest.raises(ProtocolError, match=r"exceeds the limit of 1024 bytes per message\.") as e:
        codec.decode_client(frame)
    assert e.value.close_code == 1009


@pytest.mark.parametrize(
    "subprotocol", ["terminal.gitlab.com", "base64.terminal.gitlab.com", "channel.k8s.io", None]
)
def test_input_frames_far_beyond_gitlab_runners_32k_are_taken_whole(
    subprotocol: str | None,
) -> None:
    data = b"paste\n" * 200_000  # 1.2 MB
    frame = frames.Frame(data, binary=True)
    if subprotocol == "base64.terminal.gitlab.com":
        frame = frames.Frame(base64.b64encode(data), binary=False)
    elif subprotocol == "channel.k8s.io":
        frame = frames.Frame(K8S_STDIN + data)
    assert frames.server_codec(subprotocol).decode_client(frame) == [Input(data)]
    assert limits.message_limit(limits.DEFAULT_MAX_INPUT) > len(frame.payload)


def test_raw_text_output_replaces_invalid_utf8_as_gitlab_terminal_does() -> None:
    codec = frames.server_codec(None)
    codec.decode_client(Frame(b"printf ...\r", binary=False))  # the client speaks text
    assert codec.encode_output(b"a\xff\xfeb") == Frame("a\ufffd\ufffdb".encode(), binary=False)
    # A character split across two reads is not garbled.
    check = "\u2713".encode()
    assert codec.encode_output(check[:2]) == Frame(b"", binary=False)
    assert codec.encode_output(check[2:]) == Frame(check, binary=False)


def test_raw_output_keeps_a_held_partial_character_when_the_client_turns_to_binary() -> None:
    codec = frames.server_codec(None)
    codec.decode_client(Frame(b"x", binary=False))
    assert codec.encode_output(b"ok\xe2\x9c") == Frame(b"ok", binary=False)
    codec.decode_client(Frame(b"y", binary=True))
    assert codec.encode_output(b"\x93") == Frame(b"\xe2\x9c\x93", binary=True)


@pytest.mark.parametrize(
    ("text", "fits"),
    [
        ("A short sentence.", "A short sentence."),
        ("x" * 200, "x" * 123),
        ("\u00e9" * 100, "\u00e9" * 61),  # 2 bytes each: cut on a character boundary
    ],
)
def test_close_reasons_fit_a_close_frame(text: str, fits: str) -> None:
    assert limits.close_reason(ProtocolError(text)) == fits


@pytest.mark.parametrize(
    ("subprotocol", "expected"),
    [
        ("terminal.gitlab.com", Frame(b"out", True)),
        ("base64.terminal.gitlab.com", Frame(base64.b64encode(b"out"), False)),
        ("channel.k8s.io", Frame(K8S_STDOUT + b"out", True)),
        (None, Frame(b"out", True)),
    ],
)
def test_server_encodes_output(subprotocol: str | None, expected: Frame) -> None:
    assert frames.server_codec(subprotocol).encode_output(b"out") == expected


def test_raw_server_answers_in_the_clients_last_frame_type() -> None:
    codec = frames.server_codec(None)
    assert codec.encode_output(b"a").binary
    codec.decode_client(Frame(b"uname\n", binary=False))
    assert not codec.encode_output(b"a").binary


@pytest.mark.parametrize(
    "subprotocol", ["terminal.gitlab.com", "base64.terminal.gitlab.com", "channel.k8s.io"]
)
def test_client_input_round_trips_through_the_server_codec_in_frames_of_at_most_32k(
    subprotocol: str,
) -> None:
    data = bytes(range(256)) * 300  # 76800 bytes: three frames
    client, server = frames.client_codec(subprotocol), frames.server_codec(subprotocol)
    sent = client.encode_input(data)
    assert len(sent) == 3
    received = b""
    for frame in sent:
        raw = base64.b64decode(frame.payload) if not frame.binary else frame.payload
        assert len(raw) <= frames.MAX_INPUT_FRAME
        for event in server.decode_client(frame):
            assert isinstance(event, Input)
            received += event.data
    assert received == data


@pytest.mark.parametrize(
    "subprotocol", ["terminal.gitlab.com", "base64.terminal.gitlab.com", "channel.k8s.io"]
)
def test_client_decodes_server_output(subprotocol: str) -> None:
    client, server = frames.client_codec(subprotocol), frames.server_codec(subprotocol)
    assert client.decode_output(server.encode_output(b"\x1b[32mok\x1b[0m")) == b"\x1b[32mok\x1b[0m"


def test_k8s_client_resize_is_understood_by_the_server_and_other_protocols_cannot_resize() -> None:
    k8s = frames.client_codec("channel.k8s.io")
    (frame,) = k8s.encode_resize(50, 200)
    assert frames.server_codec("channel.k8s.io").decode_client(frame) == [Resize(50, 200)]
    assert frames.client_codec("terminal.gitlab.com").encode_resize(50, 200) == []


def test_k8s_client_drops_the_error_channel_status() -> None:
    k8s = frames.client_codec("channel.k8s.io")
    assert k8s.decode_output(Frame(K8S_ERROR + b'{"status":"Success"}')) == b""
    assert k8s.decode_output(Frame(K8S_STDERR + b"oops")) == b"oops"


def test_utf8_split_across_frames_decodes_whole() -> None:
    client = frames.client_codec("terminal.gitlab.com")
    text = "héllo ✓ 日本"
    raw = text.encode()
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    out = "".join(
        decoder.decode(client.decode_output(Frame(raw[i : i + 1]))) for i in range(len(raw))
    )
    assert out == text


def test_unknown_subprotocols_are_refused() -> None:
    with pytest.raises(ProtocolError):
        frames.server_codec("chat")
    with pytest.raises(ProtocolError):
        frames.client_codec("chat")
