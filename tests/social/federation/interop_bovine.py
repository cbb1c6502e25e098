"""Run under a separate virtualenv holding `bovine` (an independent ActivityPub library from PyPI):
look up acct:blog@<our host> over https (trusting our locally generated CA), fetch the actor with a
signed GET, follow it with a bovine-signed POST, and verify the Accept we send back with bovine's own
signature checker. Prints one JSON line with what it saw; exits non-zero on failure.

usage: python interop_bovine.py <our https base> <ca.pem> <port for its own server>
"""

import asyncio
import json
import ssl
import sys
import uuid

import aiohttp
from aiohttp import web
from bovine import BovineActor
from bovine.clients import lookup_uri_with_webfinger
from bovine.crypto import build_validate_http_signature_raw, generate_rsa_public_private_key
from bovine.crypto.types import CryptographicIdentifier


async def main(base: str, ca: str, port: int) -> dict:
    context = ssl.create_default_context(cafile=ca)
    connector = aiohttp.TCPConnector(ssl=context)
    session = aiohttp.ClientSession(connector=connector)
    public_pem, private_pem = generate_rsa_public_private_key()
    me = f"http://127.0.0.1:{port}/actor"
    received: asyncio.Queue = asyncio.Queue()

    async def retrieve(key_id: str):
        async with session.get(key_id, headers={"Accept": "application/activity+json"}) as response:
            data = await response.json(content_type=None)
        return CryptographicIdentifier.from_public_key(data.get("publicKey", data))

    validate = build_validate_http_signature_raw(retrieve)

    async def actor(request):
        return web.json_response(
            {
                "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
                "id": me,
                "type": "Person",
                "preferredUsername": "bovine",
                "inbox": f"http://127.0.0.1:{port}/inbox",
                "outbox": f"http://127.0.0.1:{port}/outbox",
                "publicKey": {"id": f"{me}#main-key", "owner": me, "publicKeyPem": public_pem},
            },
            content_type="application/activity+json",
        )

    async def inbox(request):
        body = await request.read()

        async def get_body():
            return body

        headers = {name.lower(): value for name, value in request.headers.items()}
        owner = await validate(request.method, str(request.url), headers, get_body)
        if owner is None:
            return web.Response(status=401)
        await received.put({"owner": owner, "activity": json.loads(body)})
        return web.Response(status=202)

    app = web.Application()
    app.router.add_get("/actor", actor)
    app.router.add_post("/inbox", inbox)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        host = base.split("//", 1)[1]
        actor_uri, _ = await lookup_uri_with_webfinger(session, f"acct:blog@{host}")
        bovine = BovineActor(actor_id=me, public_key_url=f"{me}#main-key", secret=private_pem)
        await bovine.init(session=session)
        document = await bovine.get(actor_uri)
        follow = {
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": f"http://127.0.0.1:{port}/follows/{uuid.uuid4()}",
            "type": "Follow",
            "actor": me,
            "object": actor_uri,
        }
        response = await bovine.post(document["inbox"], follow)
        accept = await asyncio.wait_for(received.get(), timeout=30)
        return {
            "actor": actor_uri,
            "preferredUsername": document.get("preferredUsername"),
            "follow_status": response.status,
            "accept_type": accept["activity"]["type"],
            "accept_object": accept["activity"]["object"]["id"],
            "follow_id": follow["id"],
            "verified_owner": accept["owner"],
        }
    finally:
        await runner.cleanup()
        await session.close()


if __name__ == "__main__":
    result = asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3])))
    print(json.dumps(result))
