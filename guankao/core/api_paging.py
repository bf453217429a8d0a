"""Paging for list endpoints: a queryset mapped to output one page at a time."""


class Mapped:
    """A queryset the paginator can count and slice, mapped to output one page at a time."""

    def __init__(self, rows, to_out):
        self.rows, self.to_out = rows, to_out

    def count(self):
        return self.rows.count()

    def __len__(self):
        return self.count()

    def __getitem__(self, item):
        return [self.to_out(row) for row in self.rows[item]]
