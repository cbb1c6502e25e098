"""An httpx transport that sends through edge.http: one total deadline, a size cap, checked addresses.

For SDKs built on httpx (SumUp's): httpx's timeouts, like urllib3's, are per socket operation, so a
server dripping a byte a second would hold a worker for as long as it likes, and httpx reads a body of
any size into memory.
"""

import httpx

from .http import DeadlinePassed, RemoteFetchError, ResponseTooLarge, remote_request

# edge.http has already decoded the body (gzip, deflate) and counted it: these would describe bytes
# httpx never sees, and make it decode them a second time.
_DROPPED_RESPONSE_HEADERS = frozenset({"content-encoding", "content-length", "transfer-encoding"})
# urllib3 writes these itself for the connection it chose.
_DROPPED_REQUEST_HEADERS = frozenset({"connection", "transfer-encoding"})


class EdgeTransport(httpx.BaseTransport):
    """Each request has `deadline_seconds` from connect to the last byte and at most `max_bytes` of body."""

    def __init__(self, *, deadline_seconds: float, max_bytes: int) -> None:
        self.deadline_seconds = deadline_seconds
        self.max_bytes = max_bytes

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        headers = {
            name: value
            for name, value in request.headers.items()
            if name.lower() not in _DROPPED_REQUEST_HEADERS
        }
        try:
            answer = remote_request(
                request.method,
                str(request.url),
                headers=headers,
                data=request.read() or None,
                max_bytes=self.max_bytes,
                deadline_seconds=self.deadline_seconds,
            )
        # The httpx errors the SDKs already turn into their own timeout and connection errors.
        except DeadlinePassed as exc:
            raise httpx.ReadTimeout(str(exc), request=request) from exc
        except ResponseTooLarge as exc:
            raise httpx.RemoteProtocolError(str(exc), request=request) from exc
        except RemoteFetchError as exc:
            raise httpx.ConnectError(str(exc), request=request) from exc
        return httpx.Response(
            answer.status_code,
            headers=[
                (name, value)
                for name, value in answer.headers.items()
                if name.lower() not in _DROPPED_RESPONSE_HEADERS
            ],
            content=answer.content,
            request=request,
        )
