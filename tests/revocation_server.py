"""A tiny HTTP/1.1 server on loopback for the revocation tests: serves CRLs by path and answers
OCSP POSTs through a callback. Runs on whatever asyncio loop starts it."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field

from cryptography.x509 import ocsp


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    chunked: bool = False  # send the body chunked (no Content-Length)


@dataclass
class RevocationServer:
    files: dict[str, Reply | bytes] = field(default_factory=dict)
    ocsp: Callable[[ocsp.OCSPRequest], bytes] | None = None
    ocsp_delay: float = 0.0
    requests: list[tuple[str, str]] = field(default_factory=list)
    server: asyncio.AbstractServer | None = None
    port: int = 0
    _handlers: set[asyncio.Task[None]] = field(default_factory=set)

    async def start(self) -> int:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self.server.sockets[0].getsockname()[1]
        return self.port

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    async def stop(self) -> None:
        for task in list(self._handlers):  # a delayed answer still pending: drop it
            task.cancel()
        if self.server is not None:
            self.server.close()
            await self.server.wait_closed()
        await asyncio.sleep(0)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._handlers.add(task)
        task.add_done_callback(self._handlers.discard)
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            method, path, _ = lines[0].split(" ", 2)
            headers = {
                k.lower(): v.strip() for k, _, v in (h.partition(":") for h in lines[1:] if h)
            }
            body = await reader.readexactly(int(headers.get("content-length", "0")))
            self.requests.append((method, path))
            reply = self._reply(method, path, body)
            if reply.delay:
                await asyncio.sleep(reply.delay)
            extra = "".join(f"{k}: {v}\r\n" for k, v in reply.headers.items())
            if reply.chunked:
                framing = "Transfer-Encoding: chunked\r\n"
                payload = b"%x\r\n%s\r\n0\r\n\r\n" % (len(reply.body), reply.body)
            else:
                framing = f"Content-Length: {len(reply.body)}\r\n"
                payload = reply.body
            writer.write(
                f"HTTP/1.1 {reply.status} X\r\n{framing}{extra}Connection: close\r\n\r\n".encode()
                + payload
            )
            await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()

    def _reply(self, method: str, path: str, body: bytes) -> Reply:
        if method == "POST" and self.ocsp is not None:
            return Reply(body=self.ocsp(ocsp.load_der_ocsp_request(body)), delay=self.ocsp_delay)
        found = self.files.get(path)
        if found is None:
            return Reply(404)
        return found if isinstance(found, Reply) else Reply(body=found)
