"""The interop tests reuse the petitions fixtures (the category tree and its departments)."""

from tests.petitions.conftest import categories  # noqa: F401 - a fixture
