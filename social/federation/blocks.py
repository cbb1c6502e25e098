"""The one domain-block check: a block on a domain covers its subdomains, every spelling of it, any port.

The inbox, delivery, the hub and the follower lists all ask here. A block names "evil.example" (every
port) or "evil.example:8443" (that port only); "sub.evil.example", "Sub.Evil.Example." and
"evil.example:8443" are all under the block "evil.example".
"""

from collections.abc import Iterable
from functools import reduce
from operator import or_

from django.db import connection
from django.db.models import Q

from .models import ActorBlock, DomainBlock
from .origins import domain_normalise, host_domain


def domain_candidates(domain: str) -> list[str]:
    """The block names that would cover this host[:port]: itself, without its port, and every parent."""
    domain = domain_normalise(domain)
    if not domain:
        return []
    host, sep, port = domain.rpartition(":")
    if not (sep and port.isdigit()):
        host, port = domain, ""
    candidates = [domain] if port else []
    labels = host.split(".")
    if host.replace(".", "").isdigit() or host.startswith("["):  # an IP address has no parents
        return candidates + [host]
    for start in range(len(labels)):
        parent = ".".join(labels[start:])
        if port and start:
            candidates.append(f"{parent}:{port}")
        candidates.append(parent)
    return candidates


def domain_blocked(domain_or_url: str) -> bool:
    """Whether a server (a host[:port], or any URL on it) is under a domain block."""
    domain = host_domain(domain_or_url) if "://" in domain_or_url else domain_or_url
    candidates = domain_candidates(domain)
    return bool(candidates) and DomainBlock.objects.filter(domain__in=candidates).exists()


def sender_blocked(domain: str, actor_uri: str) -> bool:
    """Whether the server (or a parent domain of it) or the account is blocked.

    The inbox asks this of every request, so it is one plain statement: the ORM's UNION (or two
    EXISTS queries) cost more to build than PostgreSQL takes to answer.
    """
    candidates = domain_candidates(domain) or [""]
    ops = connection.ops
    domains = (
        ops.quote_name(DomainBlock._meta.db_table),
        ops.quote_name(DomainBlock._meta.get_field("domain").column),
    )
    actors = (
        ops.quote_name(ActorBlock._meta.db_table),
        ops.quote_name(ActorBlock._meta.get_field("uri").column),
    )
    placeholders = ", ".join(["%s"] * len(candidates))
    sql = " ".join(
        [
            f"SELECT 1 FROM {domains[0]} WHERE {domains[1]} IN ({placeholders})",  # noqa: S608
            f"UNION ALL SELECT 1 FROM {actors[0]} WHERE {actors[1]} = %s LIMIT 1",  # noqa: S608
        ]
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*candidates, actor_uri])
        return cursor.fetchone() is not None


class DomainList:
    """Domains (blocks, mutes) read once, for checking many servers (a fan-out's inboxes) without a query
    each; each domain covers its subdomains as a block does."""

    def __init__(self, domains: Iterable[str]):
        self.domains = {domain_normalise(domain) for domain in domains} - {""}

    def covers(self, domain_or_url: str) -> bool:
        domain = host_domain(domain_or_url) if "://" in domain_or_url else domain_or_url
        return any(candidate in self.domains for candidate in domain_candidates(domain))

    def q(self, field: str) -> Q:
        """Rows whose `field` (a normalised host[:port]) is under a domain of the list; none if empty."""
        conditions = []
        for block in self.domains:
            conditions.append(Q(**{field: block}) | Q(**{f"{field}__endswith": f".{block}"}))
            if ":" not in block:  # a block without a port covers every port
                conditions.append(Q(**{f"{field}__startswith": f"{block}:"}))
                conditions.append(Q(**{f"{field}__contains": f".{block}:"}))
        return reduce(or_, conditions, Q(pk__in=[]))


def blocked_domains() -> DomainList:
    """Every domain block, read once."""
    return DomainList(DomainBlock.objects.values_list("domain", flat=True))
