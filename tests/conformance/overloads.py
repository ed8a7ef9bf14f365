"""Regenerates `src/certgate/core/expr/netoverloads.py`: how many arguments each public method
and constructor of APIM's allowed types takes, read by reflection from Mono's class libraries
(the compiler refuses `"abc".Substring()` with csc's CS1501 when no overload takes that many).

Run: `.venv/bin/python -m tests.conformance.overloads` (needs `mcs` and `mono`, see `.ci/run`).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from certgate.core.expr import typenames

from .oracle import NEWTONSOFT

OUTPUT = Path(__file__).resolve().parents[2] / "src/certgate/core/expr/netoverloads.py"
_GENERICS = (
    "System.Collections.Generic.List`1 System.Collections.Generic.Dictionary`2 "
    "System.Collections.Generic.HashSet`1 System.Collections.Generic.Queue`1 "
    "System.Collections.Generic.Stack`1 System.Collections.Generic.KeyValuePair`2 "
    "System.Nullable`1"
).split()
_DUMP = r"""
using System; using System.IO; using System.Linq; using System.Reflection;
using System.Collections.Generic;
class Dump {
    // the types of the arguments certgate judges: an interface none of them implements
    // (IFormatProvider) takes none of them
    static readonly Type[] Samples = { typeof(string), typeof(bool), typeof(char), typeof(sbyte),
        typeof(byte), typeof(short), typeof(ushort), typeof(int), typeof(uint), typeof(long),
        typeof(ulong), typeof(float), typeof(double), typeof(decimal), typeof(string[]),
        typeof(char[]), typeof(object[]) };
    static char Kind(Type t) {
        if (t == typeof(object)) return 'O';
        if (t.IsByRef || t.IsGenericParameter) return 'X';
        if (t.IsGenericType && (t.Name.Contains("Span`1") || t.Name.Contains("Memory`1"))) {
            // an array converts to a (ReadOnly)Span/Memory; a string only to ReadOnlySpan<char>
            bool text = t.Name.StartsWith("ReadOnly") && t.GetGenericArguments()[0] == typeof(char);
            return text ? 'S' : 'A';
        }
        if (t == typeof(string)) return 'S';
        if (t == typeof(bool)) return 'B';
        if (t == typeof(char)) return 'C';
        if (t.IsEnum) return 'E';
        switch (Type.GetTypeCode(t)) {  // each number its own kind: C# converts some implicitly
            case TypeCode.SByte: return 'G';
            case TypeCode.Byte: return 'Y';
            case TypeCode.Int16: return 'T';
            case TypeCode.UInt16: return 'W';
            case TypeCode.Int32: return 'I';
            case TypeCode.UInt32: return 'U';
            case TypeCode.Int64: return 'L';
            case TypeCode.UInt64: return 'K';
            case TypeCode.Single: return 'F';
            case TypeCode.Double: return 'D';
            case TypeCode.Decimal: return 'M';
        }
        if (t == typeof(string[])) return 'R';
        if (t == typeof(char[])) return 'H';
        if (t.IsArray) return 'A';
        if (t.IsEnum) return 'E';
        // a struct takes no string, bool, char, number or null (`Nullable<T>` takes both)
        if (t.IsValueType && Nullable.GetUnderlyingType(t) == null) return 'V';
        // a class other than Array and ValueType takes none of these either, unless it
        // converts them implicitly (XName from a string, JToken from a number)
        bool open = t == typeof(Array) || t == typeof(ValueType)
            || t == typeof(Enum) || t.ContainsGenericParameters || !(t.IsClass || t.IsInterface)
            || t.IsInterface && Samples.Any(s => t.IsAssignableFrom(s))
            || t.GetMethods(BindingFlags.Public | BindingFlags.Static | BindingFlags.FlattenHierarchy)
                .Any(m => m.Name == "op_Implicit");
        return open ? 'X' : 'Q';
    }
    static string Range(ParameterInfo[] ps) {
        bool rest = ps.Length > 0 && ps[ps.Length - 1].IsDefined(typeof(ParamArrayAttribute), false);
        int min = ps.Count(p => !p.IsOptional && !p.IsDefined(typeof(ParamArrayAttribute), false));
        var kinds = new string(ps.Select(p => Kind(p.ParameterType)).ToArray());
        if (rest) kinds = kinds.Substring(0, kinds.Length - 1)
            + char.ToLowerInvariant(Kind(ps[ps.Length - 1].ParameterType.GetElementType()));
        return min + ":" + (rest ? -1 : ps.Length) + ":" + kinds;
    }
    static void Main(string[] args) {
        var assemblies = new[] { typeof(string).Assembly, typeof(Uri).Assembly,
            typeof(System.Linq.Enumerable).Assembly, typeof(System.Xml.Linq.XElement).Assembly,
            typeof(Newtonsoft.Json.Linq.JObject).Assembly, typeof(System.Xml.XmlNodeType).Assembly };
        var flags = BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static
            | BindingFlags.FlattenHierarchy;
        foreach (var name in File.ReadAllLines(args[0])) {
            var type = assemblies.Select(a => a.GetType(name)).FirstOrDefault(t => t != null);
            if (type == null || type.IsEnum) continue;  // enums: values, no calls to check
            var groups = new SortedDictionary<string, SortedSet<string>>(StringComparer.Ordinal);
            var enums = new SortedSet<string>(StringComparer.Ordinal);
            Action<string, ParameterInfo[]> add = (key, ps) => {
                if (!groups.ContainsKey(key)) groups[key] = new SortedSet<string>(StringComparer.Ordinal);
                groups[key].Add(Range(ps));
                for (int i = 0; i < ps.Length; i++)
                    if (ps[i].ParameterType.IsEnum)
                        enums.Add("ENUM|" + name + "|" + key + "|" + i + "|" + ps[i].ParameterType.FullName);
            };
            foreach (var m in type.GetMethods(flags))
                if (!m.IsSpecialName && m.DeclaringType != typeof(object))
                    add((m.IsStatic ? "=" : "") + m.Name, m.GetParameters());
            foreach (var c in type.GetConstructors()) add(".ctor", c.GetParameters());
            if (type.IsValueType) add(".ctor", new ParameterInfo[0]);  // `new Guid()`
            foreach (var g in groups)
                Console.WriteLine(name + "|" + g.Key + "|" + string.Join(",", g.Value));
            foreach (var e in enums) Console.WriteLine(e);
        }
    }
}
"""
_HEADER = '''"""How many arguments the public methods and constructors of APIM's allowed types take:
generated by `tests/conformance/overloads.py` from Mono's class libraries, not hand-edited.

