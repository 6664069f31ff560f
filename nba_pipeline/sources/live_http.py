"""HTTP for the live source: one request, its failures split into transient and permanent, and the
process-wide spacing of stats.nba.com calls.

* transient (timeouts, connection errors, HTTP 429, HTTP 5xx, a body that is not JSON):
  :class:`~nba_pipeline.sources.base.SourceUnavailableError`, retried by the scrape assets' Dagster
  ``RetryPolicy`` (bounded, with backoff). Nothing here retries.
* permanent (any other 4xx, a request that cannot be sent):
  :class:`~nba_pipeline.sources.base.SourcePermanentError`, naming the URL (API key redacted) and the
  status.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx

from nba_pipeline.sources.base import SourcePermanentError, SourceUnavailableError, redact

STATS_HOST = "stats.nba.com"


class Throttle:
    """Process-wide spacing between calls to one host: at least ``interval`` seconds from the end of
    one call to the start of the next. Calls are serialized while they hold the slot."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last_end = float("-inf")

    @contextmanager
    def slot(self, interval: float) -> Iterator[None]:
        with self._lock:
            wait = self._last_end + interval - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            try:
                yield
            finally:
                self._last_end = time.monotonic()


# One throttle for stats.nba.com per process, whatever the number of LiveSource instances.
STATS_THROTTLE = Throttle()


@dataclass(frozen=True)
class RequestPolicy:
    """How long a request may take, and the spacing of stats.nba.com calls."""

    timeout_seconds: float
    stats_min_interval_seconds: float


def send(
    client: httpx.Client,
    policy: RequestPolicy,
    method: str,
    url: str,
    *,
    params: dict | None = None,
    headers: dict | None = None,
    allow: tuple[int, ...] = (),
) -> httpx.Response:
    """One request. Transient failures -> SourceUnavailableError, other non-2xx ->
    SourcePermanentError, except the statuses in ``allow`` which are returned to the caller."""
    request = client.build_request(method, url, params=params, headers=headers)
    shown = redact(str(request.url))
    try:
        if request.url.host == STATS_HOST:
            with STATS_THROTTLE.slot(policy.stats_min_interval_seconds):
                response = client.send(request)
        else:
            response = client.send(request)
    except httpx.TimeoutException as exc:
        raise SourceUnavailableError(
            f"{method} {shown}: timed out after {policy.timeout_seconds:g} s ({type(exc).__name__})"
        ) from None
    except (httpx.NetworkError, httpx.RemoteProtocolError, httpx.ProxyError) as exc:
        raise SourceUnavailableError(
            f"{method} {shown}: connection failed ({type(exc).__name__}: {redact(str(exc))})"
        ) from None
    except httpx.HTTPError as exc:
        raise SourcePermanentError(
            f"{method} {shown}: request failed ({type(exc).__name__}: {redact(str(exc))})", url=shown
        ) from None
    status = response.status_code
    if status in allow or 200 <= status < 300:
        return response
    if status == 429 or status >= 500:
        retry_after = response.headers.get("Retry-After")
        hint = f", Retry-After {retry_after}" if retry_after else ""
        raise SourceUnavailableError(f"{method} {shown}: HTTP {status} (transient{hint})")
    snippet = redact(response.text[:200].strip()) if method != "HEAD" else ""
    raise SourcePermanentError(
        f"{method} {shown}: HTTP {status}, a permanent error that retrying will not fix"
        + (f": {snippet}" if snippet else ""),
        url=shown,
        status=status,
    )


def get_json(
    client: httpx.Client, policy: RequestPolicy, url: str, *, params: dict | None = None, headers: dict | None = None
) -> tuple[Any, httpx.Response]:
    response = send(client, policy, "GET", url, params=params, headers=headers)
    try:
        return response.json(), response
    except ValueError:
        # A truncated body or an HTML block page served with 200: worth one more (bounded) try.
        raise SourceUnavailableError(
            f"GET {redact(str(response.request.url))}: HTTP {response.status_code} but the body is "
            f"not JSON: {redact(response.text[:120])!r}"
        ) from None
