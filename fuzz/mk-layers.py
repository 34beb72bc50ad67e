#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Seeds for fuzz-ctr-unpack-apply: layers written by tarfile, ordinary and hostile.

The target applies each into /mnt/w/root beside /mnt/w/sentinel; the hostile
ones try to reach the sentinel through links, "..", whiteouts and hard links.
"""
import io
import os
import sys
import tarfile

S = "/mnt/w/sentinel"


def entry(name, kind=tarfile.REGTYPE, data=b"", link="", mode=0o644, **kw):
    ti = tarfile.TarInfo(name)
    ti.type, ti.linkname, ti.mode, ti.mtime = kind, link, mode, 1700000000
    ti.size = len(data) if kind == tarfile.REGTYPE else 0
    for k, v in kw.items():
        setattr(ti, k, v)
    return ti, io.BytesIO(data) if kind == tarfile.REGTYPE else None


def layer(path, entries, fmt=tarfile.PAX_FORMAT):
    with tarfile.open(path, "w", format=fmt) as t:
        for ti, f in entries:
            if f:
                f.seek(0)
            t.addfile(ti, f)


def d(name):
    return entry(name, tarfile.DIRTYPE, mode=0o755)


def sym(name, target):
    return entry(name, tarfile.SYMTYPE, link=target, mode=0o777)


def hard(name, target):
    return entry(name, tarfile.LNKTYPE, link=target)


LAYERS = {
    "basic": [
        d("etc"), entry("etc/hello", data=b"hello\n"), d("usr"), d("usr/bin"),
        entry("usr/bin/tool", data=b"#!/bin/sh\n", mode=0o4755, uid=0, gid=0),
        sym("bin", "usr/bin"), hard("etc/hello2", "etc/hello"),
        entry("dev-null", tarfile.CHRTYPE, devmajor=1, devminor=3),
        entry("fifo", tarfile.FIFOTYPE), entry("etc/.wh.gone"), d("var"),
        entry("var/.wh..wh..opq"),
        entry("x" * 150 + "/" + "y" * 120, data=b"long"),
        entry("xattr", data=b"x", pax_headers={"SCHILY.xattr.user.k": "v",
                                              "SCHILY.xattr.security.capability": "\x01"}),
    ],
    "escape-symlink": [
        sym("a", S), entry("a/pwned", data=b"a"),
        sym("b", "../sentinel"), entry("b/pwned", data=b"b"),
        sym("c", "../../w/sentinel"), d("c/sub"), entry("c/sub/f", data=b"c"),
        sym("l1", "l2"), sym("l2", "../sentinel/dir"), entry("l1/f", data=b"l"),
        sym("up", ".."), entry("up/sentinel/file", data=b"over"),
    ],
    "escape-dotdot": [
        entry("../sentinel/x", data=b"x"), entry("/../sentinel/y", data=b"y"),
        entry("./../../w/sentinel/z", data=b"z"), d("../sentinel/d"),
        entry("a/../../sentinel/q", data=b"q"),
    ],
    "escape-hardlink": [
        hard("h1", "../sentinel/file"), hard("h2", S + "/file"),
        sym("s", S), hard("h3", "s/file"), hard("h4", "s"),
    ],
    "escape-whiteout": [
        entry("../.wh.sentinel"), sym("p", ".."), entry("p/.wh.sentinel"),
        sym("q", S), entry("q/.wh..wh..opq"), entry("q/.wh.file"),
    ],
    "replace": [
        sym("d", S), d("d"), entry("d/f", data=b"f"),
        d("e"), entry("e/f", data=b"1"), sym("e", S), entry("e/g", data=b"2"),
        entry("sentinel-file", data=b"s"), sym("sentinel-file", S + "/file"),
        entry("sentinel-file", data=b"t"),
    ],
}


def sparse_layer():
    """GNU sparse files, pax 0.1 (map in a record) and 1.0 (map leading the data)."""
    m10 = b"2\n0\n2\n8\n2\n"
    return [
        entry("GNUSparseFile.0/s01", data=b"abcd", pax_headers={
            "GNU.sparse.map": "0,2,8,2", "GNU.sparse.realsize": "10",
            "GNU.sparse.name": "s01"}),
        entry("GNUSparseFile.0/s10", data=m10 + b"\0" * (512 - len(m10)) + b"abcd", pax_headers={
            "GNU.sparse.major": "1", "GNU.sparse.minor": "0", "GNU.sparse.name": "s10",
            "GNU.sparse.realsize": "10"}),
    ]


def main(outdir):
    os.makedirs(outdir, exist_ok=True)
    for name, entries in LAYERS.items():
        layer(os.path.join(outdir, name + ".tar"), entries)
    layer(os.path.join(outdir, "gnu.tar"), LAYERS["basic"][:9], fmt=tarfile.GNU_FORMAT)
    layer(os.path.join(outdir, "ustar.tar"), LAYERS["escape-symlink"], fmt=tarfile.USTAR_FORMAT)
    layer(os.path.join(outdir, "sparse.tar"), sparse_layer())


main(sys.argv[1])
