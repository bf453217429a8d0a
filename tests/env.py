"""Loaded by pytest before Django (`-p tests.env`): test-only settings from the environment."""

import os

os.environ.setdefault("GUANKAO_SECRET_KEY", "test-only-secret-key-never-used-in-production")
os.environ.setdefault("GUANKAO_DATA_DIR", os.path.join(os.getcwd(), "var", "test"))
# The e2e tests drive a live server from Playwright's event loop thread.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
