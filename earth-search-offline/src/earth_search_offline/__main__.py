"""``python -m earth_search_offline``: the same as the ``earth-search-offline`` command."""

from .cli import main

raise SystemExit(main())
