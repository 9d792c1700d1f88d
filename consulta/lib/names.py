"""Identifiers that Consulta's own URLs use where a consultation's slug could stand."""

RESERVED_SLUGS = frozenset({"capture", "audit", "api-tokens"})
