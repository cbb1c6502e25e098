"""A worked row's outcome written under its lease: its new log rows and the UPDATE fenced by the lease,
committed together.

A batch records each row before its handler touches the world for the next, so this write is paid once
per POST of a fan-out. As a transaction through the ORM it cost four round trips (BEGIN, the INSERT, the
UPDATE, COMMIT) and more CPU in Django's query building than the round trips themselves. On PostgreSQL
it is one statement instead, the INSERTs as data-modifying CTEs of the UPDATE, which PostgreSQL applies
all or nothing like any single statement; its SQL is written once per shape (which columns, how many log
rows) and only the values change. Other databases (SQLite in development and tests) take the ORM's
transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import nullcontext
from functools import lru_cache

from django.db import connections, router, transaction
from django.db.models import AutoField, Model


def outcome_write(model: type[Model], pk, fence: dict, changes: dict, log: Sequence[Model]) -> int:
    """Insert `log` (unsaved rows, of any models) and apply `changes` to row `pk` of `model` if its
    columns still hold the values in `fence` (its state, its lease); how many rows were updated (0 or 1).
    The log rows are written even when the row was not updated (its lease lost): they tell of work that
    was done, whoever records its result."""
    using = router.db_for_write(model)
    connection = connections[using]
    expressions = any(hasattr(value, "resolve_expression") for value in [*changes.values(), *fence.values()])
    if connection.vendor != "postgresql" or expressions or None in fence.values():
        with transaction.atomic(using=using):
            for log_model in dict.fromkeys(type(entry) for entry in log):
                log_model._default_manager.db_manager(using).bulk_create(
                    [entry for entry in log if type(entry) is log_model]
                )
            return model._default_manager.db_manager(using).filter(pk=pk, **fence).update(**changes)
    statements, params = [], []
    for log_model in dict.fromkeys(type(entry) for entry in log):
        entries = [entry for entry in log if type(entry) is log_model]
        fields = _insert_fields(log_model)
        statements.append(f"logged{len(statements)} AS ({_insert_sql(log_model, len(entries))})")
        for entry in entries:
            if entry.pk is not None:
                raise ValueError(f"{log_model._meta.label}: only new rows are logged, {entry.pk} is not new")
            entry._prepare_related_fields_for_save(operation_name="bulk_create")
            params.extend(field.get_db_prep_save(field.pre_save(entry, True), connection) for field in fields)
    opts = model._meta
    sql = _update_sql(model, tuple(changes), tuple(fence))
    params.extend(opts.get_field(name).get_db_prep_save(value, connection) for name, value in changes.items())
    params.append(opts.pk.get_db_prep_save(pk, connection))
    params.extend(opts.get_field(name).get_db_prep_save(value, connection) for name, value in fence.items())
    if statements:
        sql = f"WITH {', '.join(statements)} {sql}"
    # In autocommit the statement commits itself. Inside a caller's transaction it gets a savepoint, as
    # the ORM's path would: a refused write then leaves that transaction usable.
    savepoint = transaction.atomic(using=using) if connection.in_atomic_block else nullcontext()
    with savepoint, connection.cursor() as cursor:
        cursor.execute(sql, params)
        updated = cursor.rowcount
    for entry in log:
        entry._state.adding, entry._state.db = False, using
    return updated


@lru_cache(maxsize=64)
def _insert_fields(model: type[Model]) -> list:
    # As bulk_create chooses them for rows without keys: the database numbers them.
    return [
        field
        for field in model._meta.concrete_fields
        if not field.generated and not isinstance(field, AutoField)
    ]


def _quote(name: str) -> str:  # PostgreSQL's quoting, as its backend's quote_name writes it
    return name if name.startswith('"') and name.endswith('"') else f'"{name}"'


@lru_cache(maxsize=256)
def _insert_sql(model: type[Model], rows: int) -> str:
    fields = _insert_fields(model)
    row = f"({', '.join(['%s'] * len(fields))})"
    columns = ", ".join(_quote(field.column) for field in fields)
    # Names from the model's metadata, never from data; every value is a parameter.
    return f"INSERT INTO {_quote(model._meta.db_table)} ({columns}) VALUES {', '.join([row] * rows)}"  # noqa: S608


@lru_cache(maxsize=256)
def _update_sql(model: type[Model], changed: tuple[str, ...], fenced: tuple[str, ...]) -> str:
    opts = model._meta
    assignments = ", ".join(f"{_quote(opts.get_field(name).column)} = %s" for name in changed)
    columns = [opts.pk.column, *(opts.get_field(name).column for name in fenced)]
    conditions = " AND ".join(f"{_quote(column)} = %s" for column in columns)
    return f"UPDATE {_quote(opts.db_table)} SET {assignments} WHERE {conditions}"  # noqa: S608
