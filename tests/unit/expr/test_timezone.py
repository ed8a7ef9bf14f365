"""TimeZoneInfo and TimeZone: what the Mono oracle cannot check (Windows ids, which Mono on Linux
does not know; .NET 6+ members; the names of the UTC zone on Windows; the allow-list at load
time; a machine without a tz database; the sandbox). Behaviour Mono shares is in
`tests/conformance/vectors/timezone.yaml`."""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterator

import pytest

from certgate.core.expr import compile_expression, timezones
from certgate.core.expr.tzwindows import WINDOWS_ZONES
from certgate.errors import ExpressionError, NotSupportedError

from .conftest import exception_of, text_of

BERLIN = 'TimeZoneInfo.FindSystemTimeZoneById("W. Europe Standard Time")'


# --- Windows ids ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "expected"),
    [
        ("W. Europe Standard Time", "2024-07-01T14:00:00.0000000"),
        ("Eastern Standard Time", "2024-07-01T08:00:00.0000000"),
        ("India Standard Time", "2024-07-01T17:30:00.0000000"),
        ("Nepal Standard Time", "2024-07-01T17:45:00.0000000"),
        ("AUS Eastern Standard Time", "2024-07-01T22:00:00.0000000"),
        ("UTC", "2024-07-01T12:00:00.0000000Z"),
        ("utc", "2024-07-01T12:00:00.0000000Z"),
    ],
)
def test_windows_ids_convert(zone: str, expected: str) -> None:
    text = (
        "@(TimeZoneInfo.ConvertTimeBySystemTimeZoneId("
        f'new DateTime(2024, 7, 1, 12, 0, 0, DateTimeKind.Utc), "{zone}").ToString("o"))'
    )
    assert text_of(text) == expected


def test_windows_ids_ignore_case_and_keep_their_spelling() -> None:
    assert text_of('@(TimeZoneInfo.FindSystemTimeZoneById("w. europe standard time").Id)') == (
        "W. Europe Standard Time"
    )


def test_windows_id_business_hours_as_policies_write_them() -> None:
    text = (
        "@(TimeZoneInfo.ConvertTimeFromUtc(new DateTime(2024, 1, 15, 12, 0, 0), "
        'TimeZoneInfo.FindSystemTimeZoneById("Eastern Standard Time")).Hour)'
    )
    assert text_of(text) == "7"


def test_windows_zone_rules_dst_gap_and_overlap() -> None:
    assert text_of(f"@({BERLIN}.IsInvalidTime(new DateTime(2024, 3, 31, 2, 30, 0)))") == "True"
    assert text_of(f"@({BERLIN}.IsAmbiguousTime(new DateTime(2024, 10, 27, 2, 30, 0)))") == "True"
    assert text_of(f"@({BERLIN}.GetUtcOffset(new DateTime(2024, 7, 1)))") == "02:00:00"
    assert text_of(f"@({BERLIN}.IsDaylightSavingTime(new DateTime(2024, 1, 1)))") == "False"
    assert text_of(f"@({BERLIN}.BaseUtcOffset)") == "01:00:00"
    assert text_of(f"@({BERLIN}.SupportsDaylightSavingTime)") == "True"


def test_windows_zone_without_recent_dst() -> None:
    """Windows' "India Standard Time" has no daylight rules; the tz history's 1940s war time
    is not daylight saving for it."""
    zone = 'TimeZoneInfo.FindSystemTimeZoneById("India Standard Time")'
    assert text_of(f"@({zone}.SupportsDaylightSavingTime)") == "False"
    assert text_of(f"@({zone}.IsDaylightSavingTime(new DateTime(1943, 6, 1)))") == "False"


def test_windows_and_iana_ids_of_one_zone_have_the_same_rules_but_differ() -> None:
    iana = 'TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin")'
    assert text_of(f"@({BERLIN}.HasSameRules({iana}))") == "True"
    assert text_of(f"@({BERLIN}.Equals({iana}))") == "False"
    assert text_of(f"@({BERLIN}.Equals({BERLIN}))") == "True"


