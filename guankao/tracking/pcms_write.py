"""Writing a checked PCMS file's plan through the services (tracking/imports.py).

Runs inside the import's one write transaction and does nothing but write: the file was
read and checked, and every row's outcome worked out, before it began. A service may
still refuse a row (someone changed the item in between): that is a problem of the row,
and the caller rolls the whole import back.
"""

from guankao.core.errors import NotAllowed, ServiceError
from guankao.tracking import reporting, services
from guankao.tracking.models import Item, Kind
from guankao.tracking.pcms_check import Reader
from guankao.tracking.pcms_plan import Step


def write(actor, reader: Reader, steps: list[Step], now) -> None:
    items: dict[str, Item] = {}
    for step in steps:
        row = step.row
        item = items.get(row.tender) or row.item
        if item is None and not step.create:
            continue  # the row that was to create it was refused
        try:
            if step.create:
                item = services.item_create(
                    actor=actor,
                    kind=Kind.WORKS,
                    number=row.tender,
                    lead=row.lead,
                    tender_number=row.tender,
                    level=step.level,
                    **row.item_data,
                )
            elif step.changes:
                item = services.item_update(actor=actor, item=item, **step.changes)
            items[row.tender] = item
            if step.file_report:
                data = {k: v for k, v in row.report.items() if v is not None}
                year, month = row.period
                reporting.report_file(
                    imported=True, actor=actor, item=item, year=year, month=month, now=now, **data
                )
        except (ServiceError, NotAllowed) as exc:
            reader.fail(row, exc)
