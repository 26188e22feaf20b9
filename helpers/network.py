"""Patient HTTP for pystac-client, for the lesson's own requests: time limits and retries.

pystac-client waits forever for a slow server and retries neither ``POST /search`` nor the
answers that mean "try again later" (429, 502, 503, 504). ``retrying_io()`` gives it both, for
the checkpoint's repeated search; ``helpers.lesson.setup()`` gives it to every plain
``Client.open(api_url)`` of the notebooks (a test keeps the two equal).

GDAL's own retries and time limits for reading images are ``helpers.gdal.SETTINGS``.
"""

from __future__ import annotations

from typing import Any

from pystac_client.stac_api_io import StacApiIO
from urllib3.util.retry import Retry

#: Seconds to wait for a connection, and for each answer.
CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 30.0
#: Answers that mean "the server is busy or briefly down: ask again".
RETRY_STATUSES = (429, 500, 502, 503, 504)


def retry_policy(total: int = 4, backoff: float = 0.5) -> Retry:
    """Retry up to ``total`` times, waiting 0.5, 1, 2... s (or what Retry-After asks)."""
    return Retry(
        total=total,
        connect=min(total, 2),  # a server that refuses connections is down, not busy
        backoff_factor=backoff,
        status_forcelist=RETRY_STATUSES,
        allowed_methods=None,  # searches are POST requests, and safe to repeat
        raise_on_status=False,  # the server's last answer reaches the learner, not MaxRetryError
    )


class RetryingStacApiIO(StacApiIO):
    """A ``StacApiIO`` whose time limits survive ``Client.open``.

    ``Client.open`` calls ``update(timeout=None)`` on the I/O object it is given, which would
    remove the limits; here ``None`` keeps them.
    """

    def update(self, *args: Any, timeout: Any = None, **kwargs: Any) -> None:
        kwargs["timeout"] = timeout if timeout is not None else self.timeout
        super().update(*args, **kwargs)


def retrying_io(
    connect_timeout: float = CONNECT_TIMEOUT,
    read_timeout: float = READ_TIMEOUT,
    retries: int = 4,
) -> StacApiIO:
    """A ``StacApiIO`` that gives up after the time limits and retries passing failures."""
    return RetryingStacApiIO(
        timeout=(connect_timeout, read_timeout), max_retries=retry_policy(retries)
    )