Each line is `Type|member|min:max:kinds,...`, one entry per overload (`=Name` for a static
method, `.ctor` for the constructors, max -1 for a `params` array; System.Object's own members
left out). `kinds` has a letter per parameter: S string, B bool, C char, a number (G sbyte,
Y byte, T short, W ushort, I int, U uint, L long, K ulong, F float, D double, M decimal), R a
string[], H a char[], A another array, E an enum, V another struct, Q a class or interface
that takes none of these, O object, X anything else (an interface a string or number
implements, a generic type, a class with implicit conversions; lower case: the element of a
`params` array). Mono's
libraries lag .NET 8 by a few overloads, so the compiler also accepts what certgate's own
implementation takes (`arity` reads it).

`ENUMS` names the enum of each E parameter, as `Type|member|index|Enum` (the constant 0 passed
there is that enum's zero).
"""

from __future__ import annotations

DATA = """
'''
_MIDDLE = '"""\n\nENUMS = """\n'
_FOOTER = '"""\n'


def main() -> int:
    names = [n for n in typenames._ALLOWED if not n.startswith("System.Collections.Generic.")]
    with tempfile.TemporaryDirectory() as temp:
        work = Path(temp)
        (work / "types.txt").write_text("\n".join([*names, *_GENERICS]) + "\n")
        (work / "dump.cs").write_text(_DUMP)
        subprocess.run(
            ["mcs", "-nologo", f"-r:{NEWTONSOFT}", "-r:System.Xml.Linq.dll", "-r:System.Core.dll",
             "-r:System.Xml.dll", f"-out:{work / 'dump.exe'}", str(work / "dump.cs")],
            check=True,
        )  # fmt: skip
        listing = subprocess.run(
            ["mono", str(work / "dump.exe"), str(work / "types.txt")],
            check=True,
            capture_output=True,
            text=True,
            env={"MONO_PATH": str(NEWTONSOFT.parent), "PATH": "/usr/bin:/bin"},
        ).stdout
    lines = [line for line in listing.splitlines() if not line.startswith("ENUM|")]
    enums = [line.removeprefix("ENUM|") for line in listing.splitlines() if line not in lines]
    text = _HEADER + "\n".join(lines) + "\n" + _MIDDLE + "\n".join(enums) + "\n" + _FOOTER
    OUTPUT.write_text(text, encoding="utf-8")
    print(f"{OUTPUT}: {len(lines)} members")
    return 0


if __name__ == "__main__":
    sys.exit(main())
