"""Type names and creation expressions (translator, part 3a).

* `new T(args) { ... }`: only types with a constructor (`TypeInfo.ctor`); initializers become
  `Add` calls or property/indexer stores on a temporary, in source order:
  `((t := ctor(args)), _call(t, 'Add', k, v), t)[-1]`.
* Anonymous types get one Python class per shape, made at load time (`anon`).
* Casts to integral types convert (`_nconv`, checked inside `checked`); casts of a JToken to a
  primitive use Json.NET's explicit conversions (`_ccast`); everything else is a type check.
* `is`/`as` test with the type's `CsTypeRef`; `x is T name` binds `name` through a walrus.
"""

from __future__ import annotations

from . import syntax as s
from .anon import anon_class, check_member_name
from .arity import refuses
from .arrays import CsArray, clr_element_name, of_element
from .generic import CsList
from .gentypes import GENERICS, apim_type, generic_type
from .langrt import RANGES
from .members import collection_element, parameter_types, static_table
from .operators import OperatorTranslator
from .regexp import Regex
from .sets import CsHashSet, CsQueue, CsStack
from .static import SType, array_of
from .translate import Code
from .typenames import IMPLEMENTED, TypeInfo, TypeLookupError, full_name, resolve
from .types import CsTypeRef

_BITWISE = frozenset({"&", "|", "^", "<<", ">>", ">>>"})
_SEQUENCES = (CsList, CsHashSet, CsQueue, CsStack)  # collections whose Add takes one T
_SEQUENCE_GENERICS = frozenset({"Values", "Children"})  # JToken: IEnumerable<T> of T
_CONVERTED = frozenset(RANGES) | {"System.Double"}  # explicit numeric conversions
_FAST_CONVERSIONS = frozenset({"System.Int32", "System.Int64", "System.Double", "System.Char"})
_CRYPTO = "System.Security.Cryptography."
_STATIC_CLASSES = frozenset(
    {
        "System.BitConverter", "System.Convert", "System.Math", "System.Tuple",
        "System.Linq.Enumerable", "System.Net.WebUtility", "Newtonsoft.Json.JsonConvert",
        "Newtonsoft.Json.Linq.Extensions", "System.Xml.Linq.Extensions",
        _CRYPTO + "X509Certificates.RSACertificateExtensions",
    }
)  # fmt: skip
_NO_PUBLIC_CONSTRUCTOR = frozenset(
    {
        "System.TimeZoneInfo", "System.Xml.Linq.XName", "System.Xml.Linq.XNamespace",
        _CRYPTO + "RSAEncryptionPadding", _CRYPTO + "RSASignaturePadding",
    }
    | {
        "System.Text.RegularExpressions." + name
        for name in ("Capture", "CaptureCollection", "Group", "GroupCollection", "Match")
    }
)  # fmt: skip
_ABSTRACT_CLASSES = frozenset(
    {
        "System.Array", "System.StringComparer", "System.TimeZone", "System.Text.Encoding",
        "Newtonsoft.Json.Linq.JToken", "Newtonsoft.Json.Linq.JContainer",
        "System.Xml.Linq.XObject", "System.Xml.Linq.XNode", "System.Xml.Linq.XContainer",
    }
    | {
        _CRYPTO + name
        for name in (
            "AsymmetricAlgorithm", "HashAlgorithm", "HMAC", "KeyedHashAlgorithm", "MD5", "RSA",
            "SHA1", "SHA256", "SHA384", "SHA512", "SymmetricAlgorithm",
        )
    }
)  # fmt: skip


