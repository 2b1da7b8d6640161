#!/usr/bin/env python3
"""Format v2 written and read by a second implementation, from FORMAT.md's text alone.

usage: v2_interop.py COFFER_BINARY SCRATCH_DIR

write_v2() builds a `coffer/v2` container (FORMAT.md §2-§5) and read_v2() parses one,
checking the §5 rules it can cheaply; both use Python's `cryptography` and the `zstd`
command, never Coffer's code. The test:
  (0) read_v2(write_v2(tree)) gives the tree back, and hostile changes are refused;
  (a) a container made by write_v2 to a key from `coffer keygen` is listed and
      decrypted by the real `coffer`, and the files compared;
  (b) the real `coffer encrypt` makes a container of a tree, which read_v2 reads back.
A `coffer encrypt` that does not write a `coffer/v2` header fails the test.
"""
import hashlib
import os
import shutil
import struct
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey  # noqa: E402

from formatlib import (MiB, Damaged, Reader, bech32_decode, fail, open_payload, raw,  # noqa: E402
                       read_header, seal, write_header, zstd_compress, zstd_one_frame)
# encode_table and entries_of are here for appendix_test (A.3) too.
from v2_archive import encode_table, entries_of, read_archive, scan_key, u32, write_archive  # noqa: E402,F401


def write_v2(tree, recipient_x25519_public, out=None, signer=None, fixed=None, **kw):
    """A `coffer/v2` container of `tree` ({path: (kind, mode, (mtime_s, mtime_ns), bytes)},
    kind "dir" or "file") for one X25519 recipient; written to `out` (a path) if given.
    `fixed` may give file_key, ephemeral and payload_salt (Appendix A.3); else random."""
    fixed = fixed or {}
    fk = fixed.get("file_key") or os.urandom(32)
    header = write_header(fk, recipient_x25519_public, fixed.get("ephemeral") or os.urandom(32))
    plain = write_archive(tree, [(1, recipient_x25519_public)], signer, **kw)
    c = header + seal(fk, fixed.get("payload_salt") or os.urandom(24), plain)
    if out:
        with open(out, "wb") as f:
            f.write(c)
    return c


def read_v2(container, x25519_secret, report=None):
    """The tree of a `coffer/v2` container: {path: (kind, mode, (mtime_s, mtime_ns), bytes)}."""
    version, fk, at = read_header(container, x25519_secret)
    if version != "coffer/v2":
        fail(f"{version} is not format v2", "unsupported version")
    tree, info = read_archive(open_payload(fk, container[at:]))
    if report is not None:
        report.update(info)
    return tree


# --- hostile changes, for the self-test --------------------------------------------------

def reseal(container, secret, change):
    """The container with its plaintext changed by `change(plain)`, sealed again under its key."""
    _, fk, at = read_header(container, secret)
    plain = open_payload(fk, container[at:])
    return container[:at] + seal(fk, container[at:at + 24], change(plain))


def split_archive(plain):
    ioff, ilen = struct.unpack_from("<QQ", plain, len(plain) - 24)
    d = zstd_one_frame(plain[ioff:ioff + ilen], 1, 1 << 26)
    return plain[:ioff], bytearray(d)


def join_archive(body, d):
    frame = zstd_compress(bytes(d))
    return body + frame + b"CFTR" + struct.pack("<IQQQ", 2, len(body), len(frame), len(d))


def change_directory(f):
    def change(plain):
        body, d = split_archive(plain)
        f(d)
        return join_archive(body, d)
    return change


