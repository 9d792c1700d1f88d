"""Querysets compiled to SQL once and run again with new values, for the hottest path.

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
parameters (checked when compiling). `CompiledUpdate` and `CompiledInsert` do the same for the
two writes of saving an answer. Saving an answer through the API took 9 ms of CPU before they
were used, 3.4 ms after (same 2-core machine, in process, without the HTTP server).
"""

import inspect
import re
import weakref
from collections.abc import Callable
from functools import cache, lru_cache

from django.db import connections
from django.db.models import Model, QuerySet
from django.db.models.base import ModelState
from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
from django.db.models.query_utils import DeferredAttribute
from django.db.models.signals import post_init, pre_init
from django.db.models.sql import InsertQuery, UpdateQuery

_CONVERTIBLE = (int, str)


def execute_prepared(connection, sql: str, params):
    """Django's cursor (connected, health-checked, errors wrapped, queries logged) with `sql`
    run on it (Django's `%s` or `%(name)s` placeholders); closed again if that fails.

    On PostgreSQL with prepared statements on (settings: DATABASE_PREPARED_STATEMENTS) the
    statement runs on the connection's kept cursor (consulta.serving.postgresql), which binds
    its parameters on the server: the same SQL is then parsed and planned once per
    connection, which for the personal link's four-table read cuts the database's work by two
    thirds. The SQL goes with PostgreSQL's own `$1, $2…` placeholders, numbered once per
    statement: psycopg would otherwise find Django's placeholders again on every execute in SQL
    longer than 4 kB (the personal link's read is 6 kB), which cost a tenth of that read's CPU."""
    prepared = getattr(connection, "prepared_cursor", None)
    cursor = prepared(sql) if prepared else None
    if cursor is None:
        cursor = connection.cursor()
    else:
        sql, names = numbered(sql)
        if names:
            params = [params[name] for name in names]
    try:
        cursor.execute(sql, params)
    except BaseException:
        cursor.close()
        raise
    return cursor


_PLACEHOLDER = re.compile(r"%(?:\((\w+)\))?s|%%")


@lru_cache(maxsize=64)
def numbered(sql: str) -> tuple[str, tuple[str, ...]]:
    """`sql` with PostgreSQL's `$n` placeholders for Django's, and the parameter names in
    order (none for `%s`): a name used twice is one parameter, as psycopg makes it."""
    names: list[str] = []
    count = 0

    def number(match: re.Match) -> str:
        nonlocal count
        name = match.group(1)
        if match.group() == "%%":
            return "%"
        if name is None:
            count += 1
            return f"${count}"
        if name not in names:
            names.append(name)
        return f"${names.index(name) + 1}"

    converted = _PLACEHOLDER.sub(number, sql)
    if count and names:
        raise ValueError("SQL mixes %s and %(name)s placeholders")
    return converted, tuple(names)


class CompiledQuery:
    """A `values_list()` queryset built by `build(**samples)`; `rows(**values)` runs it."""

    def __init__(self, build: Callable[..., QuerySet], **samples):
        for name, sample in samples.items():
            if type(sample) not in _CONVERTIBLE:
                raise TypeError(f"sample {name}={sample!r}: only int and str samples")
        self.build = build
        self.samples = samples
        # Each connection (one per thread) compiles for itself: converters are bound to it.
        self._by_connection = weakref.WeakKeyDictionary()

    def _compiler(self, queryset: QuerySet, connection):
        return queryset.query.get_compiler(connection=connection)

    def _compile(self, connection):
        compiler = self._compiler(self.build(**self.samples), connection)
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
        converters = self._converters(compiler)
        compiled = (sql, slots, compiler, converters)
        self._by_connection[connection] = compiled
        return compiled

    def _converters(self, compiler) -> dict:
        fields = [column for column, _sql, _alias in compiler.select[: compiler.col_count]]
        return compiler.get_converters(fields)

    def _run(self, using: str, values: dict):
        connection = connections[using]
        compiled = self._by_connection.get(connection) or self._compile(connection)
        sql, slots, compiler, converters = compiled
        params = [values[value] if named else value for named, value in slots]
        return execute_prepared(connection, sql, params), compiler, converters

    def rows(self, using: str = "default", **values) -> list[tuple]:
        cursor, compiler, converters = self._run(using, values)
        with cursor:
            rows = cursor.fetchall()
        if converters:
            rows = [tuple(row) for row in compiler.apply_converters(rows, converters)]
        return rows


