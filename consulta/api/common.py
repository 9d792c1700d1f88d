"""Small pieces the routers share: the documented error responses, paging, languages."""

from collections.abc import Callable, Iterable

from ninja import Field, Path, Schema

from consulta.api.errors import ErrorOut

# Every operation may answer 503 when the database is unreachable.
ALWAYS = (503,)
MAX_PAGE = 1_000_000

# Examples from the demo, so that generated requests (and readers of the docs) reach real data.
Slug = Path[str, {"examples": ["missing-migrants-2024"]}]
SessionKey = Path[str, {"examples": ["africa"]}]
RecommendationCode = Path[str, {"examples": ["MM-1"]}]


def responses(ok, *errors: int, status: int = 200) -> dict:
    """The operation's documented responses: `ok` on success, the error shape otherwise."""
    return {status: ok, frozenset((*errors, *ALWAYS)): ErrorOut}


class PageIn(Schema):
    page: int = Field(1, ge=1, le=MAX_PAGE, description="1 for the first page.")
    page_size: int = Field(50, ge=1, le=200)


def page_of(items, paging: PageIn, to_out: Callable) -> dict:
    """{"items": [...], "count": total, "page": n, "pages": m} for a queryset or a list."""
    count = len(items) if isinstance(items, list) else items.count()
    start = (paging.page - 1) * paging.page_size
    chunk: Iterable = items[start : start + paging.page_size]
    return {
        "items": [to_out(item) for item in chunk],
        "count": count,
        "page": paging.page,
        "pages": max(1, -(-count // paging.page_size)),
    }


def page_schema(item_schema, name: str):
    """A page of `item_schema` as its own named schema in the OpenAPI description."""
    return type(
        name,
        (Schema,),
        {
            "__annotations__": {
                "items": list[item_schema],
                "count": int,
                "page": int,
                "pages": int,
            }
        },
    )
