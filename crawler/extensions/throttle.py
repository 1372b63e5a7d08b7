"""FloorAwareAutoThrottle: AutoThrottle that never goes below a site's politeness floor."""

from __future__ import annotations

from scrapy.core.downloader import Slot
from scrapy.extensions.throttle import AutoThrottle
from scrapy.http import Response

from crawler.middlewares.politeness import PolitenessMiddleware, apply_floor


class FloorAwareAutoThrottle(AutoThrottle):
    """AutoThrottle that never sets a slot's delay below its politeness floor."""

    def _adjust_delay(self, slot: Slot, latency: float, response: Response) -> None:
        super()._adjust_delay(slot, latency, response)
        politeness = self.crawler.get_downloader_middleware(PolitenessMiddleware)
        if politeness is None:
            return
        key = next((k for k, s in self.crawler.engine.downloader.slots.items() if s is slot), None)
        if key is not None:
            apply_floor(slot, politeness.floor(key))
