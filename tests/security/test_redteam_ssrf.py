"""Red team, SSRF: addresses IANA lists as not globally reachable that Python 3.11's is_global passes."""

import pytest

from edge.addresses import address_refusal, parse
from edge.http import RemoteFetchError, remote_request

NOT_GLOBAL_BUT_PASSED_BY_IS_GLOBAL = [
    "192.0.0.192",  # IETF protocol assignments (192.0.0.0/24): Oracle Cloud's metadata service
    "192.0.0.8",  # IPv4 dummy address
    "::ffff:192.0.0.192",
    "64:ff9b::c000:c0",  # NAT64 of 192.0.0.192
]


@pytest.mark.parametrize("address", NOT_GLOBAL_BUT_PASSED_BY_IS_GLOBAL)
def test_ietf_protocol_assignments_are_refused(address):
    assert address_refusal(parse(address), [])


def test_fetch_of_oracle_cloud_metadata_refused_before_connecting(settings):
    settings.EDGE_ALLOWED_NETWORKS = []
    with pytest.raises(RemoteFetchError, match=r"not a public address|embeds"):
        remote_request("GET", "http://192.0.0.192/latest/meta-data/", deadline_seconds=2)


def test_globally_reachable_neighbours_stay_allowed():
    assert address_refusal(parse("192.0.1.1"), []) == ""
    assert address_refusal(parse("8.8.8.8"), []) == ""
