"""Test settings: fast hashing, in-memory email, a throwaway OIDC key."""

import os
import sys
import uuid
from pathlib import Path

from .base import *
from .base import CACHES, DATABASES, OAUTH2_PROVIDER, STATIC_ROOT, VAR_DIR, env

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = str(VAR_DIR / "test-media")

if not OAUTH2_PROVIDER["OIDC_RSA_PRIVATE_KEY"]:
    from accounts.keys import read_or_create_private_key_pem

    OAUTH2_PROVIDER["OIDC_RSA_PRIVATE_KEY"] = read_or_create_private_key_pem(VAR_DIR / "oidc-test.pem")
DEMO_SEED_ALLOWED = True

Path(STATIC_ROOT).mkdir(parents=True, exist_ok=True)  # whitenoise warns about a missing root

# A file-backed SQLite test database lets `pytest --reuse-db` skip the ~90 s of migrations locally.
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["TEST"] = {
        "NAME": str(VAR_DIR / f"test-{env('TEST_DB_TAG', default='main')}.sqlite3")
    }

XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")

# With REDIS_URL, parallel test processes share one Redis database while each has its own test
# database whose ids restart at 1: a per-run, per-worker key prefix keeps their caches apart.
# Worker and server processes a test starts inherit the environment, hence the same prefix.
os.environ.setdefault("COOP_TEST_RUN", uuid.uuid4().hex[:8])
if "KEY_PREFIX" in CACHES["default"]:
    CACHES["default"]["KEY_PREFIX"] = f"test-{os.environ['COOP_TEST_RUN']}-{XDIST_WORKER or 'main'}"
    CACHES["default"]["BACKEND"] = "tests.cache.PrefixScopedRedisCache"

# Fake remote servers in tests and local peers in development listen on loopback; nothing else private.
EDGE_ALLOWED_NETWORKS = ["127.0.0.0/8", "::1/128"]

# Tests run tasks eagerly even when REDIS_URL is set (CI): each test sees its own tasks' effects.
# Tests that need a real worker point Celery at the broker themselves and start `celery … worker`
# processes, which load these settings too and must stay real workers.
if "celery" not in Path(sys.argv[0]).parts[-2:] and "celery" not in Path(sys.argv[0]).name:
    CELERY_TASK_ALWAYS_EAGER = True
    SOCIAL_FLOW_RUNNER = env("SOCIAL_FLOW_RUNNER", default="social.engine.InProcessRunner")

# The anonymous page cache outlives each test's database; the tests that need it switch it on.
CMS_PAGE_CACHE_SECONDS = 0
