"""The interop tests reuse the petitions fixtures (the category tree and its departments)."""

from tests.petitions.conftest import categories  # noqa: F401 - a fixture
from tests.security.conftest import agencies, sec_people  # noqa: F401, E402 - fixtures
from tests.security.isac.conftest import isac  # noqa: F401, E402 - a fixture
