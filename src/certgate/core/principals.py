"""The types of `context.Product`, `context.Subscription` and `context.User` (spec §2.9,
§2.12, §2.13).

certgate has no subscriptions, users or products yet, so these members are null at run time, as
in APIM for a request without a subscription key. Their types still serve at load time:
`context.User.Emial` is refused as APIM refuses it, and `context.Subscription.Key` is a string
to the operators that use it. Both spellings the documentation has used are members.
"""

from __future__ import annotations

from typing import ClassVar

from certgate.core.expr import DateTime
from certgate.core.expr.static import INT, SType, class_stype, sequence_of
from certgate.core.expr.types import CsObject


class GroupInfo(CsObject):
    __slots__ = ("Id", "Name")
    CS_TYPE = "IGroup"
    CS_MEMBERS = frozenset({"Id", "Name"})
    Id: str
    Name: str


class UserIdentityInfo(CsObject):
    __slots__ = ("Id", "Provider")
    CS_TYPE = "IUserIdentity"
    CS_MEMBERS = frozenset({"Id", "Provider"})
    Id: str
    Provider: str


class UserInfo(CsObject):
    __slots__ = (
        "Email", "FirstName", "Groups", "Id", "Identities", "LastName", "Note", "RegistrationDate",
    )  # fmt: skip
    CS_TYPE = "IUser"
    CS_MEMBERS = frozenset(__slots__)
    CS_RESULT_TYPES: ClassVar[dict[str, SType]] = {
        "Groups": sequence_of(class_stype(GroupInfo)),
        "Identities": sequence_of(class_stype(UserIdentityInfo)),
    }
    Email: str
    FirstName: str
    Id: str
    LastName: str
    Note: str
    RegistrationDate: DateTime


class SubscriptionInfo(CsObject):
    __slots__ = (
        "CreatedDate", "CreatedTime", "EndDate", "Id", "Key", "Name", "PrimaryKey",
        "SecondaryKey", "StartDate",
    )  # fmt: skip
    CS_TYPE = "ISubscription"
    CS_MEMBERS = frozenset(__slots__)
    CS_RESULT_TYPES: ClassVar[dict[str, SType]] = {
        "EndDate": class_stype(DateTime).as_nullable(),
        "StartDate": class_stype(DateTime).as_nullable(),
    }
    CreatedDate: DateTime
    CreatedTime: DateTime
    Id: str
    Key: str
    Name: str
    PrimaryKey: str
    SecondaryKey: str


class ProductInfo(CsObject):
    __slots__ = (
        "ApprovalRequired", "Groups", "Id", "Name", "SubscriptionLimit", "SubscriptionRequired",
        "SubscriptionsLimit",
    )  # fmt: skip
    CS_TYPE = "IProduct"
    CS_MEMBERS = frozenset(__slots__)
    CS_RESULT_TYPES: ClassVar[dict[str, SType]] = {
        "Groups": sequence_of(class_stype(GroupInfo)),
        "SubscriptionLimit": INT.as_nullable(),
        "SubscriptionsLimit": INT.as_nullable(),
    }
    ApprovalRequired: bool
    Id: str
    Name: str
    SubscriptionRequired: bool
