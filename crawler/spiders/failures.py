"""Why a fetch failed, as a short reason for stats and one log line.

Failed downloads are expected on the open web: they are counted under
``news/fetch/<reason>`` and logged as one INFO line, not as a traceback.
"""

from __future__ import annotations

from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

_BY_TYPE: tuple[tuple[type[BaseException], str], ...] = (
    (DownloadTimeoutError, "timeout"),
    (TimeoutError, "timeout"),
    (ResponseDataLossError, "data_loss"),
    (DownloadCancelledError, "too_large"),
    (DownloadConnectionRefusedError, "connection_refused"),
    (CannotResolveHostError, "dns"),
    (ConnectionError, "connection"),
    (DownloadFailedError, "download_failed"),
)


def failure_reason(failure: Failure) -> str | None:
    """The reason to count, or None for a refusal already counted where it was made."""
    error = failure.value
    if isinstance(error, HttpError):
        return f"http_{error.response.status}"
    if isinstance(error, IgnoreRequest):
        # robots.txt, revisit rules and site boundaries count their own refusals.
        return "too_large_decompressed" if "decompression" in str(error) else None
    for kind, reason in _BY_TYPE:
        if isinstance(error, kind):
            return reason
    return type(error).__name__
