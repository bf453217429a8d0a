"""GeoJSON of located items, for the map page and the public feed: no personal data
(no staff names, no report texts), only what a public works notice board shows."""

from guankao.tracking.models import Item

FEATURE_FIELDS = (
    "pk",
    "number",
    "title",
    "kind",
    "status",
    "lag",
    "risk",
    "latitude",
    "longitude",
    "last_planned",
    "last_actual",
    "budget_total",
    "contractor",
    "site_address",
    "lead__name",
    "finish_date",
)


def _number(value):
    return None if value is None else float(value)


def feature(row: dict) -> dict:
    kinds, lags = dict(Item._meta.get_field("kind").choices), dict(Item.Lag.choices)
    return {
        "type": "Feature",
        "id": row["pk"],
        "geometry": {
            "type": "Point",
            # GeoJSON is longitude first (RFC 7946 §3.1.1).
            "coordinates": [float(row["longitude"]), float(row["latitude"])],
        },
        "properties": {
            "number": row["number"],
            "title": row["title"],
            "kind": row["kind"],
            "kind_label": str(kinds.get(row["kind"], row["kind"])),
            "status": row["status"],
            "lag": row["lag"],
            "lag_label": str(lags.get(row["lag"], row["lag"])),
            "risk": row["risk"],
            "planned": _number(row["last_planned"]),
            "actual": _number(row["last_actual"]),
            "budget_total": row["budget_total"],
            "contractor": row["contractor"],
            "site_address": row["site_address"],
            "lead": row["lead__name"],
            "finish_date": row["finish_date"].isoformat() if row["finish_date"] else None,
            "url": f"/tracking/items/{row['pk']}/",
        },
    }


def feature_collection(items) -> dict:
    """`items`: an Item queryset (already scoped and filtered); one query."""
    rows = items.filter(latitude__isnull=False, longitude__isnull=False).order_by("number")
    return {
        "type": "FeatureCollection",
        "features": [feature(r) for r in rows.values(*FEATURE_FIELDS)],
    }
