"""The only settings module. Every knob is a GUANKAO_* environment variable."""

import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from guankao.core.proxies import parse_networks
from guankao.lib.env import env_bool, env_int, env_list, env_str, parse_database_url

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(env_str("GUANKAO_DATA_DIR") or Path.cwd() / "var").resolve()
DEMO = env_bool("GUANKAO_DEMO", False)
DEBUG = env_bool("GUANKAO_DEBUG", False)


def _secret_key() -> str:
    key = env_str("GUANKAO_SECRET_KEY")
    if key:
        if len(key) < 32:
            raise ImproperlyConfigured("GUANKAO_SECRET_KEY must be at least 32 characters")
        return key
    if not (DEMO or DEBUG):
        raise ImproperlyConfigured(
            "GUANKAO_SECRET_KEY is required outside demo mode (set GUANKAO_DEMO=1 for a demo)"
        )
    # Demo and development: a key generated once into the data dir, never in the repo.
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    path = DATA_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("GUANKAO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("GUANKAO_CSRF_TRUSTED_ORIGINS", [])
# The address people reach the site at: e-mails and notices link to full addresses under it.
GUANKAO_BASE_URL = (env_str("GUANKAO_BASE_URL") or "http://127.0.0.1:8000").strip().rstrip("/")
if not GUANKAO_BASE_URL.startswith(("https://", "http://")) or " " in GUANKAO_BASE_URL:
    raise ImproperlyConfigured(
        f"GUANKAO_BASE_URL={GUANKAO_BASE_URL!r}: expected an http(s) address such as "
        "https://guankao.example.gov.tw"
    )

DATABASES = {
    "default": parse_database_url(
        env_str("GUANKAO_DATABASE_URL") or f"sqlite:///{DATA_DIR / 'guankao.sqlite3'}",
        data_dir=str(DATA_DIR),
    )
}
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    DATABASES["default"]["TEST"] = {"NAME": env_str("GUANKAO_TEST_DATABASE_NAME")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "ninja",
    "js_lib_leaflet",
    "guankao.core",
    "guankao.plans",
    "guankao.tracking",
    "guankao.petitions",
    "guankao.security",
    "guankao.security.isac",
    "guankao.reports",
]

MIDDLEWARE = [
    "guankao.core.middleware.TrustedProxyMiddleware",
    "guankao.core.middleware.SecurityHeadersMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "guankao.core.middleware.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "guankao.core.middleware.RequestContextMiddleware",
    "guankao.core.middleware.RequireTwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "guankao.core.middleware.QueryTextMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "guankao.urls"
WSGI_APPLICATION = "guankao.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "guankao.core.context_processors.shell",
            ],
        },
    }
]

AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Failed sign-ins (django-axes, see guankao/core/lockout.py): lock the username+address
# pair after GUANKAO_LOGIN_FAILURE_LIMIT failures, and the whole address after
# GUANKAO_LOGIN_ADDRESS_FAILURE_LIMIT failures over any accounts, for the cool-off time.
AXES_FAILURE_LIMIT = env_int("GUANKAO_LOGIN_FAILURE_LIMIT", 5, minimum=1)
GUANKAO_LOGIN_ADDRESS_FAILURE_LIMIT = env_int("GUANKAO_LOGIN_ADDRESS_FAILURE_LIMIT", 20, minimum=1)
AXES_COOLOFF_TIME = env_int("GUANKAO_LOGIN_COOLOFF_MINUTES", 15, minimum=1) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_HANDLER = "guankao.core.lockout.LockoutHandler"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "core/locked_out.html"
AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]
AXES_VERBOSE = False

# The citizens' report pages (no sign-in), per client address (guankao.core.proxies): at
# most this many reports filed in an hour, and this many wrong case numbers or follow-up
# codes in an hour before the follow-up page refuses that address for the rest of it.
GUANKAO_REPORT_LIMIT_PER_HOUR = env_int("GUANKAO_REPORT_LIMIT_PER_HOUR", 10, minimum=1)
GUANKAO_TRACK_FAILURE_LIMIT_PER_HOUR = env_int(
    "GUANKAO_TRACK_FAILURE_LIMIT_PER_HOUR", 10, minimum=1
)

# TOTP two-factor is required of administrators and 管考 officers outside demo mode (their
# API tokens work only once it is set up).
GUANKAO_REQUIRE_2FA = env_bool("GUANKAO_REQUIRE_2FA", not DEMO)
# Personal API tokens expire this many days after they are created (at most; one may ask
# for fewer).
GUANKAO_API_TOKEN_DAYS = env_int("GUANKAO_API_TOKEN_DAYS", 90, minimum=1)
if GUANKAO_API_TOKEN_DAYS > 3660:
    raise ImproperlyConfigured("GUANKAO_API_TOKEN_DAYS must be at most 3660 (ten years)")