def change_table(k, f):
    """Segment k's table changed by f(bytearray), compressed again, the rows after it moved."""
    def change(plain):
        body, d = split_archive(plain)
        nseg = struct.unpack_from("<I", d, 12)[0]
        rowlen = (len(d) - 24 - 33 * struct.unpack_from("<I", d, 20 + nseg * 20)[0]) // nseg if nseg else 20
        off, sl, _, n = struct.unpack_from("<QIII", d, 20 + k * rowlen)
        table = bytearray(zstd_one_frame(body[off + 8:off + 8 + sl], 1, 1 << 24))
        f(table)
        frame = zstd_compress(bytes(table))
        body = body[:off] + b"CFSG" + u32(len(frame)) + frame + body[off + 8 + sl:]
        struct.pack_into("<QIII", d, 20 + k * rowlen, off, len(frame), len(table), n)
        for j in range(k + 1, nseg):
            (o,) = struct.unpack_from("<Q", d, 20 + j * rowlen)
            struct.pack_into("<Q", d, 20 + j * rowlen, o + len(frame) - sl)
        return join_archive(body, d)
    return change


def kinds_at(table):
    r = Reader(bytes(table))
    r.take(8)
    r.varint(1 << 64)
    r.varint(1 << 64)
    (codec,) = r.take(1)
    if codec != 0xFF:
        r.varint(1 << 64)
    return r.at


def at_plain(offset_of, f):
    """Change bytes at an offset found in the plaintext by offset_of(plain)."""
    def change(plain):
        p = bytearray(plain)
        f(p, offset_of(p))
        return bytes(p)
    return change


HOSTILE = [
    ("trailer version 1 under coffer/v2", "damaged: trailer version 1", at_plain(lambda p: len(p) - 28, lambda p, i: p.__setitem__(i, 1))),
    ("directory version 4", "unsupported version: directory version", change_directory(lambda d: d.__setitem__(4, 4))),
    ("directory entry_count one more", "entry_count differs", change_directory(lambda d: struct.pack_into(
        "<I", d, 16, struct.unpack_from("<I", d, 16)[0] + 1))),
    ("row offset moved by one", "segment header differs from its row", change_directory(lambda d: struct.pack_into(
        "<Q", d, 20, struct.unpack_from("<Q", d, 20)[0] + 1))),
    ("an unknown directory flag", "directory flags", change_directory(lambda d: d.__setitem__(8, 4))),
    ("the first record's mode changed", "record differs from its entry", at_plain(lambda p: p.index(b"CFEN") + 6, lambda p, i: p.__setitem__(i, 0))),
    ("the first pack's content_size one more", "content size", at_plain(lambda p: p.index(b"CFPK") + 5,
                                                        lambda p, i: p.__setitem__(i, p[i] + 1))),
    ("an item magic that is none of CFEN, CFPK, CFSG", "magic where", at_plain(lambda p: 0, lambda p, i: p.__setitem__(i, 0x41))),
    ("a non-shortest varint (entry_count)", "non-shortest varint", change_table(0, lambda t: t.__setitem__(slice(8, 9), bytes([t[8] | 0x80, 0])))),
    ("an unknown table flag", "table flags", change_table(0, lambda t: t.__setitem__(4, t[4] | 4))),
    ("a byte left over in a table", "bytes left over", change_table(0, lambda t: t.extend(b"\0"))),
    ("kind 4", "damaged: kind", change_table(0, lambda t: t.__setitem__(kinds_at(t), 4))),
    ("member sizes that do not fill the stored pack", "differs from its members",
     change_table(1, lambda t: t.__setitem__(len(t) - 2, t[-2] - 1))),
    ("the first entry's prefix not 0", "prefix", change_table(0, lambda t: t.__setitem__(kinds_at(t) + t[8], 1))),
]


# --- the test --------------------------------------------------------------------------

FAILED = []


def check(name, got, want):
    ok = got == want
    print(("ok   " if ok else "FAIL ") + name)
    if not ok:
        print(f"       got:  {str(got)[:300]}\n       want: {str(want)[:300]}")
        FAILED.append(name)


