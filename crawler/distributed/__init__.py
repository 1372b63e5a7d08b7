"""Distributed mode: N workers share one frontier and one dedup state in Redis.

Switched on by ``REDIS_URL`` (or ``NEWS_DISTRIBUTED = True``, which then needs it).
:class:`DistributedAddon` then sets scrapy-redis' scheduler up with our parts:

* :class:`DistributedScheduler` (scrapy-redis ``Scheduler``): requests live in a Redis
  sorted set (scrapy-redis' priority queue) as JSON (:mod:`crawler.distributed.serializers`, never
  pickle). Article URLs pass :class:`UrlIdentityDupeFilter` (scrapy-redis' dupefilter on
  our URL identity); hubs are ``dont_filter`` and never enter its seen-set, so every
  round polls them again.
* At-least-once fetching (:class:`LeasedPriorityQueue`): a popped request is also kept
  in the worker's *in-flight* set until the worker ends. A worker is alive while its
  lease key exists (renewed by a heartbeat thread every ``NEWS_CLAIM_TTL``/3 seconds);
  when a lease lapses (SIGKILL, a lost machine), the next worker that finds the queue
  empty, or that has not looked for ``NEWS_CLAIM_TTL``/2 seconds, puts the dead worker's
  in-flight requests back. Pages already settled are then skipped by the revisit rules;
  the others are fetched again, and their records emitted once (claims in
  :class:`pipelines.state.redis_store.RedisStore`). scrapy-redis alone pops and forgets:
  requests in flight in a killed worker are lost.
* Waiting for work: a worker whose queue is empty keeps polling, and exits once it has
  had nothing to do for ``NEWS_IDLE_TIMEOUT`` seconds.
* Workers take hubs from the queue only: the spider's ``start()`` output is dropped
  (:class:`SeededStartMiddleware`); ``scrapy seed news`` starts a round
  (:mod:`crawler.commands.seed`).
"""
