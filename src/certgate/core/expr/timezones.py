"""`System.TimeZoneInfo` and the obsolete `System.TimeZone` (.NET 8 on APIM's Windows hosts).

Zones and rules:

* A zone is found by its Windows id ("W. Europe Standard Time", case-insensitive, as the Windows
  registry) or by an IANA id ("Europe/Berlin"), which .NET 6+ on Windows accepts when ICU maps
  it to a Windows id: the ids of CLDR's `windowsZones.xml` (`tzwindows`), and their tz database
  links ("Asia/Kolkata" for "Asia/Calcutta"). "UTC" is `TimeZoneInfo.Utc` itself, as in .NET.
* .NET on Windows reads an IANA id's zone from the Windows zone it maps to (keeping the IANA
  id), so every zone has the rules of a Windows zone, and certgate takes those from the
  machine's tz database (Debian's `tzdata`, read from `zoneinfo.TZPATH` only, never from a
  Python package) as the rules of the Windows zone's CLDR "001" IANA zone: "Europe/Amsterdam"
  and "W. Europe Standard Time" both follow "Europe/Berlin", "Europe/Dublin" follows
  "Europe/London" (summer time is daylight time, as on Windows). Historical dates follow the
  tz database; Windows' registry keeps less history, so dates before a zone's Windows data may
  differ there. Without a tz database every id but "UTC" is a `TimeZoneNotFoundException`.
* `SupportsDaylightSavingTime` is true when the zone has daylight time in 2000 or later (the
  span Windows' registry data covers), so "India Standard Time" does not support it although
  India had war time in the 1940s. Only a change between daylight and standard time makes a
  time invalid or ambiguous, as with Windows' adjustment rules.
* The local zone is UTC (certgate's clock, as Azure's hosts): `TimeZoneInfo.Local` has Id "UTC"
  and equals `Utc` but is another instance, so conversions to it give Kind Local, as in .NET.
* `DisplayName` (and `ToString()`) is the English Windows display name CLDR records for the
  Windows zone ("(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna"); "(UTC)
  Coordinated Universal Time" for `Utc` and `Local`. `GetSystemTimeZones()` lists the Windows
  zones of CLDR's table, ordered as .NET (base offset, then display name).

Conversions follow .NET's `ConvertTime`: a DateTime whose Kind does not match the source zone is
an ArgumentException, a time in a spring-forward gap too; an ambiguous time (autumn overlap) is
read as standard time; the result has Kind Utc or Local only for `Utc`/`Local` themselves.
Not supported yet: `StandardName`/`DaylightName` (registry strings CLDR does not publish),
`GetAdjustmentRules`, `AdjustmentRule`/`TransitionTime`, `ToSerializedString`/
`FromSerializedString` and `CreateCustomTimeZone` with adjustment rules.
"""

from __future__ import annotations

import io
import re
import struct
import zoneinfo
from collections.abc import Callable
from datetime import UTC, timedelta
from datetime import datetime as PyDateTime
from functools import cache
from pathlib import Path

from . import exceptions as exc
from .arrays import CsArray
from .datetime import (
    LOCAL,
    MAX_TICKS,
    TICKS_PER_MINUTE,
    TICKS_PER_SECOND,
    UNSPECIFIED,
    DateTime,
    DateTimeKind,
    DateTimeOffset,
    TimeSpan,
)
from .datetime import UTC as KIND_UTC
from .static import BOOL, SType, class_stype
from .typenames import StaticMember, TypeInfo, register
from .types import CsObject
from .tzwindows import DISPLAY_NAMES, WINDOWS_ZONES

