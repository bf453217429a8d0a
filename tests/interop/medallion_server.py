"""medallion, the OASIS reference TAXII 2.1 server, on 127.0.0.1 with its memory backend:
the upstream our poller pulls from in tests/interop, and the server the bench compares."""

import json
import tempfile
import threading

from werkzeug.serving import make_server

API_ROOT = "upstream"
COLLECTION = "91a7b528-80eb-42ed-a74d-c6fbd5a26116"
USER, PASSWORD = "isac", "upstream-secret"


def data(objects=(), page_size=100) -> dict:
    return {
        "/discovery": {
            "title": "medallion upstream",
            "default": f"/{API_ROOT}/",
            "api_roots": [f"/{API_ROOT}/"],
        },
        API_ROOT: {
            "information": {
                "title": "upstream",
                "versions": ["application/taxii+json;version=2.1"],
                "max_content_length": 100_000_000,
            },
            "status": [],
            "collections": [
                {
                    "id": COLLECTION,
                    "title": "N-ISAC indicators",
                    "can_read": True,
                    "can_write": True,
                    "media_types": ["application/stix+json;version=2.1"],
                    "objects": [],
                    "manifest": [],
                }
            ],
        },
    }


class Medallion:
    """Start with `with Medallion() as m:`; `m.collection_url` is the collection's address."""

    def __init__(self, page_size: int = 100):
        import medallion

        self.medallion = medallion
        self.page_size = page_size

    def __enter__(self):
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            json.dump(data(), f)
        app = self.medallion.application_instance
        config = {
            "users": {USER: PASSWORD},
            "taxii": {"max_page_size": self.page_size},
            "backend": {
                "module": "medallion.backends.memory_backend",
                "module_class": "MemoryBackend",
                "filename": f.name,
            },
        }
        for part in ("users", "taxii", "backend"):
            self.medallion.set_config(app, part, config)
        if "objects" not in app.blueprints:
            self.medallion.register_blueprints(app)
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.collection_url = f"{self.url}/{API_ROOT}/collections/{COLLECTION}/"
        self.backend = app.medallion_backend
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.thread.join(5)