def sample_tree(seed=b"v2"):
    """A folder, an empty file, small files for a zstd and a stored pack, one file above 4 MiB."""
    rnd = hashlib.shake_256(seed).digest(5 * MiB + 4096)
    return {
        "docs": ("dir", 0o755, (1700000000, 0), b""),
        "docs/empty": ("file", 0o600, (1699999990, 0), b""),
        "docs/hello.txt": ("file", 0o644, (1700000100, 500000000), b"Hello, Coffer!\n"),
        "docs/notes.md": ("file", 0o640, (1700000160, 0), b"Coffer notes. " * 40 + b"\n"),
        "docs/sub": ("dir", 0o700, (1700000200, 0), b""),
        "docs/sub/deep.txt": ("file", 0o644, (1700000300, 123), b"deep\n"),
        "docs/page.1.gz": ("file", 0o644, (1700000400, 0), rnd[:700]),
        "docs/photo.jpg": ("file", 0o644, (1700000500, 0), rnd[700:3000]),
        "big.bin": ("file", 0o644, (1600000000, 250), rnd[4096:4096 + 5 * MiB]),
    }


def self_test():
    """(0) read_v2(write_v2(...)), unsigned and signed, and the hostile changes refused."""
    sk = hashlib.sha256(b"self-test x25519").digest()
    pub = raw(X25519PrivateKey.from_private_bytes(sk).public_key())
    tree = sample_tree()
    for name, kw in (("unsigned", {}), ("signed, zstd record", dict(signer=(sk, b"\x21" * 32), record_codec=1)),
                     ("tiny packs", dict(pack_cap=100))):
        report = {}
        c = write_v2(tree, pub, **kw)
        check(f"(0) {name}: read_v2(write_v2(tree)) == tree", read_v2(c, sk, report), tree)
        check(f"(0) {name}: header line", c.split(b"\n", 1)[0], b"coffer/v2")
        print(f"     {len(c)} bytes, {report['segments']} segments, directory flags {report['flags']}")
    try:
        read_v2(write_v2(tree, pub), b"\x66" * 32)
        check("(0) another key: no key matched", "read", "no key matched")
    except Damaged as e:
        check("(0) another key: no key matched", str(e).split(":")[0], "no key matched")
    signed = write_v2(tree, pub, signer=(sk, b"\x21" * 32))
    for name, want, change in (
            ("signed: a byte of the stored pack changed", "pack_sha256 mismatch",
             at_plain(lambda p: p.rindex(b"CFPK") + 9, lambda p, i: p.__setitem__(i, p[i] ^ 1))),
            ("signed: a bit of the signature's R flipped", "signature does not verify",
             change_directory(lambda d: d.__setitem__(len(d) - 64, d[-64] ^ 1)))):
        try:
            read_v2(reseal(signed, sk, change), sk)
            got = "accepted"
        except Damaged as e:
            got = str(e)
        check(f"(0) hostile: {name}: refused ({got})", want in got, True)
    c = write_v2(tree, pub)
    for name, want, change in HOSTILE:
        try:
            read_v2(reseal(c, sk, change), sk)
            got = "accepted"
        except Damaged as e:
            got = str(e)
        check(f"(0) hostile: {name}: refused ({got})", want in got, True)
    return sk, pub


def run(coffer, args, scratch):
    env = dict(os.environ, COFFER_HOME=os.path.join(scratch, "home"), XDG_DATA_HOME=os.path.join(scratch, "xdg-data"),
               XDG_CONFIG_HOME=os.path.join(scratch, "xdg-config"), LC_ALL="C.UTF-8")
    return subprocess.run([coffer, *args], capture_output=True, env=env)


def make_tree(root, tree):
    for path in sorted(tree, key=scan_key):
        kind, mode, _, content = tree[path]
        full = os.path.join(root, path)
        if kind == "dir":
            os.makedirs(full, exist_ok=True)
        else:
            os.makedirs(os.path.dirname(full), exist_ok=True)
            with open(full, "wb") as f:
                f.write(content)
    for path in sorted(tree, key=scan_key, reverse=True):  # children first: a folder's time last
        kind, mode, (s, ns), _ = tree[path]
        os.chmod(os.path.join(root, path), mode)
        os.utime(os.path.join(root, path), ns=(s * 10**9 + ns, s * 10**9 + ns))