def test_unknown_windows_like_id_is_not_found() -> None:
    text = '@(TimeZoneInfo.FindSystemTimeZoneById("Mars Standard Time"))'
    assert exception_of(text) == "TimeZoneNotFoundException"


@pytest.mark.parametrize("zone_id", ["Europe", "posixrules", "zone.tab", "Europe/../UTC", "a\\0b"])
def test_tz_database_files_that_are_not_zones_are_not_found(zone_id: str) -> None:
    text = f'@(TimeZoneInfo.FindSystemTimeZoneById("{zone_id}"))'
    assert exception_of(text) == "TimeZoneNotFoundException"


def test_not_found_message_is_dotnets() -> None:
    with pytest.raises(Exception, match="The time zone ID 'Nope' was not found on the local"):
        compile_expression('@(TimeZoneInfo.FindSystemTimeZoneById("Nope"))').evaluate(None)


def test_iana_alias_is_found_through_tz_links() -> None:
    """CLDR spells "Asia/Calcutta"; the tz database's "Asia/Kolkata" links to it."""
    zone = 'TimeZoneInfo.FindSystemTimeZoneById("Asia/Kolkata")'
    assert text_of(f"@({zone}.Id)") == "Asia/Kolkata"
    assert text_of(f"@({zone}.BaseUtcOffset)") == "05:30:00"


def test_every_windows_zone_loads() -> None:
    for windows in WINDOWS_ZONES:
        assert text_of(f'@(TimeZoneInfo.FindSystemTimeZoneById("{windows}").Id)') == windows


# --- .NET 6+ members Mono lacks --------------------------------------------------------------------


def test_try_find_system_time_zone_by_id() -> None:
    found = '@{ TimeZoneInfo tz; return TimeZoneInfo.TryFindSystemTimeZoneById("%s", out tz); }'
    assert text_of(found % "Eastern Standard Time") == "True"
    assert text_of(found % "America/New_York") == "True"
    assert text_of(found % "Nowhere") == "False"
    assert text_of(found % "") == "False"
    id_of = (
        '@{ TimeZoneInfo tz; TimeZoneInfo.TryFindSystemTimeZoneById("UTC", out tz); return tz.Id; }'
    )
    assert text_of(id_of) == "UTC"


def test_try_find_with_null_id_throws() -> None:
    text = "@{ TimeZoneInfo tz; return TimeZoneInfo.TryFindSystemTimeZoneById(null, out tz); }"
    assert exception_of(text) == "ArgumentNullException"


@pytest.mark.parametrize(
    ("iana", "windows"),
    [
        ("Europe/Berlin", "W. Europe Standard Time"),
        ("Europe/Amsterdam", "W. Europe Standard Time"),
        ("Asia/Kolkata", "India Standard Time"),
        ("Asia/Kathmandu", "Nepal Standard Time"),
        ("America/Argentina/Buenos_Aires", "Argentina Standard Time"),
        ("Etc/UTC", "UTC"),
        ("UTC", "UTC"),
    ],
)
def test_try_convert_iana_id_to_windows_id(iana: str, windows: str) -> None:
    text = '@{ string w; var ok = TimeZoneInfo.TryConvertIanaIdToWindowsId("%s", out w); return ok + w; }'
    assert text_of(text % iana) == f"True{windows}"


def test_try_convert_iana_id_rejects_unknown_and_null() -> None:
    text = "@{ string w; return TimeZoneInfo.TryConvertIanaIdToWindowsId(%s, out w); }"
    assert text_of(text % '"Mars/Base"') == "False"
    assert text_of(text % '"W. Europe Standard Time"') == "False"
    assert text_of(text % "null") == "False"


