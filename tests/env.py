"""Loaded by pytest before Django (`-p tests.env`): test-only settings from the environment."""

import os

os.environ.setdefault("GUANKAO_SECRET_KEY", "test-only-secret-key-never-used-in-production")
os.environ.setdefault("GUANKAO_DATA_DIR", os.path.join(os.getcwd(), "var", "test"))
# The e2e tests drive a live server from Playwright's event loop thread.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
# No test reaches past 127.0.0.1: map tiles come from a closed local port (tiles fail, the
# page must say so and keep its list).
os.environ.setdefault("GUANKAO_MAP_TILES", "http://127.0.0.1:9/tiles/{z}/{x}/{y}.png")
