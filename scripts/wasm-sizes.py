#!/usr/bin/env python3
"""Where the bytes of a wasm bundle go: code size per crate (from the name
section of a wasm built without wasm-opt's stripping), data, and the largest
functions. Usage: python3 scripts/wasm-sizes.py path/to/file.wasm [top N]"""
import re
import sys
from collections import defaultdict


def leb(b, i):
    r = s = 0
    while True:
        x = b[i]
        i += 1
        r |= (x & 0x7F) << s
        s += 7
        if x < 0x80:
            return r, i


def demangle_legacy(name):
    """_ZN6tachys4view5tuple...E → tachys::view::tuple… (enough to tell crates)."""
    if not name.startswith("_ZN"):
        return name
    i, parts = 3, []
    while i < len(name) and name[i].isdigit():
        j = i
        while name[j].isdigit():
            j += 1
        n = int(name[i:j])
        parts.append(name[j:j + n])
        i = j + n
    s = "::".join(parts)
    for a, b in (("$LT$", "<"), ("$GT$", ">"), ("$u20$", " "), ("$RF$", "&"), ("$C$", ","), ("$LP$", "("), ("$RP$", ")"), ("..", "::"), ("$u7b$", "{"), ("$u7d$", "}")):
        s = s.replace(a, b)
    return s


def crate_of(name):
    if name.startswith("_R"):
        m = re.search(r"C(?:s[0-9A-Za-z]*_)?\d+([a-z_][a-z0-9_]*)", name)
        return m.group(1) if m else "(other)"
    s = demangle_legacy(name)
    s = re.sub(r"^_?", "", s)
    # <Type as Trait>::f: the type's crate, or the trait's for a generic T.
    m = re.match(r"<&?(?:mut )?([A-Za-z_][A-Za-z0-9_]*)(::)?.*? as ([A-Za-z_][A-Za-z0-9_]*)", s)
    if m:
        return m.group(1) if m.group(2) else m.group(3)
    m = re.match(r"<*&?(?:mut )?([A-Za-z_][A-Za-z0-9_]*)::", s)
    return m.group(1) if m else "(other)"


def main():
    path = sys.argv[1]
    top = int(sys.argv[2]) if len(sys.argv) > 2 else 25
    b = open(path, "rb").read()
    i = 8
    sections = []
    while i < len(b):
        sid = b[i]
        size, j = leb(b, i + 1)
        sections.append((sid, j, size))
        i = j + size
    imported = 0
    bodies = []
    names = {}
    data = 0
    for sid, start, size in sections:
        if sid == 2:  # imports: count imported functions (they take indices)
            n, k = leb(b, start)
            for _ in range(n):
                for _ in range(2):
                    ln, k = leb(b, k)
                    k += ln
                kind = b[k]
                k += 1
                if kind == 0:
                    _, k = leb(b, k)
                    imported += 1
                elif kind == 1:
                    k += 1
                    flags, k = leb(b, k)
                    _, k = leb(b, k)
                    if flags & 1:
                        _, k = leb(b, k)
                elif kind == 2:
                    flags, k = leb(b, k)
                    _, k = leb(b, k)
                    if flags & 1:
                        _, k = leb(b, k)
                elif kind == 3:
                    k += 2
        elif sid == 10:
            n, k = leb(b, start)
            for _ in range(n):
                sz, k2 = leb(b, k)
                bodies.append(sz + (k2 - k))
                k = k2 + sz
        elif sid == 11:
            data += size
        elif sid == 0:
            ln, k = leb(b, start)
            if b[k:k + ln] == b"name":
                k += ln
                end = start + size
                while k < end:
                    sub = b[k]
                    ssz, k2 = leb(b, k + 1)
                    if sub == 1:
                        n, m = leb(b, k2)
                        for _ in range(n):
                            idx, m = leb(b, m)
                            ln2, m = leb(b, m)
                            names[idx] = b[m:m + ln2].decode("utf-8", "replace")
                            m += ln2
                    k = k2 + ssz
    per_crate = defaultdict(int)
    funcs = []
    for n, sz in enumerate(bodies):
        name = names.get(n + imported, f"func{n + imported}")
        funcs.append((sz, name))
        per_crate[crate_of(name)] += sz
    code = sum(bodies)
    print(f"{path}: {len(b)} B; code {code} B in {len(bodies)} functions; data {data} B; names for {len(names)}")
    for crate, sz in sorted(per_crate.items(), key=lambda x: -x[1])[:top]:
        print(f"  {sz:9d} B  {100 * sz / code:5.1f}%  {crate}")
    print("largest functions:")
    for sz, name in sorted(funcs, reverse=True)[:top]:
        print(f"  {sz:9d} B  {demangle_legacy(name)[:150]}")


if __name__ == "__main__":
    main()
