"""Property-based tests of every codec: arbitrary input raises nothing but ProtocolError, and
what one side encodes the other decodes to the same bytes."""

from __future__ import annotations

import base64
import codecs
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jupyter_ci_terminal.errors import ProtocolError
from jupyter_ci_terminal.protocol import frames, limits, terminado
from jupyter_ci_terminal.protocol.frames import Frame, Input, Resize

# No example database: nothing is written into the work tree.
FAST = settings(max_examples=100, deadline=None, database=None)
SUBPROTOCOLS = [frames.GITLAB, frames.GITLAB_BASE64, frames.K8S, None]

#: Frames a client could send: any bytes, any frame type, some shaped like each subprotocol.
any_frames = st.builds(
    Frame,
    st.one_of(
        st.binary(max_size=300),
        st.binary(max_size=200).map(base64.b64encode),
        st.tuples(st.integers(0, 255), st.binary(max_size=100)).map(lambda t: bytes([t[0]]) + t[1]),
        st.text(max_size=50).map(lambda t: b"\x04" + t.encode()),
    ),
    st.booleans(),
)

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=20)
    | st.sampled_from(["stdin", "set_size", "ack", "ping"]),
    lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(), children),
    max_leaves=12,
)

#: Messages a browser could send: any text, JSON of anything, arrays shaped like terminado's.
any_messages = st.one_of(
    st.text(max_size=200),
    st.binary(max_size=50),
    json_values.map(json.dumps),
    st.tuples(st.sampled_from(["stdin", "set_size", "ack"]), st.lists(json_values, max_size=5)).map(
        lambda t: json.dumps([t[0], *t[1]])
    ),
    st.sampled_from(["NaN", "Infinity", "-Infinity", "1e400", "9" * 400]).map(
        lambda n: f'["set_size", {n}, 80]'
    ),
)


def _refusal_is_well_formed(error: ProtocolError) -> None:
    assert error.close_code in (1007, 1009)
    assert len(limits.close_reason(error).encode()) <= limits.MAX_CLOSE_REASON
    assert str(error).endswith(".")


@pytest.mark.parametrize("subprotocol", SUBPROTOCOLS)
@FAST
@given(frame=any_frames)
def test_server_codecs_raise_only_protocol_errors(subprotocol: str | None, frame: Frame) -> None:
    codec = frames.server_codec(subprotocol, max_input=256)
    try:
        events = codec.decode_client(frame)
    except ProtocolError as e:
        _refusal_is_well_formed(e)
        return
    for event in events:
        if isinstance(event, Input):
            assert 0 < len(event.data) <= 256
        else:
            assert isinstance(event, Resize)
            assert 0 < event.rows <= limits.MAX_DIMENSION
            assert 0 < event.cols <= limits.MAX_DIMENSION


@pytest.mark.parametrize("subprotocol", SUBPROTOCOLS)
@FAST
@given(frame=any_frames)
def test_client_codecs_raise_only_protocol_errors(subprotocol: str | None, frame: Frame) -> None:
    try:
        frames.client_codec(subprotocol).decode_output(frame)
    except ProtocolError as e:
        _refusal_is_well_formed(e)


@FAST
@given(message=any_messages)
def test_the_terminado_parser_raises_only_protocol_errors(message: str | bytes) -> None:
    try:
        event = terminado.parse(message, max_input=256)
    except ProtocolError as e:
        _refusal_is_well_formed(e)
        return
    if isinstance(event, Input):
        assert len(event.data) <= 256
        event.data.decode("utf-8")  # what reaches the shell is always valid UTF-8
    if isinstance(event, terminado.Ack):
        assert type(event.chars) is int
        assert 0 <= event.chars <= limits.MAX_ACK


@pytest.mark.parametrize("subprotocol", [frames.GITLAB, frames.GITLAB_BASE64, frames.K8S])
@FAST
@given(data=st.binary(max_size=5000), split=st.integers(1, 2000))
def test_client_input_decodes_to_the_same_bytes_on_the_server(
    subprotocol: str, data: bytes, split: int
) -> None:
    client, server = frames.client_codec(subprotocol), frames.server_codec(subprotocol)
    received = b""
    for start in range(0, len(data), split):
        for frame in client.encode_input(data[start : start + split]):
            for event in server.decode_client(frame):
                assert isinstance(event, Input)
                received += event.data
    assert received == data


@pytest.mark.parametrize("subprotocol", SUBPROTOCOLS)
@FAST
@given(chunks=st.lists(st.binary(max_size=200), max_size=10))
def test_server_output_decodes_to_the_same_bytes_on_the_client(
    subprotocol: str | None, chunks: list[bytes]
) -> None:
    client, server = frames.client_codec(subprotocol), frames.server_codec(subprotocol)
    assert b"".join(client.decode_output(server.encode_output(c)) for c in chunks) == b"".join(
        chunks
    )


@pytest.mark.parametrize("subprotocol", [frames.K8S])
@FAST
@given(rows=st.integers(1, limits.MAX_DIMENSION), cols=st.integers(1, limits.MAX_DIMENSION))
def test_resize_round_trips(subprotocol: str, rows: int, cols: int) -> None:
    (frame,) = frames.client_codec(subprotocol).encode_resize(rows, cols)
    assert frames.server_codec(subprotocol).decode_client(frame) == [Resize(rows, cols)]


@FAST
@given(chunks=st.lists(st.binary(max_size=100), max_size=10))
def test_raw_text_output_is_always_valid_utf8_and_loses_only_invalid_bytes(
    chunks: list[bytes],
) -> None:
    server = frames.server_codec(None)
    server.decode_client(Frame(b"x", binary=False))
    sent = b""
    for chunk in chunks:
        frame = server.encode_output(chunk)
        assert not frame.binary
        frame.payload.decode("utf-8")  # a standards-following client accepts every frame
        sent += frame.payload
    tail = codecs.getincrementaldecoder("utf-8")(errors="replace")
    expected = tail.decode(b"".join(chunks))
    assert sent.decode() == expected


@FAST
@given(text=st.text(max_size=500))
def test_terminado_stdin_round_trips(text: str) -> None:
    assert terminado.parse(terminado.stdin(text)) == Input(text.encode())


@FAST
@given(chars=st.integers(0, limits.MAX_ACK))
def test_terminado_ack_round_trips(chars: int) -> None:
    assert terminado.parse(terminado.ack(chars)) == terminado.Ack(chars)


@given(rows=st.integers(1, limits.MAX_DIMENSION), cols=st.integers(1, limits.MAX_DIMENSION))
def test_terminado_set_size_round_trips(rows: int, cols: int) -> None:
    message: list[Any] = ["set_size", rows, cols, rows * 17, cols * 9]
    assert terminado.parse(json.dumps(message)) == Resize(rows, cols)
