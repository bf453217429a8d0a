"""Errors raised by services; views and the API turn them into 4xx answers."""

from dataclasses import dataclass


@dataclass
class FieldProblem:
    field: str
    message: str
    row: int | None = None

    def as_dict(self) -> dict:
        data = {"field": self.field, "message": str(self.message)}
        if self.row is not None:
            data["row"] = self.row
        return data

    def __str__(self) -> str:
        where = f"row {self.row}, " if self.row is not None else ""
        return f"{where}{self.field}: {self.message}"


class ServiceError(Exception):
    """Bad input: nothing was changed. Carries one or more field problems."""

    status = 400

    def __init__(self, *problems: FieldProblem):
        self.problems = list(problems)
        super().__init__("; ".join(str(p) for p in self.problems))

    @classmethod
    def field(cls, field: str, message, row: int | None = None) -> "ServiceError":
        return cls(FieldProblem(field, message, row))


class NotAllowed(Exception):
    """The actor may not do this. Reads out of scope raise NotFound instead."""

    status = 403


class NotFound(Exception):
    status = 404
