"""Stop at once, with a clear message, when the live Earth Search cannot be reached.

    python -m tools.check_live [URL]

Used by ``make test-live`` before it runs the notebooks against the live API.
"""

from __future__ import annotations

import sys

import requests
from earth_search_offline.earth_search import LIVE_API_URL

LIVE_URL = LIVE_API_URL


def main(url: str = LIVE_URL) -> int:
    try:
        response = requests.get(url, timeout=(5, 10))
        response.raise_for_status()
        landing = response.json()
    except (requests.RequestException, ValueError) as error:
        print(
            f"The live STAC API at {url} cannot be reached ({type(error).__name__}: {error}).\n"
            "Check the network (or proxy) of this computer and try again, or test offline "
            "with `make test`, which needs no network.",
            file=sys.stderr,
        )
        return 2
    print(f"Live API reachable: {landing.get('title', url)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:2]))
