"""RSA key pairs for our actors: generated once (2048 bits), stored as PEM, parsed once per process."""

from functools import lru_cache

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes


def key_pair_generate() -> tuple[str, str]:
    """A new (private PEM, public PEM) pair."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public_pem = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private_pem, public_pem


@lru_cache(maxsize=256)
def private_key_load(pem: str) -> rsa.RSAPrivateKey:
    # Parsing a PEM costs more than signing with it; a fan-out signs a thousand times with one key.
    key = serialization.load_pem_private_key(pem.encode(), password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError("only RSA actor keys are supported")
    return key


@lru_cache(maxsize=4096)
def public_key_load(pem: str) -> PublicKeyTypes:
    return serialization.load_pem_public_key(pem.encode())
