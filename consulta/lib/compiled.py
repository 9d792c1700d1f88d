"""Querysets compiled to SQL once and run again with new values, for the few hottest reads.

Turning a queryset into SQL costs Django more than the database takes to answer it: on a
2-core machine, 1.5 ms of CPU to compile the personal link's registration with its session,
consultation and respondent, against 0.4 ms to send that SQL and read the row. A path that runs
hundreds of times a second (saving an answer) cannot afford it. A `CompiledQuery` builds its
queryset once per database connection with sample values, keeps the SQL and where each sample
landed among the parameters, and afterwards only puts the real values in their place. Rows come
back through the converters Django itself would apply (dates on SQLite, JSON), so they hold the
same values as the queryset's own.

Only `values_list()` querysets, and only samples whose database form is themselves (int, str):
each sample must be a value no constant of the query could equal, and appear among the
parameters (checked when compiling).
"""

import weakref
from collections.abc import Callable
from functools import cache

from django.db import connections
from django.db.models import Model, QuerySet

_CONVERTIBLE = (int, str)


class CompiledQuery:
    def __init__(self, build: Callable[..., QuerySet], **samples):
        for name, sample in samples.items():
            if type(sample) not in _CONVERTIBLE:
                raise TypeError(f"sample {name}={sample!r}: only int and str samples")
        self.build = build
        self.samples = samples
        # Each connection (one per thread) compiles for itself: converters are bound to it.
        self._by_connection = weakref.WeakKeyDictionary()

    def _compile(self, connection):
        queryset = self.build(**self.samples)
        compiler = queryset.query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        slots = []
        for value in params:
            names = [
                name
                for name, sample in self.samples.items()
                if type(value) is type(sample) and value == sample
            ]
            slots.append((True, names[0]) if names else (False, value))
        unused = set(self.samples) - {value for named, value in slots if named}
        if unused:
            raise ValueError(f"samples {sorted(unused)} are not parameters of the query")
        fields = [column for column, _sql, _alias in compiler.select[: compiler.col_count]]
        converters = compiler.get_converters(fields)
        compiled = (sql, slots, compiler, converters)
        self._by_connection[connection] = compiled
        return compiled

    def rows(self, using: str = "default", **values) -> list[tuple]:
        connection = connections[using]
        compiled = self._by_connection.get(connection) or self._compile(connection)
        sql, slots, compiler, converters = compiled
        params = [values[value] if named else value for named, value in slots]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        if converters:
            rows = [tuple(row) for row in compiler.apply_converters(rows, converters)]
        return rows


@cache
def _attnames(model: type[Model]) -> tuple[list[str], int]:
    fields = model._meta.concrete_fields
    return [field.attname for field in fields], fields.index(model._meta.pk)


def columns(model: type[Model], path: str = "") -> list[str]:
    """A model's columns for `values_list()`, through `path` (e.g. "session__")."""
    return [path + name for name in _attnames(model)[0]]


def instance(model: type[Model], values, using: str = "default") -> Model | None:
    """The model loaded from `values` (all its columns, in `columns` order); None when the
    primary key is null (a left join that found nothing)."""
    names, pk_at = _attnames(model)
    if values[pk_at] is None:
        return None
    return model.from_db(using, names, values)
