"""A Redis cache whose clear() forgets only its own keys, for parallel test processes.

Django's RedisCache.clear() flushes the whole Redis database. Two pytest-xdist processes share one
(CI's REDIS_URL) with different key prefixes, so a test clearing the cache on one process would
empty the other's mid-test.
"""

from django.core.cache.backends.redis import RedisCache


class PrefixScopedRedisCache(RedisCache):
    def clear(self) -> bool:
        client = self._cache.get_client(write=True)
        keys = list(client.scan_iter(match=f"{self.key_prefix}:*", count=1000))
        if keys:
            client.delete(*keys)
        return True