def read_tree(root):
    out = {}
    for dirpath, dirs, files in os.walk(root):
        for name in dirs + files:
            full = os.path.join(dirpath, name)
            st = os.lstat(full)
            rel = os.path.relpath(full, root)
            s, ns = divmod(st.st_mtime_ns, 10**9)
            kind = "dir" if os.path.isdir(full) else "file"
            out[rel] = (kind, st.st_mode & 0o777, (s, ns),
                        open(full, "rb").read() if kind == "file" else b"")
    return out


def main():
    coffer, scratch = sys.argv[1:3]
    os.umask(0o022)
    if not shutil.which("zstd"):
        print("SKIP: no zstd command")
        return 77
    self_test()
    if FAILED:
        print(f"{len(FAILED)} failed: " + ", ".join(FAILED))
        return 1
    shutil.rmtree(scratch, ignore_errors=True)
    os.makedirs(scratch)
    tree = sample_tree(b"coffer")
    keyfile = os.path.join(scratch, "key")
    r = run(coffer, ["keygen", "-o", keyfile], scratch)
    check("coffer keygen: exit code", r.returncode, 0)
    secret_line = [ln for ln in open(keyfile).read().splitlines() if ln.startswith("COFFER-SECRET-KEY-1")][0]
    card = [ln.split(": ", 1)[1] for ln in open(keyfile).read().splitlines() if ln.startswith("# card: ")][0]
    hrp, data = bech32_decode(secret_line)
    check("the secret key's HRP and length (§6)", (hrp, len(data), data[0]), ("coffer-secret-key-", 65, 1))
    sk = data[1:33]
    pub = raw(X25519PrivateKey.from_private_bytes(sk).public_key())
    # Does this coffer write v2? (b) needs it, and a reader of v2 for (a).
    src = os.path.join(scratch, "tree")
    make_tree(src, tree)
    made = os.path.join(scratch, "by-coffer.coffer")
    r = run(coffer, ["encrypt", "--no-sign", "-r", card, "-o", made, src], scratch)
    check("coffer encrypt: exit code", (r.returncode, r.stderr.decode()[:300]), (0, r.stderr.decode()[:300]))
    first = open(made, "rb").readline().strip() if os.path.exists(made) else b""
    check("coffer encrypt writes format v2 (§2.1)", first, b"coffer/v2")
    # (b) coffer writes, read_v2 reads
    report = {}
    try:
        got = read_v2(open(made, "rb").read(), sk, report)
    except Damaged as e:
        got = f"refused: {e}"
    st = os.stat(src)  # the top folder is stored under its name, with its own mode and time
    top = ("dir", st.st_mode & 0o777, divmod(st.st_mtime_ns, 10**9), b"")
    want = {"tree/" + p if p else "tree": v for p, v in {"": top, **tree}.items()}
    check("(b) read_v2 reads coffer encrypt's container: the tree", got, want)
    print(f"     {report.get('segments')} segments, directory flags {report.get('flags')}")
    # (a) write_v2 writes, coffer lists and decrypts
    path = os.path.join(scratch, "by-python.coffer")
    write_v2(tree, pub, path)
    r = run(coffer, ["list", "-i", keyfile, path], scratch)
    check("(a) coffer list: exit code", (r.returncode, r.stderr.decode()[:300]), (0, r.stderr.decode()[:300]))
    check("(a) coffer list names every entry", sorted(p for p in tree if p in r.stdout.decode()), sorted(tree))
    out = os.path.join(scratch, "out")
    r = run(coffer, ["decrypt", "-i", keyfile, "-o", out, path], scratch)
    check("(a) coffer decrypt: exit code", (r.returncode, r.stderr.decode()[:300]), (0, r.stderr.decode()[:300]))
    check("(a) coffer decrypt restores the tree", read_tree(out) if os.path.isdir(out) else None, tree)
    print(f"{len(FAILED)} failed" + (": " + ", ".join(FAILED) if FAILED else ""))
    return 1 if FAILED else 0


if __name__ == "__main__":
    sys.exit(main())