OTP_TOTP_ISSUER = "Guankao"

# HTTPS. Outside demo mode the site is assumed to be served over HTTPS (directly or by a
# TLS proxy): cookies are Secure unless turned off. `guankao check` runs Django's deploy
# checks and names what is still missing (HSTS, redirect), see the README.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("GUANKAO_SECURE_COOKIES", not DEMO)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_AGE = env_int("GUANKAO_SESSION_HOURS", 12, minimum=1) * 3600
SECURE_HSTS_SECONDS = env_int("GUANKAO_HSTS_SECONDS", 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("GUANKAO_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("GUANKAO_HSTS_PRELOAD", False)
SECURE_SSL_REDIRECT = env_bool("GUANKAO_SSL_REDIRECT", False)
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Deploy-check warnings accepted on purpose (e.g. security.W008 when the proxy redirects).
SILENCED_SYSTEM_CHECKS = env_list("GUANKAO_SILENCED_CHECKS", [])

# Reverse proxies: X-Forwarded-For (the client's address for the audit trail and the
# sign-in lockout) and the TLS proxy header are believed only from these addresses or
# networks (guankao.core.proxies); `guankao serve` gives gunicorn the same list.
GUANKAO_TRUSTED_PROXIES = env_list("GUANKAO_TRUSTED_PROXIES", ["127.0.0.1", "::1"])
parse_networks(GUANKAO_TRUSTED_PROXIES)  # a typo stops the start-up, not the lockout
AXES_CLIENT_IP_CALLABLE = "guankao.core.proxies.client_address"
# The header a TLS proxy sets on HTTPS requests, e.g. X-Forwarded-Proto (value `https`).
# Not needed under `guankao serve`: gunicorn reads X-Forwarded-Proto from trusted proxies.
_tls_header = (env_str("GUANKAO_TLS_PROXY_HEADER", "") or "").strip()
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_" + _tls_header.upper().replace("-", "_"), "https") if _tls_header else None
)

LANGUAGE_CODE = "zh-hant"
LANGUAGES = [("zh-hant", _("Traditional Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Taipei"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(DATA_DIR / "files")},
    },
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# Uploads (rosters, calendars, evidence): a hard cap, checked again per import.
GUANKAO_MAX_UPLOAD_BYTES = env_int("GUANKAO_MAX_UPLOAD_MB", 5, minimum=1) * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = GUANKAO_MAX_UPLOAD_BYTES
FILE_UPLOAD_MAX_MEMORY_SIZE = GUANKAO_MAX_UPLOAD_BYTES

EMAIL_BACKEND = env_str(
    "GUANKAO_EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEMO or DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env_str("GUANKAO_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("GUANKAO_EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("GUANKAO_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = env_str("GUANKAO_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("GUANKAO_EMAIL_TLS", False)
DEFAULT_FROM_EMAIL = env_str("GUANKAO_EMAIL_FROM", "guankao@localhost")

# KPI measurements: due this many working days after the period ends (a city rule, not a
# statute); reminders start this many days before. Both editable per deployment.
GUANKAO_MEASUREMENT_DUE_WORKDAYS = env_int("GUANKAO_MEASUREMENT_DUE_WORKDAYS", 10, minimum=0)
GUANKAO_MEASUREMENT_REMIND_DAYS = env_int("GUANKAO_MEASUREMENT_REMIND_DAYS", 3, minimum=0)

# A computed scorecard is reused until plans data changes, for at most this long (0: off).
GUANKAO_SCORECARD_CACHE_SECONDS = env_int("GUANKAO_SCORECARD_CACHE_SECONDS", 60, minimum=0)

# The controlled-cases map: a WMTS/XYZ tile URL ({z}/{x}/{y}) and its attribution. Default
# Taiwan's NLSC EMAP (內政部國土測繪中心 電子地圖); empty shows the list of located items only.
GUANKAO_MAP_TILES = env_str(
    "GUANKAO_MAP_TILES",
    "https://wmts.nlsc.gov.tw/wmts/EMAP/default/GoogleMapsCompatible/{z}/{y}/{x}",
).strip()
GUANKAO_MAP_ATTRIBUTION = env_str("GUANKAO_MAP_ATTRIBUTION", "© 內政部國土測繪中心").strip()
if GUANKAO_MAP_TILES and not (
    GUANKAO_MAP_TILES.startswith(("https://", "http://"))
    and all(part in GUANKAO_MAP_TILES for part in ("{z}", "{x}", "{y}"))
):
    raise ImproperlyConfigured(
        f"GUANKAO_MAP_TILES={GUANKAO_MAP_TILES!r}: expected an http(s) URL with {{z}}, {{x}} "
        f"and {{y}}, or empty"
    )

# Open311 and the citizens' report pages. The city's bounding box (west,south,east,north in
# degrees, WGS 84): a report placed outside it is refused. Default the demo city (嘉義市).
_bbox = env_list("GUANKAO_CITY_BBOX", ["120.36", "23.41", "120.53", "23.53"])
try:
    GUANKAO_CITY_BBOX = tuple(float(v) for v in _bbox)
except ValueError:
    GUANKAO_CITY_BBOX = ()
if not (
    len(GUANKAO_CITY_BBOX) == 4
    and -180 <= GUANKAO_CITY_BBOX[0] < GUANKAO_CITY_BBOX[2] <= 180
    and -90 <= GUANKAO_CITY_BBOX[1] < GUANKAO_CITY_BBOX[3] <= 90
):
    raise ImproperlyConfigured(
        f"GUANKAO_CITY_BBOX={','.join(_bbox)!r}: expected west,south,east,north in degrees, "
        "such as 120.36,23.41,120.53,23.53"
    )
# The one jurisdiction_id this Open311 endpoint answers for (clients may send it or not).
GUANKAO_OPEN311_JURISDICTION = (env_str("GUANKAO_OPEN311_JURISDICTION") or "chiayi.gov.tw").strip()
# Open311's list of requests (GET requests.json/.xml) is reused for at most this long by
# each server process (0: off): a report may show up in the public list that much later.
GUANKAO_OPEN311_CACHE_SECONDS = env_int("GUANKAO_OPEN311_CACHE_SECONDS", 30, minimum=0)
# Open311 POST requests answers with a `token` and the worker files the report as a case
# (job petitions.open311_file) instead of filing it within the request: for a city whose
# apps send more reports than the server files at once (bench/README.md, Open311).
GUANKAO_OPEN311_DEFERRED = env_bool("GUANKAO_OPEN311_DEFERRED", False)
# Past this many Open311 reports in a minute (all apps together), the rest of that minute
# are answered with a `token` and filed by the worker, as with GUANKAO_OPEN311_DEFERRED: a
# burst is taken in at once rather than queued in the server (0: always file at once).
GUANKAO_OPEN311_IMMEDIATE_PER_MINUTE = env_int(
    "GUANKAO_OPEN311_IMMEDIATE_PER_MINUTE", 600, minimum=0
)
# Fernet keys (comma-separated; the first encrypts) for secrets the ISAC must read back, e.g.
# the upstream TAXII servers' passwords (guankao/security/isac/crypto.py). Unset: a key
# derived from SECRET_KEY, so changing SECRET_KEY makes those passwords unreadable.
GUANKAO_SECRETS_KEY = env_list("GUANKAO_SECRETS_KEY", [])
# Who app developers write to (the discovery document's contact).
GUANKAO_OPEN311_CONTACT = (
    env_str("GUANKAO_OPEN311_CONTACT") or "1999 市民服務中心 <open311@localhost>"
).strip()
# Smart dispatch (petitions/dispatch.py): below this many closed cases the suggestions come
# from the categories' keywords; training reads at most the latest MAX_CASES; the nightly
# retraining starts at TRAIN_HOUR (local time). A possible duplicate is an open case of the
# same category within DUPLICATE_METRES and DUPLICATE_DAYS (or with a very similar text).
GUANKAO_DISPATCH_MIN_CASES = env_int("GUANKAO_DISPATCH_MIN_CASES", 200, minimum=20)
GUANKAO_DISPATCH_MAX_CASES = env_int("GUANKAO_DISPATCH_MAX_CASES", 300_000, minimum=100)
GUANKAO_DISPATCH_TRAIN_HOUR = env_int("GUANKAO_DISPATCH_TRAIN_HOUR", 2, minimum=0)
GUANKAO_DUPLICATE_METRES = env_int("GUANKAO_DUPLICATE_METRES", 200, minimum=1)
GUANKAO_DUPLICATE_DAYS = env_int("GUANKAO_DUPLICATE_DAYS", 14, minimum=1)

NINJA_PAGINATION_PER_PAGE = 50
NINJA_PAGINATION_MAX_LIMIT = 500

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("GUANKAO_LOG_LEVEL", "WARNING")},
}
