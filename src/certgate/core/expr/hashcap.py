"""The capacity of `Dictionary<K, V>` and `HashSet<T>` (the length of .NET's entry array), which
`EnsureCapacity` returns and `TrimExcess` shrinks: prime sizes from `HashHelpers` (3 on the first
insertion, about doubling when full), freed slots reused before the array grows.

`TrimExcess` copies the live entries to a smaller array in order, so it also closes the holes
`Remove` left: later additions then enumerate last, not in a freed slot (`hashed`).
"""

from __future__ import annotations

import copy

from . import exceptions as exc
from .hashed import Slots

# System.Collections.HashHelpers.Primes
_PRIMES = (
    3, 7, 11, 17, 23, 29, 37, 47, 59, 71, 89, 107, 131, 163, 197, 239, 293, 353, 431, 521, 631,
    761, 919, 1103, 1327, 1597, 1931, 2333, 2801, 3371, 4049, 4861, 5839, 7013, 8419, 10103,
    12143, 14591, 17519, 21023, 25229, 30293, 36353, 43627, 52361, 62851, 75431, 90523, 108631,
    130363, 156437, 187751, 225307, 270371, 324449, 389357, 467237, 560689, 672827, 807403,
    968897, 1162687, 1395263, 1674319, 2009191, 2411033, 2893249, 3471899, 4166287, 4999559,
    5999471, 7199369,
)  # fmt: skip
_HASH_PRIME = 101


def _is_prime(n: int) -> bool:
    if n % 2 == 0:
        return n == 2
    return all(n % d for d in range(3, int(n**0.5) + 1, 2))


def get_prime(least: int) -> int:
    """`HashHelpers.GetPrime`: the smallest table size of at least `least`."""
    for prime in _PRIMES:
        if prime >= least:
            return prime
    n = least | 1
    while not (_is_prime(n) and (n - 1) % _HASH_PRIME != 0):
        n += 2
    return n


def expand_prime(old: int) -> int:
    """`HashHelpers.ExpandPrime`: the size after a full table of `old` entries (tables here
    never come near .NET's largest prime array length, where it stops doubling)."""
    return get_prime(2 * old)


def capacity_arg(value: object, param: str = "capacity") -> int:
    """A capacity argument (a number only: nothing is allocated for it)."""
    if type(value) is not int:
        raise exc.invalid_cast(value, "System.Int32")
    if value < 0:
        raise exc.argument_out_of_range(param)
    return value


class CountedSlots(Slots):
    """`Slots` that also count .NET's entry array: `capacity` (its length, 0 before the first
    insertion), `used` (entries ever taken, freed ones included) and `free` (freed, reusable)."""

    __slots__ = ("capacity", "free", "used")

    def __init__(self, ignore_case: bool = False, capacity: int = 0) -> None:
        super().__init__(ignore_case)
        self.capacity = get_prime(capacity) if capacity > 0 else 0
        self.used = 0
        self.free = 0

    def put(self, key: object, value: object, *, replace: bool) -> bool:
        before = len(self)
        done = super().put(key, value, replace=replace)
        if len(self) > before:
            if self.free:
                self.free -= 1
            else:
                if self.capacity == 0:
                    self.capacity = get_prime(0)
                if self.used == self.capacity:
                    self.capacity = expand_prime(self.used)
                self.used += 1
        return done

    def remove(self, key: object) -> bool:
        removed = super().remove(key)
        self.free += removed
        return removed

    def clear(self) -> None:
        super().clear()  # the entry array stays
        self.used = self.free = 0

    def ensure(self, capacity: int) -> int:
        """`EnsureCapacity`: grow to the prime size of at least `capacity`; the capacity."""
        if self.capacity < capacity:
            self.capacity = get_prime(capacity)
        return self.capacity

    def trim(self, capacity: int) -> bool:
        """`TrimExcess(capacity)`: move the live entries, in order, to an array of the prime
        size of `capacity` when that is smaller; True when it did."""
        size = get_prime(capacity)
        if size >= self.capacity:
            return False
        entries = list(self.items())
        super().clear()
        self.capacity, self.used, self.free = size, 0, 0
        for key, value in entries:
            self.put(key, value, replace=False)
        return True

    def clone(self) -> CountedSlots:
        """An exact copy, freed slots included (`new HashSet<T>(set)` copies the arrays)."""
        twin = copy.copy(self)
        for name in Slots.__slots__:
            setattr(twin, name, copy.copy(getattr(self, name)))
        return twin