@pytest.mark.parametrize(
    ("windows", "iana"),
    [
        ("W. Europe Standard Time", "Europe/Berlin"),
        ("India Standard Time", "Asia/Calcutta"),
        ("Eastern Standard Time", "America/New_York"),
        ("UTC", "Etc/UTC"),
    ],
)
def test_try_convert_windows_id_to_iana_id(windows: str, iana: str) -> None:
    text = '@{ string i; var ok = TimeZoneInfo.TryConvertWindowsIdToIanaId("%s", out i); return ok + i; }'
    assert text_of(text % windows) == f"True{iana}"


def test_try_convert_windows_id_rejects_unknown_and_refuses_regions() -> None:
    text = "@{ string i; return TimeZoneInfo.TryConvertWindowsIdToIanaId(%s, out i); }"
    assert text_of(text % '"Europe/Berlin"') == "False"
    assert text_of(text % '"india standard time"') == "False"  # ICU compares exactly
    assert text_of(text % "null") == "False"
    region = '@{ string i; return TimeZoneInfo.TryConvertWindowsIdToIanaId("UTC", "US", out i); }'
    assert exception_of(region) == "NotSupportedException"


def test_has_iana_id() -> None:
    assert text_of(f"@({BERLIN}.HasIanaId)") == "False"
    assert text_of('@(TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin").HasIanaId)') == "True"
    assert text_of("@(TimeZoneInfo.Utc.HasIanaId)") == "True"
    custom = '@(TimeZoneInfo.CreateCustomTimeZone("Ops", TimeSpan.Zero, "Ops", "Ops").HasIanaId)'
    assert text_of(custom) == "False"


# --- the local zone is UTC -------------------------------------------------------------------------


def test_current_time_zone_names_are_windows_utc_names() -> None:
    """Windows names its UTC zone "Coordinated Universal Time"; Mono on Linux says "UTC"."""
    assert text_of("@(TimeZone.CurrentTimeZone.StandardName)") == "Coordinated Universal Time"
    assert text_of("@(TimeZone.CurrentTimeZone.DaylightName)") == "Coordinated Universal Time"


def test_local_converts_with_kind_local_and_utc_with_kind_utc() -> None:
    base = "new DateTime(2024, 1, 1, 8, 0, 0, DateTimeKind.Utc)"
    assert text_of(f'@(TimeZoneInfo.ConvertTime({base}, TimeZoneInfo.Local).ToString("o"))') == (
        "2024-01-01T08:00:00.0000000+00:00"
    )
    assert text_of(f'@(TimeZoneInfo.ConvertTime({base}, TimeZoneInfo.Utc).ToString("o"))') == (
        "2024-01-01T08:00:00.0000000Z"
    )


def test_local_kind_is_refused_by_convert_time_from_utc() -> None:
    text = f"@(TimeZoneInfo.ConvertTimeFromUtc(DateTime.Now, {BERLIN}))"
    assert exception_of(text) == "ArgumentException"


# --- allow-list and what is not supported yet -------------------------------------------------------


@pytest.mark.parametrize(
    "member",
    [
        "StandardName",
        "DaylightName",
        "ToSerializedString()",
        "GetAdjustmentRules()",
    ],
)
def test_standard_names_and_rules_are_not_supported_yet(member: str) -> None:
    with pytest.raises(NotSupportedError):
        compile_expression(f"@(TimeZoneInfo.Utc.{member})")


def test_display_name_is_windows_display_name_from_cldr() -> None:
    assert text_of(f"@({BERLIN}.DisplayName)") == (
        "(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna"
    )
    assert text_of(f"@({BERLIN}.ToString())") == (
        "(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna"
    )
    kolkata = 'TimeZoneInfo.FindSystemTimeZoneById("Asia/Kolkata")'
    assert text_of(f"@({kolkata}.DisplayName)") == "(UTC+05:30) Chennai, Kolkata, Mumbai, New Delhi"
    assert text_of("@(TimeZoneInfo.Utc.DisplayName)") == "(UTC) Coordinated Universal Time"
    assert text_of("@(TimeZoneInfo.Local.ToString())") == "(UTC) Coordinated Universal Time"
    assert text_of('@($"{TimeZoneInfo.Utc}")') == "(UTC) Coordinated Universal Time"


