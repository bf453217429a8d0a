"""medallion (memory backend) on 127.0.0.1:PORT with a data file, for bench/isac.py."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def main() -> None:
    import medallion
    from werkzeug.serving import make_server

    from tests.interop import medallion_server

    port, data_file, page = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    app = medallion.application_instance
    config = {
        "users": {medallion_server.USER: medallion_server.PASSWORD},
        "taxii": {"max_page_size": page},
        "backend": {
            "module": "medallion.backends.memory_backend",
            "module_class": "MemoryBackend",
            "filename": data_file,
            "session_timeout": 600,
        },
    }
    for part in ("users", "taxii", "backend"):
        medallion.set_config(app, part, config)
    medallion.register_blueprints(app)
    server = make_server("127.0.0.1", port, app, threaded=True)  # listening from here
    print("ready", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