class CreationTranslator(OperatorTranslator):
    checked_context_given = False  # inside an explicit `checked`/`unchecked`

    def unchecked_constant(self) -> bool:
        return self.checked_context_given and not self.checked

    # --- types ----------------------------------------------------------------------------------

    def resolve_type(self, node: s.TypeName) -> TypeInfo:
        if node.args:
            info = self.generic(node)
        else:
            apim = apim_type(node.name)
            if apim is None:
                full = full_name(node.name)
                if full in GENERICS:
                    try:
                        generic_type(full or "", ())
                    except TypeError as exc:
                        raise self.error(str(exc), node.pos) from None
                return super().resolve_type(node)
            info = apim
        if node.array_rank > 1:
            raise self.unsupported(f"type '{node.display()}'", node.pos)
        if node.array_rank:
            name = f"{info.full_name}[]"
            if node.nullable:  # `int?[]`: T? elements (the CLR's name for the array type)
                name = f"System.Nullable`1[{info.full_name}][]"
            element = info.stype.as_nullable() if node.nullable else info.stype
            return TypeInfo(name, array_of(element), CsTypeRef(name, (CsArray,)))
        return info

    def generic(self, node: s.TypeName) -> TypeInfo:
        args = tuple(
            self.nullable_info(self.resolve_type(arg)) if arg.nullable else self.resolve_type(arg)
            for arg in node.args
        )
        full = full_name(node.name) or node.name
        try:
            info = generic_type(full, args)
        except TypeError as exc:
            raise self.error(str(exc), node.pos) from None
        if info is None:
            try:
                resolve(node.name)  # refuses forbidden (`Func<int>`) and unknown names
            except TypeLookupError as exc:
                raise self.type_error(exc, node.pos) from None
            raise self.unsupported(f"type '{node.display()}'", node.pos)
        return info

    def nullable_info(self, info: TypeInfo) -> TypeInfo:
        ref = info.ref
        if ref is not None:
            ref = CsTypeRef(ref.name, ref.classes, None, is_value_type=False)
        return TypeInfo(info.full_name, info.stype.as_nullable(), ref)

    # --- creation -------------------------------------------------------------------------------

    def no_constructor(self, info: TypeInfo, node: s.ObjectNew) -> Code:
        """`new T(...)` for a type without a constructor of ours: a value type's default
        (`new int()`), csc's refusal for static and abstract classes, or not supported yet."""
        ref, name = info.ref, info.full_name
        if ref is not None and ref.is_value_type and ref.default is not None:
            if node.args or node.adds or node.members:
                raise self.error(
                    f"'{name}' does not contain a constructor that takes {len(node.args)} "
                    "arguments",
                    node.pos,
                )
            return self.constant(ref.default, info.stype)
        if name in _STATIC_CLASSES:
            raise self.error(f"Cannot create an instance of the static class '{name}'", node.pos)
        if name in _ABSTRACT_CLASSES:
            raise self.error(
                f"Cannot create an instance of the abstract type or interface '{name}'", node.pos
            )
        if name in _NO_PUBLIC_CONSTRUCTOR:
            raise self.error(f"The type '{name}' has no constructors defined", node.pos)
        raise self.unsupported(f"creating objects of type '{name}'", node.pos)

    def x_ObjectNew(self, node: s.ObjectNew) -> Code:
        info = self.resolve_type(node.type)
        if info.ctor is None:
            return self.no_constructor(info, node)
        if refuses(info.full_name, ".ctor", len(node.args), info.ctor, bound=False):
            raise self.error(  # csc: CS1729
                f"'{info.full_name}' does not contain a constructor that takes "
                f"{len(node.args)} arguments",
                node.pos,
            )
        args, _ = self.call_args(node.args, None)
        args = self.check_argument_kinds(info.full_name, ".ctor", node, node.pos, args)
        if info.full_name == Regex.CS_TYPE:
            self.check_constant_pattern(node.args, 0)
        self.check_named_arguments(info.ctor, node.args, info.full_name, ".ctor")
        ctor: object = info.ctor
        copy = getattr(info.stype.py, "copy_of", None)  # JObject(JObject), JArray(JArray)
        if copy is not None and [t.py for t in self.last_arg_types] == [info.stype.py]:
            ctor = copy
        code = f"{self.names.constant(ctor)}({args.removeprefix(', ')})"
        if not (node.adds or node.members):
            return Code(code, info.stype)
        table = static_table(info.stype)
        temp = self.names.temp()
        steps: list[str] = []
        if node.adds and table is not None and "Add" not in table.methods:
            raise self.error(
                f"Cannot initialize type '{info.full_name}' with a collection initializer "
                "because it does not implement 'System.Collections.IEnumerable'",
                node.pos,
            )
        element = info.stype.element if info.stype.py in _SEQUENCES else None
        params = parameter_types("Add", info.stype)
        for add in node.adds:
            if table is not None and refuses(
                info.full_name, "Add", len(add), table.methods.get("Add"), bound=True
            ):  # `new List<int> { { 1, 2 } }`: csc's CS1501
                raise self.arity_error("Add", len(add), add[0].pos)
            codes = [self.operand(item) for item in add]
            if element is not None and len(add) == 1:  # `new List<int> { "a" }`: csc refuses
                codes = [self.implicit_to(codes[0], element, add[0])]
            elif len(params) == len(add):  # a Dictionary's `{ key, value }`
                codes = [
                    code if param is None else self.implicit_to(code, param, item)
                    for code, param, item in zip(codes, params, add, strict=True)
                ]
            items = "".join(", " + code.text for code in codes)
            steps.append(f"_call({temp}, 'Add'{items})")
        for member in node.members:
            value_code = self.operand(member.value)
            if member.name is None:  # `["a"] = 1`: the indexer's key and value types
                stored = collection_element(info.stype)
                if stored is not None:
                    value_code = self.implicit_to(value_code, stored, member.value)
                keys = "".join(self.operand(key).text + ", " for key in member.index)
                steps.append(f"_setidx({temp}, {keys}{value_code.text})")
                continue
            value = value_code.text
            if table is not None and member.name not in table.setters:
                known = member.name in table.props
                raise self.error(
                    f"Property or indexer '{info.full_name}.{member.name}' cannot be assigned "
                    "to -- it is read only"
                    if known
                    else f"'{info.full_name}' does not contain a definition for '{member.name}'",
                    member.pos,
                )
            steps.append(f"_set({temp}, {member.name!r}, {value})")
        return Code(f"(({temp} := {code}), {', '.join(steps)}, {temp})[-1]", info.stype)

    def x_AnonNew(self, node: s.AnonNew) -> Code:
        names = tuple(name for name, _ in node.members)
        for name, value in node.members:
            problem = check_member_name(name)
            if problem:
                raise self.unsupported(problem, value.pos)
        values = [self.operand(value) for _, value in node.members]
        cls = anon_class(names)
        return Code(
            f"{self.names.constant(cls)}({', '.join(v.text for v in values)})",
            SType("<anonymous type>", cls, args=tuple(v.type for v in values)),
        )

    def x_ArrayNew(self, node: s.ArrayNew) -> Code:
        if node.items is None:
            assert node.element is not None and node.size is not None
            ref = self.type_ref(node.element)
            size = self.operand(node.size)
            if size.type.known and not size.type.numeric:
                raise self.error(
                    f"Cannot implicitly convert type '{size.type.name}' to 'int'", node.size.pos
                )
            element = self.type_arg_stype(node.element)  # `new int?[3]` holds int? values
            code = Code(f"_newarr({self.names.constant(ref)}, {size.text})", array_of(element))
            return self.with_element_name(code, node)
        size_node = node.size
        if size_node is not None:
            if not isinstance(size_node, s.Literal):
                raise self.error("A constant value is expected", size_node.pos)
            if size_node.value != len(node.items):
                raise self.error(
                    f"An array initializer of length '{size_node.value}' is expected", node.pos
                )
        return self.with_element_name(super().x_ArrayNew(node), node)

    def with_element_name(self, code: Code, node: s.ArrayNew) -> Code:
        """The new array tagged with its element type's CLR name, which only the static type
        knows (an `int[]` holds Python ints like a `long[]`): `ToString` prints it."""
        if node.element is not None:
            full, nullable = self.resolve_type(node.element).full_name, node.element.nullable
        elif code.type.element is not None and code.type.element.known:
            full, nullable = code.type.element.name, code.type.element.nullable
        else:
            return code
        info = IMPLEMENTED.get(full)
        value_type = info is not None and info.ref is not None and info.ref.is_value_type
        name = clr_element_name(full, nullable and value_type)
        if name is None:
            return code
        return Code(f"{self.names.constant(of_element)}({code.text}, {name!r})", code.type)


__all__ = ["CreationTranslator"]