def test_custom_zone_display_name() -> None:
    custom = '@(TimeZoneInfo.CreateCustomTimeZone("Ops", TimeSpan.Zero, %s, "Ops").DisplayName)'
    assert text_of(custom % '"Ops time"') == "Ops time"
    assert text_of(custom % "null") == ""


def test_custom_zone_with_adjustment_rules_is_not_supported_yet() -> None:
    text = (
        '@(TimeZoneInfo.CreateCustomTimeZone("Ops", TimeSpan.Zero, "Ops", "Ops", "Ops DST", '
        "null).Id)"
    )
    assert exception_of(text) == "NotSupportedException"


def test_get_system_time_zones_lists_windows_zones_in_dotnet_order() -> None:
    first = "@(TimeZoneInfo.GetSystemTimeZones()[%d].Id)"
    assert text_of(first % 0) == "Dateline Standard Time"
    assert text_of("@(TimeZoneInfo.GetSystemTimeZones().Count)") == str(len(WINDOWS_ZONES))
    same_offset = (
        '@(string.Join("|", TimeZoneInfo.GetSystemTimeZones()'
        ".Where(z => z.BaseUtcOffset == TimeSpan.FromHours(-8)).Select(z => z.Id)))"
    )
    assert text_of(same_offset) == "Pacific Standard Time (Mexico)|UTC-08|Pacific Standard Time"
    utc_first = (
        "@(TimeZoneInfo.GetSystemTimeZones().First(z => z.BaseUtcOffset == TimeSpan.Zero).Id)"
    )
    assert text_of(utc_first) == "UTC"
    assert text_of("@(TimeZoneInfo.GetSystemTimeZones().Contains(TimeZoneInfo.Utc))") == "True"
    index = (
        '@(TimeZoneInfo.GetSystemTimeZones().IndexOf(TimeZoneInfo.FindSystemTimeZoneById("%s")))'
    )
    assert text_of(index % "Nepal Standard Time") != "-1"
    assert text_of(index % "Europe/Berlin") == "-1"  # another Id: not Equals


def test_get_system_time_zones_is_read_only() -> None:
    """C# refuses the assignment at compile time (CS0200); certgate at run time."""
    text = (
        "@{ var zones = TimeZoneInfo.GetSystemTimeZones(); zones[0] = TimeZoneInfo.Utc; return 1; }"
    )
    assert exception_of(text) == "NotSupportedException"


def test_iana_ids_follow_their_windows_zone() -> None:
    """.NET on Windows reads an IANA id's zone from its Windows zone: Dublin is "GMT Standard
    Time" (summer is daylight time), Amsterdam shares Berlin's rules."""
    dublin = 'TimeZoneInfo.FindSystemTimeZoneById("Europe/Dublin")'
    assert text_of(f"@({dublin}.BaseUtcOffset)") == "00:00:00"
    assert text_of(f"@({dublin}.IsDaylightSavingTime(new DateTime(2024, 7, 1)))") == "True"
    assert text_of(f"@({dublin}.IsDaylightSavingTime(new DateTime(2024, 1, 1)))") == "False"
    amsterdam = 'TimeZoneInfo.FindSystemTimeZoneById("Europe/Amsterdam")'
    assert text_of(f"@({amsterdam}.HasSameRules({BERLIN}))") == "True"
    assert text_of(f"@({amsterdam}.Id)") == "Europe/Amsterdam"


