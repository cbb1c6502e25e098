"""Fixtures for federation tests: a fake remote server and signed POSTs through the test client."""

import json

import pytest

from .fake_remote import FakeRemote


@pytest.fixture
def remote():
    with FakeRemote() as server:
        yield server


@pytest.fixture
def signed_post(client, settings):
    """POST an activity to one of our paths, signed by the fake remote as the test client would send it."""

    def post(remote, path, activity, *, scheme="cavage", name="alice", body=None, headers=None):
        body = json.dumps(activity).encode() if body is None else body
        signed = remote.signed_headers(settings.SITE_URL + path, body, scheme=scheme, name=name)
        signed.update(headers or {})
        content_type = signed.pop("Content-Type")
        return client.generic("POST", path, body, content_type=content_type, headers=signed)

    return post
