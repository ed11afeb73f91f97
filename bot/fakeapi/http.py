"""A minimal asyncio HTTP/1.1 server: keep-alive and Content-Length bodies, nothing more.

It exists so the fake Bot API needs no dependency beyond the standard library; it only has to
understand what httpx (python-telegram-bot's HTTP client) and simple test clients send.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any
from urllib.parse import unquote

_LOGGER = logging.getLogger(__name__)

# Telegram accepts uploads of up to 50 MB from bots; anything larger is refused before reading.
MAX_BODY_BYTES = 50 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class HttpRequest:
    method: str
    path: str  # percent-decoded, without the query string
    query: str
    headers: Mapping[str, str]  # names in lower case
    body: bytes

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")


@dataclass(frozen=True, slots=True)
class HttpResponse:
    status: int
    body: bytes
    content_type: str = "application/json"

    @classmethod
    def json(cls, status: int, payload: Any) -> HttpResponse:
        # ensure_ascii=False keeps Chinese texts readable when debugging with raw clients.
        return cls(status, json.dumps(payload, ensure_ascii=False).encode())


Handler = Callable[[HttpRequest], Awaitable[HttpResponse]]


class _MalformedRequest(Exception):
    def __init__(self, status: HTTPStatus) -> None:
        super().__init__(status.phrase)
        self.status = status


class HttpServer:
    """Serves `handler` on host:port (0 picks a free port), one request at a time per connection."""

    def __init__(self, handler: Handler, *, host: str, port: int) -> None:
        self._handler = handler
        self._host = host
        self._requested_port = port
        self._server: asyncio.Server | None = None
        self._connections: set[asyncio.Task[None]] = set()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the HTTP server is not running")
        return int(self._server.sockets[0].getsockname()[1])

    async def start(self) -> None:
        if self._server is not None:
            raise RuntimeError("the HTTP server is already running")
        self._server = await asyncio.start_server(
            self._serve_connection, self._host, self._requested_port
        )

    async def stop(self) -> None:
        if self._server is None:
            return
        self._server.close()
        # Python 3.11's wait_closed() does not wait for (or close) open connections, and
        # keep-alive clients and long polls would hold them forever, so end them here.
        connections = list(self._connections)
        for task in connections:
            task.cancel()
        await asyncio.gather(*connections, return_exceptions=True)
        await self._server.wait_closed()
        self._server = None

    async def _serve_connection(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        task = asyncio.current_task()
        assert task is not None  # start_server always runs callbacks in a task
        self._connections.add(task)
        try:
            await self._serve_requests(reader, writer)
            writer.close()
            await writer.wait_closed()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass  # the client went away; nothing to answer
        except asyncio.CancelledError:
            # Only stop() cancels connections. Ending normally keeps Python 3.11's start_server
            # callback from logging the cancellation as an unhandled error.
            pass
        finally:
            writer.close()  # closing twice is harmless; this covers the early exits
            self._connections.discard(task)

    async def _serve_requests(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        while True:
            try:
                request = await _read_request(reader)
            except _MalformedRequest as error:
                response = HttpResponse.json(
                    error.status,
                    {"ok": False, "error_code": error.status, "description": str(error)},
                )
                await _write_response(writer, response, keep_alive=False)
                return
            if request is None:
                return
            try:
                response = await self._handler(request)
            except Exception:
                _LOGGER.exception("fake API handler failed for %s %s", request.method, request.path)
                response = HttpResponse.json(
                    500, {"ok": False, "error_code": 500, "description": "Internal Server Error"}
                )
            keep_alive = request.headers.get("connection", "").lower() != "close"
            await _write_response(writer, response, keep_alive=keep_alive)
            if not keep_alive:
                return


async def _read_request(reader: asyncio.StreamReader) -> HttpRequest | None:
    """Reads one request; None means the client closed the connection between requests."""
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError as error:
        if error.partial.strip():
            raise _MalformedRequest(HTTPStatus.BAD_REQUEST) from error
        return None
    except asyncio.LimitOverrunError as error:
        raise _MalformedRequest(HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE) from error

    request_line, *header_lines = head.decode("latin-1").rstrip("\r\n").split("\r\n")
    try:
        method, target, version = request_line.split(" ")
    except ValueError as error:
        raise _MalformedRequest(HTTPStatus.BAD_REQUEST) from error
    if not version.startswith("HTTP/1."):
        raise _MalformedRequest(HTTPStatus.HTTP_VERSION_NOT_SUPPORTED)

    headers: dict[str, str] = {}
    for line in header_lines:
        name, separator, value = line.partition(":")
        if not separator:
            raise _MalformedRequest(HTTPStatus.BAD_REQUEST)
        headers[name.strip().lower()] = value.strip()
    if version == "HTTP/1.0" and "connection" not in headers:
        headers["connection"] = "close"  # HTTP/1.0 has no keep-alive by default

    if "chunked" in headers.get("transfer-encoding", "").lower():
        raise _MalformedRequest(HTTPStatus.LENGTH_REQUIRED)
    try:
        length = int(headers.get("content-length", "0"))
    except ValueError as error:
        raise _MalformedRequest(HTTPStatus.BAD_REQUEST) from error
    if length < 0:
        raise _MalformedRequest(HTTPStatus.BAD_REQUEST)
    if length > MAX_BODY_BYTES:
        raise _MalformedRequest(HTTPStatus.REQUEST_ENTITY_TOO_LARGE)
    body = await reader.readexactly(length) if length else b""

    path, _, query = target.partition("?")
    return HttpRequest(method.upper(), unquote(path), query, headers, body)


async def _write_response(
    writer: asyncio.StreamWriter, response: HttpResponse, *, keep_alive: bool
) -> None:
    if writer.is_closing():
        return  # e.g. a long poll answered after its client gave up
    try:
        phrase = HTTPStatus(response.status).phrase
    except ValueError:
        phrase = "Unknown"
    head = (
        f"HTTP/1.1 {response.status} {phrase}\r\n"
        f"Content-Type: {response.content_type}\r\n"
        f"Content-Length: {len(response.body)}\r\n"
        f"Connection: {'keep-alive' if keep_alive else 'close'}\r\n"
        "\r\n"
    )
    writer.write(head.encode("latin-1") + response.body)
    await writer.drain()