def test_negative_daylight_time_of_morocco() -> None:
    """Morocco's Ramadan hour back: +00:00 was its daylight time, +01:00 its standard time.
    The base offset is today's standard offset, which the tz data decides (+00:00 from tzdata
    2026c on, where Morocco stays at +00): the offset of a date outside Ramadan either way."""
    zone = 'TimeZoneInfo.FindSystemTimeZoneById("Morocco Standard Time")'
    base = text_of(f"@({zone}.BaseUtcOffset)")
    assert base == text_of(f"@({zone}.GetUtcOffset(new DateTime(2030, 6, 1)))")
    assert text_of(f"@({zone}.GetUtcOffset(new DateTime(2024, 6, 1)))") == "01:00:00"
    assert text_of(f"@({zone}.GetUtcOffset(new DateTime(2024, 3, 20)))") == "00:00:00"
    assert text_of(f"@({zone}.IsDaylightSavingTime(new DateTime(2024, 3, 20)))") == "True"


@pytest.mark.parametrize("member", ["ClearCachedData()", 'FromSerializedString("x")'])
def test_unimplemented_statics_are_not_supported_yet(member: str) -> None:
    with pytest.raises(NotSupportedError):
        compile_expression(f"@(TimeZoneInfo.{member})")


@pytest.mark.parametrize(
    "text",
    [
        "@(TimeZone.CurrentTimeZone.GetDaylightChanges(2024))",
        "@(TimeZoneInfo.AdjustmentRule.CreateAdjustmentRule(DateTime.MinValue, DateTime.MaxValue, "
        "TimeSpan.Zero, null, null))",
        "@(TimeZoneInfo.TransitionTime.CreateFixedDateRule(DateTime.MinValue, 1, 1))",
    ],
)
def test_rules_and_daylight_changes_are_not_supported_yet(text: str) -> None:
    with pytest.raises(NotSupportedError):
        compile_expression(text)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("@(new TimeZoneInfo())", "The type 'System.TimeZoneInfo' has no constructors defined"),
        (
            "@(new TimeZone())",
            "Cannot create an instance of the abstract type or interface 'System.TimeZone'",
        ),
    ],
)
def test_zones_cannot_be_constructed(text: str, message: str) -> None:
    with pytest.raises(ExpressionError) as info:
        compile_expression(text)
    assert info.value.message == message


def test_python_internals_are_unreachable() -> None:
    for member in ("_rules", "_id", "rules_key", "equality_key", "__class__"):
        with pytest.raises(ExpressionError):
            compile_expression(f"@(TimeZoneInfo.Utc.{member})").evaluate(None)


# --- a machine without a tz database -----------------------------------------------------------------


@pytest.fixture
def no_tz_database(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(zoneinfo, "TZPATH", ("/nonexistent/zoneinfo",))
    timezones.clear_caches()
    yield
    monkeypatch.undo()
    timezones.clear_caches()


@pytest.mark.usefixtures("no_tz_database")
@pytest.mark.parametrize("zone_id", ["Europe/Berlin", "W. Europe Standard Time", "Asia/Kolkata"])
def test_without_tz_database_zones_are_not_found(zone_id: str) -> None:
    text = f'@(TimeZoneInfo.FindSystemTimeZoneById("{zone_id}"))'
    assert exception_of(text) == "TimeZoneNotFoundException"
    try_find = '@{ TimeZoneInfo tz; return TimeZoneInfo.TryFindSystemTimeZoneById("%s", out tz); }'
    assert text_of(try_find % zone_id) == "False"


@pytest.mark.usefixtures("no_tz_database")
def test_without_tz_database_utc_still_works() -> None:
    assert text_of('@(TimeZoneInfo.FindSystemTimeZoneById("UTC").Id)') == "UTC"
    assert text_of("@(TimeZoneInfo.ConvertTimeToUtc(new DateTime(2024, 1, 1)).Hour)") == "0"
    assert text_of("@(TimeZoneInfo.GetSystemTimeZones().Count)") == "1"
    iana = '@{ string w; return TimeZoneInfo.TryConvertIanaIdToWindowsId("Europe/Berlin", out w); }'
    assert text_of(iana) == "True"  # the table is certgate's, not the tz database's