_NOT_FOUND = "The time zone ID '{}' was not found on the local computer."
_CONVERT_MISMATCH = (
    "The conversion could not be completed because the supplied DateTime did not have the Kind "
    "property set correctly.  For example, when the Kind property is DateTimeKind.Local, the "
    "source time zone must be TimeZoneInfo.Local. (Parameter 'sourceTimeZone')"
)
_INVALID_TIME = (
    "The supplied DateTime represents an invalid time.  For example, when the clock is adjusted "
    "forward, any time in the period that is skipped is invalid. (Parameter 'dateTime')"
)
_NOT_AMBIGUOUS = "The supplied {} is not in an ambiguous time range. (Parameter '{}')"
_MAX_KEY_LENGTH = 255  # .NET's longest registry key name
_IANA_ID = re.compile(r"[A-Za-z0-9_+-]+(?:/[A-Za-z0-9_+-]+)*\Z")
_DST_SINCE = 946_684_800  # 2000-01-01T00:00:00Z, seconds since the Unix epoch
_EPOCH = PyDateTime(1, 1, 1)
_UTC_ID = "UTC"
_UTC_NAME = "Coordinated Universal Time"  # Windows' registry name of its UTC zone
_UTC_DISPLAY = "(UTC) Coordinated Universal Time"

# --- the tz database --------------------------------------------------------------------------


def _tz_file(key: str) -> Path | None:
    if not _IANA_ID.match(key) or ".." in key.split("/"):
        return None
    for root in zoneinfo.TZPATH:
        path = Path(root, key)
        if path.is_file():
            return path
    return None


def _tzif_facts(data: bytes) -> tuple[bool, bool]:
    """(daylight time from 2000 on, one fixed offset ever) of a TZif file: a transition to a
    DST type or DST rules in the POSIX footer; no transitions and a single type. Reads the
    64-bit block of version 2+ files."""
    if data[:4] != b"TZif":
        raise ValueError("not a TZif file")
    isut, isstd, leap, times, types, chars = struct.unpack(">6l", data[20:44])
    if data[4:5] == b"\x00":  # version 1: 32-bit times only
        return _dst_in_block(data, 44, times, types, 4), times == 0 and types == 1
    start = 44 + times * 5 + types * 6 + chars + leap * 8 + isstd + isut
    isut, isstd, leap, times, types, chars = struct.unpack(">6l", data[start + 20 : start + 44])
    body = start + 44
    footer = body + times * 9 + types * 6 + chars + leap * 12 + isstd + isut
    recent = _dst_in_block(data, body, times, types, 8) or b"," in data[footer:]
    return recent, times == 0 and types == 1


def _dst_in_block(data: bytes, body: int, times: int, types: int, width: int) -> bool:
    fmt = ">" + ("q" if width == 8 else "l") * times
    moments = struct.unpack(fmt, data[body : body + times * width])
    indices = data[body + times * width : body + times * (width + 1)]
    infos = body + times * (width + 1)
    dst_types = {i for i in range(types) if data[infos + i * 6 + 4]}
    return any(m >= _DST_SINCE and t in dst_types for m, t in zip(moments, indices, strict=True))


class _Rules:
    """Offsets of one tz database zone, in ticks."""

    __slots__ = ("fixed", "key", "recent_dst", "zone")

    def __init__(self, key: str, data: bytes) -> None:
        self.key = key
        self.zone = zoneinfo.ZoneInfo.from_file(io.BytesIO(data), key=key)
        self.recent_dst, self.fixed = _tzif_facts(data)

    def from_utc(self, utc_ticks: int) -> tuple[int, bool]:
        """(offset, is daylight time) at a UTC instant."""
        moment = _py(utc_ticks).replace(tzinfo=UTC).astimezone(self.zone)
        return _ticks_of(moment.utcoffset()), bool(moment.dst())

    def wall(self, clock_ticks: int) -> tuple[tuple[int, bool], tuple[int, bool]]:
        """(offset, is DST) of a wall-clock time read as the earlier and as the later of two
        instants (equal unless the time is in a gap or an overlap)."""
        naive = _py(clock_ticks)
        first = naive.replace(tzinfo=self.zone)
        second = naive.replace(tzinfo=self.zone, fold=1)
        return (
            (_ticks_of(first.utcoffset()), bool(first.dst())),
            (_ticks_of(second.utcoffset()), bool(second.dst())),
        )