class CompiledUpdate(CompiledQuery):
    """`queryset.update(**changes)`, compiled once: `execute()` gives the number of rows changed.

    The changes are constants; the samples, as for `CompiledQuery`, pick the rows."""

    def __init__(self, build: Callable[..., QuerySet], changes: dict, **samples):
        super().__init__(build, **samples)
        self.changes = changes

    def _compiler(self, queryset: QuerySet, connection):
        query = queryset.query.chain(UpdateQuery)
        query.add_update_values(self.changes)
        return query.get_compiler(connection=connection)

    def _converters(self, compiler) -> dict:
        return {}

    def execute(self, using: str = "default", **values) -> int:
        cursor, _compiler, _converters = self._run(using, values)
        with cursor:
            return cursor.rowcount


class CompiledInsert:
    """Inserting one object of a model, the SQL compiled once per connection.

    `insert(obj)` stores what `obj.save()` would on a new object (defaults, `auto_now_add`) and
    sets its primary key, without the save signals: only for models nothing listens to.
    """

    def __init__(self, model: type[Model]):
        self.model = model
        opts = model._meta
        self.fields = [field for field in opts.concrete_fields if field is not opts.auto_field]
        if any(field.has_db_default() for field in self.fields):
            # Its value is DEFAULT in the SQL (or a marker object on SQLite), not a parameter.
            raise ValueError(f"{model.__name__} rows are not inserted with plain values")
        self._by_connection = weakref.WeakKeyDictionary()

    def _values(self, obj: Model, connection) -> list:
        return [
            field.get_db_prep_save(field.pre_save(obj, True), connection) for field in self.fields
        ]

    def _compile(self, obj: Model, connection) -> tuple[str, list]:
        """The SQL, and the values Django itself gives `obj` this first time."""
        query = InsertQuery(self.model)
        query.insert_values(self.fields, [obj])
        compiler = query.get_compiler(connection=connection)
        if connection.features.can_return_columns_from_insert:
            compiler.returning_fields = [self.model._meta.pk]
        ((sql, params),) = compiler.as_sql()
        self._by_connection[connection] = sql
        return sql, list(params)

    def insert(self, obj: Model, using: str = "default") -> Model:
        connection = connections[using]
        sql = self._by_connection.get(connection)
        if sql is None:
            sql, values = self._compile(obj, connection)
        else:
            values = self._values(obj, connection)
        with execute_prepared(connection, sql, values) as cursor:
            if connection.features.can_return_columns_from_insert:
                obj.pk = cursor.fetchone()[0]
            else:
                obj.pk = connection.ops.last_insert_id(
                    cursor, self.model._meta.db_table, self.model._meta.pk.column
                )
        obj._state.adding, obj._state.db = False, using
        return obj


@cache
def _attnames(model: type[Model]) -> tuple[list[str], int]:
    fields = model._meta.concrete_fields
    return [field.attname for field in fields], fields.index(model._meta.pk)


def columns(model: type[Model], path: str = "") -> list[str]:
    """A model's columns for `values_list()`, through `path` (e.g. "session__")."""
    return [path + name for name in _attnames(model)[0]]


def instance(model: type[Model], values, using: str = "default") -> Model | None:
    """The model loaded from `values` (all its columns, in `columns` order); None when the
    primary key is null (a left join that found nothing).

    What `model.from_db` gives, built without `Model.__init__` where that changes nothing:
    its field-by-field loop cost a twentieth of saving an answer (six instances, 90 columns).
    Models with their own `__init__` or `from_db`, with pre_init or post_init receivers, or
    with a column behind a descriptor of their own go through `from_db`."""
    names, pk_at = _attnames(model)
    if values[pk_at] is None:
        return None
    if not _loads_plainly(model) or pre_init.has_listeners(model) or post_init.has_listeners(model):
        return model.from_db(using, names, values)
    loaded = model.__new__(model)
    state = loaded._state = ModelState()
    state.adding, state.db = False, using
    loaded.__dict__.update(zip(names, values, strict=True))
    return loaded


@cache
def _loads_plainly(model: type[Model]) -> bool:
    """Whether `Model.__init__` would only store each column's value in the instance's dict:
    Django's own `__init__` and `from_db`, and for every column no descriptor, Django's
    deferred-loading one (read-only) or a foreign key's (whose setter, on a new instance,
    only stores the value)."""
    if model.__init__ is not Model.__init__ or model.from_db.__func__ is not Model.from_db.__func__:
        return False
    plain = (type(None), DeferredAttribute, ForeignKeyDeferredAttribute)
    return all(
        type(inspect.getattr_static(model, name, None)) in plain for name in _attnames(model)[0]
    )


def instances(row, *models: type[Model], using: str = "default") -> list[Model | None]:
    """One `instance` per model, from a row of their `columns` side by side."""
    loaded = []
    for model in models:
        width = len(_attnames(model)[0])
        loaded.append(instance(model, row[:width], using))
        row = row[width:]
    return loaded
