"""Celery beat's scheduler with Redis: celery-redbeat, made to outlive a Redis outage (docs/operations.md).

celery-redbeat keeps the schedule, each entry's last run and a lock in Redis: any number of beats may run, the
one holding the lock sends. As it comes, a beat dies when it starts or ticks without Redis, and a Redis
that comes back empty leaves a surviving beat with no schedule at all. Here a beat starts without Redis, a
tick that cannot reach Redis is skipped and tried again; a beat that lost its lock (it expired during the outage, or
Redis was emptied) stands by and tries for it at each tick, like a beat that never had it; and whoever takes
the lock installs the schedule again (entries keep their last run where Redis still has it).
"""

import logging

import redis
from redbeat.schedulers import LUA_EXTEND_TO_SCRIPT, RedBeatScheduler, get_redis
from redis.exceptions import LockError

logger = logging.getLogger("celery.beat")


class ResilientRedBeatScheduler(RedBeatScheduler):
    def setup_schedule(self):
        try:
            super().setup_schedule()
        except (redis.ConnectionError, redis.TimeoutError) as error:  # a beat may start while Redis is away
            logger.warning("beat: Redis unreachable (%s); the schedule is installed once the lock is taken", error)

    def tick(self, min=min, **kwargs):
        try:
            if self.lock_key and self.lock is None and not self._lock_taken():
                return self.max_interval  # another beat sends; try again at the next tick
            return super().tick(min=min, **kwargs)
        except LockError:  # not ours any more: expired while Redis was away, or Redis lost it
            logger.warning("beat: Lost the lock; standing by")
            self.lock = None
        except (redis.ConnectionError, redis.TimeoutError) as error:
            logger.warning("beat: Redis unreachable (%s); trying again in %s s", error, self.max_interval)
        return self.max_interval

    def _lock_taken(self) -> bool:
        """Try once for the lock (as redbeat's start-up does, without waiting); with it, (re)install the schedule."""
        client = get_redis(self.app)
        lock = client.lock(self.lock_key, timeout=self.lock_timeout, sleep=self.max_interval)
        lock.lua_extend = client.register_script(LUA_EXTEND_TO_SCRIPT)  # extend *to* the timeout, as redbeat does
        if not lock.acquire(blocking=False):
            return False
        logger.info("beat: Acquired lock")
        self.lock = lock
        self.setup_schedule()
        return True
