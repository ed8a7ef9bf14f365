"""Which sequences know their count without being enumerated (`TryGetNonEnumeratedCount`, .NET 6).

.NET answers for an `ICollection<T>` or non-generic `ICollection` (arrays, List, HashSet,
Dictionary, Queue, Stack, ...) and for those of LINQ's own iterators that can tell cheaply:
`Range`, `Repeat`, `Empty`; `Select`, `Skip` and `Take` over a list or such a "partition" (those
three, `OrderBy`); `OrderBy`, `Reverse`, `DefaultIfEmpty` and `Concat` over sources that know;
`Append`/`Prepend` over an `ICollection<T>` or an iterator that knows. A filtering or indexed
query (`Where`, `Distinct`, `Select((x, i) => ...)`) does not know. A `SizedSeq` is a deferred
result that knows; `OrderedSeq`, `Lookup` and `Grouping` say so through their `cheap_size`.

Json.NET's and LINQ to XML's collections are not recognised (they answer false here, where .NET
answers true for a `JArray`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from .arrays import CsArray
from .collections import LinqSeq, ReadOnlyDictionary, iterate
from .generic import CsList, collection_count
from .readonly import CsReadOnlyCollection
from .sets import CsQueue, CsStack
from .types import CsTypeRef


class SizedSeq(LinqSeq):
    """A deferred LINQ result whose count `size` gives without enumerating. `partition`: one of
    .NET's `IPartition` iterators (`Range`, `Select` over a list, `Skip`/`Take`), which `Skip`
    and `Take` cut into further sized ones."""

    __slots__ = ("_size", "partition")

    def __init__(
        self,
        source: Callable[[], Iterable[object]],
        size: Callable[[], int | None],
        element: CsTypeRef | None = None,
        *,
        partition: bool = False,
    ) -> None:
        super().__init__(source, element)
        self._size = size
        self.partition = partition

    def cheap_size(self) -> int | None:
        return self._size()


def cheap_count(source: object) -> int | None:
    """The count .NET's `TryGetNonEnumeratedCount` reports, or None when it reports false."""
    size = getattr(source, "cheap_size", None)
    if size is not None:
        return size()  # type: ignore[no-any-return]
    if isinstance(source, LinqSeq) or type(source) is str:
        return None
    if collection_count(source) is not None or isinstance(
        source, (CsQueue, CsStack, ReadOnlyDictionary)
    ):
        return len(source)  # type: ignore[arg-type]
    return None


def provider_count(source: object) -> int | None:
    """The count LINQ's own iterators (an `IIListProvider`) or an `ICollection<T>` know, which
    is what `Append`/`Prepend` ask (a Queue, only a non-generic ICollection, does not count)."""
    if hasattr(source, "cheap_size") or collection_count(source) is not None:
        return cheap_count(source)
    return None


def is_list(source: object) -> bool:
    """An `IList<T>`, which `Skip`/`Take`/`Select` index into."""
    return isinstance(source, (CsArray, CsList, CsReadOnlyCollection)) or bool(
        getattr(type(source), "ILIST", False)
    )


def is_partition(source: object) -> bool:
    """A list or one of LINQ's partitions: `Select`, `Skip` and `Take` over it know their
    count."""
    return is_list(source) or bool(getattr(source, "partition", False))


def sized(
    source: object,
    run: Callable[[], Iterable[object]],
    size: Callable[[int], int],
    element: CsTypeRef | None = None,
    *,
    partition: bool = False,
) -> SizedSeq:
    """A deferred result over `source` whose count is `size` of the source's."""

    def count() -> int | None:
        known = cheap_count(source)
        return None if known is None else size(known)

    return SizedSeq(run, count, element, partition=partition)


def try_get_non_enumerated_count(source: object) -> tuple[bool, int]:
    """`TryGetNonEnumeratedCount(out int count)` (.NET 6)."""
    iterate(source)  # null: ArgumentNullException
    count = cheap_count(source)
    return (False, 0) if count is None else (True, count)
