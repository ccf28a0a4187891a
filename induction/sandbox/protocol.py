"""Length-prefixed JSON frames over pipes: the only way the host and workers talk.

A frame is a 4-byte big-endian length and that many bytes of UTF-8 JSON. The
host never unpickles anything from a worker; a frame longer than the reader's
limit, truncated, or not JSON raises ``ProtocolError``.
"""

from __future__ import annotations

import json
import struct
from typing import IO, Any

_HEADER = struct.Struct(">I")


class ProtocolError(RuntimeError):
    """The other side closed the pipe or sent something that is not a valid frame."""


def write_frame(stream: IO[bytes], message: Any) -> None:
    data = json.dumps(message, separators=(",", ":")).encode()
    stream.write(_HEADER.pack(len(data)) + data)
    stream.flush()


def read_frame(stream: IO[bytes], max_bytes: int) -> Any:
    size = _HEADER.unpack(_read_exactly(stream, _HEADER.size))[0]
    if size > max_bytes:
        raise ProtocolError(f"frame of {size} bytes exceeds the {max_bytes}-byte limit")
    try:
        return json.loads(_read_exactly(stream, size))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ProtocolError(f"frame is not JSON: {e}") from None


def _read_exactly(stream: IO[bytes], n: int) -> bytes:
    chunks, missing = [], n
    while missing:
        chunk = stream.read(missing)
        if not chunk:
            raise ProtocolError("pipe closed")
        chunks.append(chunk)
        missing -= len(chunk)
    return b"".join(chunks)
