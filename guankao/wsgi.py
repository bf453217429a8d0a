import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "guankao.settings")
application = get_wsgi_application()

# Everything loaded so far lives as long as the worker: keep the garbage collector from
# walking it on every collection (the scorecard builds thousands of objects a request).
gc.collect()
gc.freeze()
