"""RSA keys for development and tests (production takes its key from the environment)."""

import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa


def generate_private_key_pem(bits: int = 2048) -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def read_or_create_private_key_pem(path: Path) -> str:
    """Keep one key per checkout so tokens survive a restart of the dev server.

    Parallel test processes start at the same moment: the key is written aside and linked into
    place, which fails for all but the first, so every process ends up reading the same key.
    """
    if path.exists():
        return path.read_text()
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = path.with_name(f".{path.name}.{os.getpid()}")
    staging.write_text(generate_private_key_pem())
    staging.chmod(0o600)
    try:
        os.link(staging, path)
    except FileExistsError:
        pass
    finally:
        staging.unlink()
    return path.read_text()
