"""Locust scenario: one learner of a room replaying episodes 2-5 against the room server.

Run by ``benchmarks/room.py`` (``locust -f ... --headless``); the requests a clip read makes are
prepared there, from the COGs' own tile index, and passed in ``ROOM_PLAN`` (a JSON file):
per asset, the header read and the merged byte ranges GDAL asks for.
"""

from __future__ import annotations

import itertools
import json
import os
import time

from locust import HttpUser, between, task

PLAN = json.loads(open(os.environ["ROOM_PLAN"]).read())  # noqa: SIM115 (read once at start)
#: One row for a whole clip read (HEAD, header, tiles), as a learner waits for it.
CLIP_READ = "clip read (one asset, all requests)"
#: Learner n reads scene n modulo the plan's scenes.
LEARNER_NUMBERS = itertools.count()


class Learner(HttpUser):
    wait_time = between(1, 3)  # reading, typing, looking at a plot

    def on_start(self) -> None:
        scenes = PLAN["scenes"]
        self.scene = scenes[next(LEARNER_NUMBERS) % len(scenes)]

    @task
    def episodes_2_to_5(self) -> None:
        self.client.get("/v1", name="landing")
        self.client.get("/v1/conformance", name="conformance")
        self.client.get("/v1/collections", name="collections")
        url, body = "/v1/search", dict(PLAN["search"])
        while url:
            page = self.client.post(url, json=body, name="search page").json()
            following = [link for link in page.get("links", []) if link["rel"] == "next"]
            url, body = (
                (following[0]["href"], following[0].get("body", body))
                if following
                else (None, None)
            )
        self.client.get(self.scene["item"], name="item")
        for key, reads in self.scene["clips"].items():
            self._clip(key, reads)

    def _clip(self, key: str, reads: dict) -> None:
        """The requests GDAL makes for one clip, each timed, then the clip as a whole."""
        start = time.perf_counter()
        responses = [self.client.head(reads["url"], name=f"clip {key}: HEAD")]
        for first, last in reads["ranges"]:
            tiles = {"Range": f"bytes={first}-{last}"}
            responses.append(
                self.client.get(reads["url"], headers=tiles, name=f"clip {key}: ranges")
            )
        failed = [r for r in responses if not r.ok]
        self.environment.events.request.fire(
            request_type="CLIP",
            name=CLIP_READ,
            response_time=(time.perf_counter() - start) * 1000,
            response_length=sum(len(r.content) for r in responses),
            exception=RuntimeError(f"{failed[0].status_code} for {key}") if failed else None,
            context={},
        )
