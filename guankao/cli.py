"""`guankao` console script: thin wrappers over management commands.

guankao demo      migrate, load the demo city, serve on http://127.0.0.1:8000
guankao serve     serve with gunicorn (static files by the app)
guankao check     settings, migrations, secret key, debug flag
guankao backup F  the database and uploaded files to one file (mode 0600)
guankao restore F that file into an empty database (either engine)
guankao <any other management command>
"""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "guankao.settings")
    from django.core.management import execute_from_command_line

    args = sys.argv[1:]
    if not args or args[0] in ("-h", "--help", "help"):
        print(__doc__)
        return
    command = {"check": "guankao_check"}.get(args[0], args[0])
    execute_from_command_line(["guankao", command, *args[1:]])