def _py(ticks: int) -> PyDateTime:
    """A naive datetime for ticks, kept a day inside DateTime's range so offsets can apply."""
    day = 864_000_000_000
    ticks = min(max(ticks, day), MAX_TICKS - day)
    return _EPOCH + timedelta(microseconds=ticks // 10)


def _ticks_of(delta: timedelta | None) -> int:
    if delta is None:
        return 0
    return (delta.days * 86_400 + delta.seconds) * TICKS_PER_SECOND + delta.microseconds * 10


@cache
def _rules(key: str) -> _Rules | None:
    """A zone of the machine's tz database (one load per zone; the set of files bounds it)."""
    path = _tz_file(key)
    if path is None:
        return None
    try:
        return _Rules(key, path.read_bytes())
    except (OSError, ValueError, struct.error, IndexError):
        return None


@cache
def _links() -> dict[str, str]:
    """tz database links (alias -> zone) from the machine's `tzdata.zi`, when it has one."""
    found: dict[str, str] = {}
    for root in zoneinfo.TZPATH:
        path = Path(root, "tzdata.zi")
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        for line in text.splitlines():
            parts = line.split()
            if len(parts) == 3 and parts[0] == "L":
                found[parts[2]] = parts[1]
        break
    return found


_WINDOWS_BY_LOWER = {key.lower(): key for key in WINDOWS_ZONES}
_WINDOWS_OF_IANA: dict[str, str] = {}
for _windows, _ianas in WINDOWS_ZONES.items():
    for _iana in _ianas:
        _WINDOWS_OF_IANA.setdefault(_iana, _windows)


def _windows_of_iana(iana: str) -> str | None:
    """ICU's IANA -> Windows conversion: the id itself, else the zone it links to or one of
    that zone's other names."""
    if iana in _WINDOWS_OF_IANA:
        return _WINDOWS_OF_IANA[iana]
    links = _links()
    target = links.get(iana, iana)
    for name in (target, *(alias for alias, zone in links.items() if zone == target)):
        if name in _WINDOWS_OF_IANA:
            return _WINDOWS_OF_IANA[name]
    return None


# --- TimeZoneInfo -------------------------------------------------------------------------------


class TimeZoneInfo(CsObject):
    __slots__ = ("_base", "_display", "_has_iana_id", "_id", "_rules")
    CS_TYPE = "System.TimeZoneInfo"
    CS_IMMUTABLE = True
    CS_MEMBERS = frozenset(
        {
            "BaseUtcOffset",
            "DisplayName",
            "Equals",
            "GetAmbiguousTimeOffsets",
            "GetUtcOffset",
            "HasIanaId",
            "HasSameRules",
            "Id",
            "IsAmbiguousTime",
            "IsDaylightSavingTime",
            "IsInvalidTime",
            "SupportsDaylightSavingTime",
        }
    )

    def __init__(
        self,
        zone_id: str,
        rules: _Rules | None,
        base_ticks: int,
        *,
        has_iana_id: bool,
        display: str = "",
    ) -> None:
        self._id = zone_id
        self._rules = rules  # None: a fixed offset (UTC, custom zones)
        self._base = base_ticks
        self._has_iana_id = has_iana_id
        self._display = display

    # --- properties ---------------------------------------------------------------------------

    @property
    def Id(self) -> str:
        return self._id

    @property
    def HasIanaId(self) -> bool:
        return self._has_iana_id

    @property
    def DisplayName(self) -> str:
        return self._display

    @property
    def BaseUtcOffset(self) -> TimeSpan:
        return TimeSpan(self._base)

    @property
    def SupportsDaylightSavingTime(self) -> bool:
        return self._rules is not None and self._rules.recent_dst

    # --- offsets ------------------------------------------------------------------------------

    def _from_utc(self, utc_ticks: int) -> tuple[int, bool]:
        if self._rules is None:
            return self._base, False
        offset, dst = self._rules.from_utc(utc_ticks)
        return offset, dst and self.SupportsDaylightSavingTime

    def _wall(self, clock_ticks: int) -> tuple[int, bool, str]:
        """Offset and DST of a wall-clock time, and "gap", "overlap" or "". Only a change
        between daylight and standard time makes a time invalid or ambiguous (as .NET's
        adjustment rules on Windows), and such a time reads as standard time; across a change
        of the standard offset the later offset holds in an overlap, the earlier in a gap."""
        if self._rules is None:
            return self._base, False, ""
        (first, first_dst), (second, second_dst) = self._rules.wall(clock_ticks)
        supports = self.SupportsDaylightSavingTime
        if first == second:
            return first, first_dst and supports, ""
        kind = "overlap" if first > second else "gap"
        if not supports or first_dst == second_dst:
            if kind == "overlap":
                return second, second_dst and supports, ""
            return first, first_dst and supports, ""
        return (second, False, kind) if first_dst else (first, False, kind)

    def _clock_of(self, value: DateTime) -> int:
        """The wall-clock ticks of a DateTime in this zone (Utc and Local kinds are instants,
        the local zone being UTC; Unspecified is already this zone's clock)."""
        if value.Kind is UNSPECIFIED or self is LOCAL_ZONE:
            return value.Ticks
        return _clamp(value.Ticks + self._from_utc(value.Ticks)[0])

    def GetUtcOffset(self, value: object) -> TimeSpan:
        if isinstance(value, DateTimeOffset):
            return TimeSpan(self._from_utc(value.UtcTicks)[0])
        moment = _datetime(value, "dateTime")
        if moment.Kind is not UNSPECIFIED and self is not LOCAL_ZONE:
            return TimeSpan(self._from_utc(moment.Ticks)[0])
        return TimeSpan(self._wall(moment.Ticks)[0])

    def IsDaylightSavingTime(self, value: object) -> bool:
        if isinstance(value, DateTimeOffset):
            return self._from_utc(value.UtcTicks)[1]
        moment = _datetime(value, "dateTime")
        if moment.Kind is KIND_UTC and self is not UTC_ZONE:
            return self._from_utc(moment.Ticks)[1]
        return self._wall(self._clock_of(moment))[1]

    def IsAmbiguousTime(self, value: object) -> bool:
        return self._wall(self._clock(value, "dateTime"))[2] == "overlap"

    def IsInvalidTime(self, value: object) -> bool:
        moment = _datetime(value, "dateTime")
        if moment.Kind is not UNSPECIFIED and not (moment.Kind is LOCAL and self is LOCAL_ZONE):
            return False
        return self._wall(moment.Ticks)[2] == "gap"

    def GetAmbiguousTimeOffsets(self, value: object) -> CsArray:
        is_offset = isinstance(value, DateTimeOffset)
        clock = self._clock(value, "dateTime")
        if self._rules is None or self._wall(clock)[2] != "overlap":
            name, param = (
                ("DateTimeOffset", "dateTimeOffset") if is_offset else ("DateTime", "dateTime")
            )
            raise exc.ExpressionRuntimeError(
                "ArgumentException", _NOT_AMBIGUOUS.format(name, param)
            )
        (first, _), (second, _) = self._rules.wall(clock)
        return CsArray([TimeSpan(min(first, second)), TimeSpan(max(first, second))])

    def _clock(self, value: object, param: str) -> int:
        if isinstance(value, DateTimeOffset):
            return _clamp(value.UtcTicks + self._from_utc(value.UtcTicks)[0])
        return self._clock_of(_datetime(value, param))

    # --- equality -----------------------------------------------------------------------------

    def rules_key(self) -> tuple[object, ...]:
        """What `HasSameRules` compares: the offset of a zone without rules, else the tz zone
        of its Windows zone (so "Europe/Amsterdam" has the rules of "Europe/Berlin")."""
        if self._rules is None or self._rules.fixed:
            return ("fixed", self._base)
        return ("tz", self._rules.key)

    def HasSameRules(self, other: object) -> bool:
        return _zone(other, "other").rules_key() == self.rules_key()

    def Equals(self, other: object) -> bool:
        return (
            isinstance(other, TimeZoneInfo)
            and other._id.lower() == self._id.lower()
            and other.rules_key() == self.rules_key()
        )

    def ToString(self) -> str:
        return self._display

    def equality_key(self) -> tuple[object, ...]:
        """Dictionary keys, HashSet, Distinct: .NET hashes the id ignoring case."""
        return (self._id.lower(), *self.rules_key())


def _clamp(ticks: int) -> int:
    return min(max(ticks, 0), MAX_TICKS)


def _datetime(value: object, param: str) -> DateTime:
    return exc.typed_argument(value, param, DateTime, "System.DateTime")


def _zone(value: object, param: str) -> TimeZoneInfo:
    return exc.typed_argument(value, param, TimeZoneInfo, TimeZoneInfo.CS_TYPE)


UTC_ZONE = TimeZoneInfo(_UTC_ID, None, 0, has_iana_id=True, display=_UTC_DISPLAY)
# the local zone: equal to UTC, but another instance (conversions to it give Kind Local)
LOCAL_ZONE = TimeZoneInfo(_UTC_ID, None, 0, has_iana_id=True, display=_UTC_DISPLAY)


def _kind_of(zone: TimeZoneInfo) -> DateTimeKind:
    """.NET's `GetCorrespondingKind`: by reference, not by value."""
    return KIND_UTC if zone is UTC_ZONE else LOCAL if zone is LOCAL_ZONE else UNSPECIFIED


# --- lookup -------------------------------------------------------------------------------------


# zones found, by id (Windows ids lower-cased): one instance per zone, as .NET's cache, so `==`
# (reference equality) holds between two lookups. Only valid ids get in, which bounds it;
# misses are not kept (their ids come from requests).
_FOUND: dict[str, TimeZoneInfo] = {}


def _system_zone(zone_id: str) -> TimeZoneInfo | None:
    key = zone_id.lower() if zone_id.lower() in _WINDOWS_BY_LOWER else zone_id
    zone = _FOUND.get(key)
    if zone is None:
        zone = _load_zone(zone_id)
        if zone is not None:
            zone = _FOUND.setdefault(key, zone)
    return zone


def _load_zone(zone_id: str) -> TimeZoneInfo | None:
    windows = _WINDOWS_BY_LOWER.get(zone_id.lower())
    if windows is not None:
        rules = _rules(WINDOWS_ZONES[windows][0])
        return None if rules is None else _system(windows, windows, rules)
    windows = _windows_of_iana(zone_id)
    if windows is None:
        return None  # an IANA id Windows (ICU) cannot map is not a zone of the host
    # .NET on Windows reads the Windows zone the id maps to, so its rules are those too
    rules = _rules(WINDOWS_ZONES[windows][0])
    return None if rules is None else _system(zone_id, windows, rules)


def _system(zone_id: str, windows: str, rules: _Rules) -> TimeZoneInfo:
    """A system zone: found by an IANA id, it keeps that id and has the display name of its
    Windows zone, as .NET on Windows; its base offset is the standard offset now."""
    now = PyDateTime.now(UTC).replace(tzinfo=None)
    standard = (rules.zone.utcoffset(now) or timedelta()) - (rules.zone.dst(now) or timedelta())
    return TimeZoneInfo(
        zone_id,
        rules,
        _ticks_of(standard),
        has_iana_id=zone_id != windows,
        display=DISPLAY_NAMES[windows],
    )


class ReadOnlyZones(CsArray):
    """The `ReadOnlyCollection<TimeZoneInfo>` of `GetSystemTimeZones`."""

    __slots__ = ()
    CS_TYPE = "System.Collections.ObjectModel.ReadOnlyCollection`1[System.TimeZoneInfo]"
    CS_MEMBERS = frozenset({"Contains", "Count", "IndexOf", "ToString"})
    CS_INDEXER_ELEMENT = True

    def set_item(self, index: object, value: object) -> None:
        raise exc.ExpressionRuntimeError("NotSupportedException", "Collection is read-only.")

    @property
    def Count(self) -> int:
        return len(self)

    def Contains(self, value: object) -> bool:
        return any(zone is value or zone.Equals(value) for zone in self._zones())

    def IndexOf(self, value: object) -> int:
        for index, zone in enumerate(self._zones()):
            if zone is value or zone.Equals(value):
                return index
        return -1

    def _zones(self) -> list[TimeZoneInfo]:
        return [zone for zone in self if isinstance(zone, TimeZoneInfo)]

    def ToString(self) -> str:
        return self.CS_TYPE


@cache
def _all_system_zones() -> tuple[TimeZoneInfo, ...]:
    """The Windows zones of CLDR's table, ordered as .NET orders them (base offset, then the
    display name, ordinal); a zone the tz database lacks is left out, as .NET skips a broken
    registry entry. The "UTC" entry is a registry zone, not `TimeZoneInfo.Utc` itself."""
    zones: list[TimeZoneInfo] = []
    for windows in WINDOWS_ZONES:
        if windows == _UTC_ID:
            zones.append(TimeZoneInfo(_UTC_ID, None, 0, has_iana_id=True, display=_UTC_DISPLAY))
            continue
        zone = _system_zone(windows)
        if zone is not None:
            zones.append(zone)
    return tuple(sorted(zones, key=lambda z: (z.BaseUtcOffset.Ticks, z.DisplayName)))


def get_system_time_zones() -> ReadOnlyZones:
    return ReadOnlyZones(_all_system_zones())


def _find(zone_id: object) -> TimeZoneInfo | None:
    text = exc.string_argument(zone_id, "id")
    if text.lower() == "utc":
        return UTC_ZONE
    if not text or len(text) > _MAX_KEY_LENGTH or "\0" in text:
        return None
    return _system_zone(text)


def find_system_time_zone_by_id(zone_id: object) -> TimeZoneInfo:
    zone = _find(zone_id)
    if zone is None:
        raise exc.ExpressionRuntimeError("TimeZoneNotFoundException", _NOT_FOUND.format(zone_id))
    return zone


def try_find_system_time_zone_by_id(zone_id: object) -> tuple[bool, TimeZoneInfo | None]:
    zone = _find(zone_id)
    return zone is not None, zone


def try_convert_iana_id_to_windows_id(iana_id: object) -> tuple[bool, str | None]:
    """A null id is false, as in .NET."""
    windows = None if iana_id is None else _windows_of_iana(exc.string_argument(iana_id, "ianaId"))
    return windows is not None, windows


def try_convert_windows_id_to_iana_id(
    windows_id: object, region: object = None
) -> tuple[bool, str | None]:
    """The zone of territory "001" (ICU's lookup, case-sensitive, unlike `FindSystemTimeZoneById`
    on Windows). The overload with a region would need CLDR's territory rows, which `tzwindows`
    does not keep: refused rather than answered wrongly."""
    if region is not None:
        raise exc.ExpressionRuntimeError(
            "NotSupportedException",
            "TimeZoneInfo.TryConvertWindowsIdToIanaId with a region is not supported yet",
        )
    text = None if windows_id is None else exc.string_argument(windows_id, "windowsId")
    ianas = None if text is None else WINDOWS_ZONES.get(text)  # ICU's table: exact ids
    return ianas is not None, None if ianas is None else ianas[0]


def clear_caches() -> None:
    """Forget loaded zones (tests that swap the tz database)."""
    _FOUND.clear()
    for cached in (_rules, _links, _all_system_zones):
        cached.cache_clear()


# --- conversions --------------------------------------------------------------------------------


def _convert(value: DateTime, source: TimeZoneInfo, target: TimeZoneInfo) -> DateTime:
    """.NET's `ConvertTime(DateTime, source, destination, None)`."""
    source_kind = _kind_of(source)
    if value.Kind is not UNSPECIFIED and value.Kind is not source_kind:
        raise exc.ExpressionRuntimeError("ArgumentException", _CONVERT_MISMATCH)
    offset, _, state = source._wall(value.Ticks)
    if state == "gap":
        raise exc.ExpressionRuntimeError("ArgumentException", _INVALID_TIME)
    target_kind = _kind_of(target)
    if value.Kind is not UNSPECIFIED and source_kind is target_kind:
        return value  # Utc -> Utc, Local -> Local: unchanged (the Kind matched the source)
    utc = _clamp(value.Ticks - offset)
    return DateTime(_clamp(utc + target._from_utc(utc)[0]), target_kind)


def convert_time(value: object, *zones: object) -> object:
    """`ConvertTime(DateTimeOffset, destination)`, `(DateTime, destination)` and
    `(DateTime, source, destination)`."""
    if isinstance(value, DateTimeOffset) and len(zones) == 1:
        return _convert_offset(value, _zone(zones[0], "destinationTimeZone"))
    moment = _datetime(value, "dateTime")
    if len(zones) == 2:
        return _convert(
            moment, _zone(zones[0], "sourceTimeZone"), _zone(zones[1], "destinationTimeZone")
        )
    target = _zone(zones[0] if zones else None, "destinationTimeZone")
    return _convert(moment, UTC_ZONE if moment.Kind is KIND_UTC else LOCAL_ZONE, target)


def _convert_offset(value: DateTimeOffset, target: TimeZoneInfo) -> DateTimeOffset:
    offset = target._from_utc(value.UtcTicks)[0]
    minutes = offset // TICKS_PER_MINUTE  # tz offsets of local mean time have seconds
    clock = value.UtcTicks + minutes * TICKS_PER_MINUTE
    if clock > MAX_TICKS:
        return DateTimeOffset(MAX_TICKS, 0)
    if clock < 0:
        return DateTimeOffset(0, 0)
    return DateTimeOffset(clock, minutes)


def convert_time_from_utc(value: object, destination: object) -> DateTime:
    target = _zone(destination, "destinationTimeZone")
    return _convert(_datetime(value, "dateTime"), UTC_ZONE, target)


def convert_time_to_utc(value: object, source: object = None) -> DateTime:
    moment = _datetime(value, "dateTime")
    if source is None:
        return moment if moment.Kind is KIND_UTC else _convert(moment, LOCAL_ZONE, UTC_ZONE)
    return _convert(moment, _zone(source, "sourceTimeZone"), UTC_ZONE)


def convert_time_by_system_time_zone_id(value: object, *ids: object) -> object:
    """`(DateTime|DateTimeOffset, destinationId)` and `(DateTime, sourceId, destinationId)`."""
    if len(ids) != 2:
        return convert_time(value, find_system_time_zone_by_id(ids[0] if ids else None))
    moment = _datetime(value, "dateTime")
    source_id = exc.string_argument(ids[0], "id")
    target = find_system_time_zone_by_id(ids[1])
    if moment.Kind is LOCAL and source_id.lower() == "utc":
        return _convert(moment, LOCAL_ZONE, target)
    if moment.Kind is KIND_UTC and source_id.lower() == "utc":
        return _convert(moment, UTC_ZONE, target)
    return _convert(moment, find_system_time_zone_by_id(source_id), target)


def create_custom_time_zone(
    zone_id: object,
    base_utc_offset: object,
    display_name: object,
    standard_name: object,
    *rules: object,
) -> TimeZoneInfo:
    """The four-argument overload: a fixed offset without daylight time."""
    if rules:
        raise exc.ExpressionRuntimeError(
            "NotSupportedException",
            "TimeZoneInfo.CreateCustomTimeZone with adjustment rules is not supported yet",
        )
    text = exc.string_argument(zone_id, "id")
    if not isinstance(base_utc_offset, TimeSpan):
        raise exc.invalid_cast(base_utc_offset, "System.TimeSpan")
    ticks = base_utc_offset.Ticks
    if not text:
        raise exc.ExpressionRuntimeError(
            "ArgumentException", "The value cannot be an empty string. (Parameter 'id')"
        )
    if abs(ticks) > 14 * 60 * TICKS_PER_MINUTE:
        raise exc.ExpressionRuntimeError(
            "ArgumentOutOfRangeException",
            "The TimeSpan parameter must be within plus or minus 14.0 hours. "
            "(Parameter 'baseUtcOffset')",
        )
    if ticks % TICKS_PER_MINUTE:
        raise exc.ExpressionRuntimeError(
            "ArgumentException",
            "The TimeSpan parameter cannot be specified more precisely than whole minutes. "
            "(Parameter 'baseUtcOffset')",
        )
    if standard_name is not None and type(standard_name) is not str:
        raise exc.invalid_cast(standard_name, "System.String")
    display = "" if display_name is None else exc.string_argument(display_name, "displayName")
    has_iana_id = _windows_of_iana(text) is not None
    return TimeZoneInfo(text, None, ticks, has_iana_id=has_iana_id, display=display)


# --- TimeZone (obsolete): the local zone, which is UTC -------------------------------------------


class TimeZone(CsObject):
    __slots__ = ()
    CS_TYPE = "System.TimeZone"
    CS_IMMUTABLE = True
    CS_MEMBERS = frozenset(
        {
            "DaylightName",
            "GetUtcOffset",
            "IsDaylightSavingTime",
            "StandardName",
            "ToLocalTime",
            "ToUniversalTime",
        }
    )

    @property
    def StandardName(self) -> str:
        return _UTC_NAME

    @property
    def DaylightName(self) -> str:
        return _UTC_NAME

    def GetUtcOffset(self, time: object) -> TimeSpan:
        _datetime(time, "time")
        return TimeSpan(0)

    def IsDaylightSavingTime(self, time: object) -> bool:
        _datetime(time, "time")
        return False

    def ToLocalTime(self, time: object) -> DateTime:
        moment = _datetime(time, "time")
        return moment if moment.Kind is LOCAL else DateTime(moment.Ticks, LOCAL)

    def ToUniversalTime(self, time: object) -> DateTime:
        moment = _datetime(time, "time")
        return moment if moment.Kind is KIND_UTC else DateTime(moment.Ticks, KIND_UTC)


CURRENT_TIME_ZONE = TimeZone()

# --- registration -------------------------------------------------------------------------------

_ZONE = class_stype(TimeZoneInfo)
_DATETIME = class_stype(DateTime)
_DATETIMEOFFSET = class_stype(DateTimeOffset)


def _same_as_first(types: tuple[SType, ...]) -> SType:
    """ConvertTime returns a DateTimeOffset for one, else a DateTime."""
    return _DATETIMEOFFSET if types and types[0].py is DateTimeOffset else _DATETIME


def _method(fn: Callable[..., object], result: SType, outs: int = 0) -> StaticMember:
    return StaticMember(fn, result, outs=outs)


def _converting(fn: Callable[..., object]) -> StaticMember:
    return StaticMember(fn, _DATETIME, typer=_same_as_first)


register(
    TypeInfo.of(
        TimeZoneInfo,
        {
            "Utc": StaticMember(UTC_ZONE, _ZONE, is_method=False),
            "Local": StaticMember(LOCAL_ZONE, _ZONE, is_method=False),
            "FindSystemTimeZoneById": _method(find_system_time_zone_by_id, _ZONE),
            "TryFindSystemTimeZoneById": _method(try_find_system_time_zone_by_id, BOOL, 1),
            "TryConvertIanaIdToWindowsId": _method(try_convert_iana_id_to_windows_id, BOOL, 1),
            "TryConvertWindowsIdToIanaId": _method(try_convert_windows_id_to_iana_id, BOOL, 1),
            "ConvertTime": _converting(convert_time),
            "ConvertTimeBySystemTimeZoneId": _converting(convert_time_by_system_time_zone_id),
            "ConvertTimeFromUtc": _method(convert_time_from_utc, _DATETIME),
            "ConvertTimeToUtc": _method(convert_time_to_utc, _DATETIME),
            "CreateCustomTimeZone": _method(create_custom_time_zone, _ZONE),
            "GetSystemTimeZones": _method(
                get_system_time_zones, SType(ReadOnlyZones.CS_TYPE, ReadOnlyZones, element=_ZONE)
            ),
        },
    ),
    TypeInfo.of(
        TimeZone,
        {
            "CurrentTimeZone": StaticMember(
                CURRENT_TIME_ZONE, class_stype(TimeZone), is_method=False
            )
        },
    ),
)
