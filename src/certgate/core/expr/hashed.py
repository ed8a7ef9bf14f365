"""The entry table behind Dictionary<K, V> and HashSet<T>, enumerating in .NET's order.

.NET keeps entries in an array in insertion order; `Remove` puts the slot on a free list and the
next `Add` takes the most recently freed slot. So after `Add a, b, c; Remove b; Add d` a
`foreach` yields a, d, c. Python's dict would yield a, c, d; this class reproduces .NET.
"""

from __future__ import annotations

from collections.abc import Iterator

from .keys import hash_key

_FREE = object()


class Slots:
    __slots__ = ("_entries", "_free", "_ignore_case", "_index")

    def __init__(self, ignore_case: bool = False) -> None:
        self._ignore_case = ignore_case
        self._entries: list[tuple[object, object] | object] = []  # (key, value) or _FREE
        self._free: list[int] = []
        self._index: dict[object, int] = {}

    def _key(self, key: object) -> object:
        return hash_key(key, self._ignore_case)

    def get(self, key: object) -> tuple[bool, object]:
        slot = self._index.get(self._key(key))
        if slot is None:
            return False, None
        entry = self._entries[slot]
        assert isinstance(entry, tuple)
        return True, entry[1]

    def put(self, key: object, value: object, *, replace: bool) -> bool:
        """Store; False (and no change) when the key exists and `replace` is off."""
        hk = self._key(key)
        slot = self._index.get(hk)
        if slot is not None:
            if not replace:
                return False
            entry = self._entries[slot]
            assert isinstance(entry, tuple)
            self._entries[slot] = (entry[0], value)  # the first key spelling stays
            return True
        if self._free:
            slot = self._free.pop()
            self._entries[slot] = (key, value)
        else:
            slot = len(self._entries)
            self._entries.append((key, value))
        self._index[hk] = slot
        return True

    def remove(self, key: object) -> bool:
        slot = self._index.pop(self._key(key), None)
        if slot is None:
            return False
        self._entries[slot] = _FREE
        self._free.append(slot)
        return True

    def clear(self) -> None:
        self._entries.clear()
        self._free.clear()
        self._index.clear()

    def items(self) -> Iterator[tuple[object, object]]:
        for entry in self._entries:
            if entry is not _FREE:
                assert isinstance(entry, tuple)
                yield entry

    def __len__(self) -> int:
        return len(self._index)
