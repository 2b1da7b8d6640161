#!/usr/bin/env python3
# Size model of the container's metadata, format v1 (docs/FORMAT.md §5) against
# the proposed format v2 (docs/FORMAT-v2.md §3): walks trees, builds both
# layouts' metadata bytes for real, compresses them with the `zstd` CLI, and
# compares the container sizes with a real `coffer encrypt` and with
# `tar | zstd -3 -T0 | age`.
#
#   bench/v2-model.py [--coffer BIN] [--levels 3,9,19] [--no-real] TREE...
#   bench/v2-model.py --tiny [...]      # also makes bench/scale.sh's 200,000
#                                       # tiny files under /dev/shm (removed after)
#
# Needs python3 (standard library only), zstd, tar, age, age-keygen. Content is
# packed as Coffer does (WRITER.md §3-§4: files <= 4 MiB that compress go into
# packs planned as ArchiveWriter::writeEntries does, zstd -3 with a 2^23 window
# and a 2^16 hash table; files of 4-16 MiB in one frame, bigger ones in 8 MiB
# frames), so both formats share the content bytes and differ only in what
# this script builds. Run it under `nice`.
import argparse
import os
import shutil
import stat
import subprocess
import sys
import tempfile

MiB = 1 << 20
PACK_LIMIT = 4 * MiB  # WRITER.md §3: files up to 4 MiB go into packs
PACK_STEADY = 15 * MiB
V2_PACK_MAX_MEMBERS = 65536  # FORMAT-v2 §3.4: a pack closes at 65,536 members
V2_SEGMENT_MAX_ENTRIES = 65536  # FORMAT-v2 §3.8: 65,536 pending entries close a segment
COMPRESSED_EXT = {"7z", "aac", "apk", "avi", "bz2", "coffer", "docx", "epub", "flac", "gif", "gpg", "gz",
                  "heic", "jar", "jpeg", "jpg", "lz", "lzma", "m4a", "m4v", "mkv", "mov", "mp3", "mp4",
                  "odt", "ogg", "opus", "png", "pptx", "rar", "webm", "webp", "xz", "zip", "zst", "xlsx",
                  "age"}


def zstd(data, level, extra=()):
    """Length of `data` compressed by the zstd CLI (single thread, content size declared)."""
    if not data:
        return 9  # an empty frame
    args = ["zstd", "-q", "-c", "--no-check", "-T1", f"--stream-size={len(data)}"]
    args += ["--ultra"] if level > 19 else []
    args += [f"-{level}", *extra]
    out = subprocess.run(args, input=data, stdout=subprocess.PIPE, check=True).stdout
    return len(out)


def pack_frame(data):
    # Coffer's pack frames: level 3, window 2^23, hash table 2^16 (WRITER.md §4).
    return zstd(data, 3, ["--zstd=wlog=23,hlog=16"])


def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def zigzag(n):
    return (n << 1) ^ (n >> 63)


class Entry:
    __slots__ = ("path", "kind", "mode", "mtime_s", "mtime_ns", "size", "src", "klass", "klass2")

    def __init__(self, path, kind, st, src):
        self.path = path
        self.kind = kind  # 1 file, 2 directory
        self.mode = st.st_mode & 0o777
        self.mtime_s = st.st_mtime_ns // 1_000_000_000
        self.mtime_ns = st.st_mtime_ns % 1_000_000_000
        self.size = st.st_size if kind == 1 else 0
        self.src = src
        self.klass = None  # "dir", "empty", "stored", "packed", "big"


def walk(root):
    """Coffer's order: a folder, then its children sorted by byte value; links etc. skipped."""
    top = os.path.basename(os.path.normpath(root)).encode()
    entries = []

    def visit(fs_path, rel):
        st = os.lstat(fs_path)
        if stat.S_ISDIR(st.st_mode):
            entries.append(Entry(rel, 2, st, fs_path))
            try:
                names = sorted(os.listdir(os.fsencode(fs_path)))
            except PermissionError:
                return
            for name in names:
                visit(os.path.join(fs_path, os.fsdecode(name)), rel + b"/" + name)
        elif stat.S_ISREG(st.st_mode):
            if os.access(fs_path, os.R_OK):
                entries.append(Entry(rel, 1, st, fs_path))

    visit(root, top)
    return entries


def read(e):
    with open(e.src, "rb") as f:
        return f.read()


def classify(entries):
    for e in entries:
        if e.kind == 2:
            e.klass = "dir"
        elif e.size == 0:
            e.klass = "empty"
        elif e.path.rsplit(b".", 1)[-1].decode(errors="replace").lower() in COMPRESSED_EXT and b"." in e.path.rsplit(b"/", 1)[-1]:
            e.klass = "stored"
        elif e.size <= PACK_LIMIT:
            e.klass = "packed"
        else:
            e.klass = "big"
    return entries


def plan_packs(members, max_members=None, threads=2):
    """ArchiveWriter::writeEntries' plan (WRITER.md §4): a pack ends once its content reaches
    min(cap, clamp(left / 2n, 1 MiB, 15 MiB)), cap doubling from 1 MiB, unless under 1 MiB
    would be left behind; never past 16 MiB. v2 adds a cap on members (FORMAT-v2 §3.4)."""
    left = sum(e.size for e in members)
    packs, cur, size, cap = [], [], 0, MiB
    for e in members:
        left -= e.size
        if cur and (size + e.size > 16 * MiB or (max_members and len(cur) >= max_members)):
            packs.append(cur)
            cur, size, cap = [], 0, min(cap * 2, PACK_STEADY)
        cur.append(e)
        size += e.size
        target = min(cap, max(MiB, min(PACK_STEADY, (size + left) // (2 * threads))))
        if size >= target and left >= MiB:
            packs.append(cur)
            cur, size, cap = [], 0, min(cap * 2, PACK_STEADY)
    if cur:
        packs.append(cur)
    return packs


def big_file(e, cache):
    """Stored bytes of a file > 4 MiB: codec 1 in 8 MiB frames if its first 4 MiB shrink by 3 % at level 1."""
    if e.path in cache:
        return cache[e.path]
    data = read(e)
    probe = data[:4 * MiB]
    if zstd(probe, 1) > 0.97 * len(probe):
        res = ("stored", len(data))
    elif len(data) <= 16 * MiB:  # one frame, made like a pack's
        res = ("zstd", pack_frame(data))
    else:
        res = ("zstd", sum(zstd(data[i:i + 8 * MiB], 3, ["--zstd=wlog=22"]) for i in range(0, len(data), 8 * MiB)))
    cache[e.path] = res
    return res


def payload_bytes(plain_len):
    # FORMAT.md §4: salt 24 + commitment 32, then 16-byte tags per 16 KiB chunk.
    return 56 + plain_len + 16 * (plain_len // 16384 + 1)


# ---------------------------------------------------------------- v1 (FORMAT.md §5)
def v1_model(entries, frames, big, signed):
    """Returns (plaintext length, metadata bytes, content bytes)."""
    meta = content = 0
    index = bytearray(b"CFIX" + (2 if signed else 1).to_bytes(4, "little") + (3 if signed else 0).to_bytes(4, "little"))
    index += len(entries).to_bytes(4, "little")
    body = bytearray()  # the fixed fields, to compress for real (numbers matter to zstd)

    def fields(e, codec, stored, offset):
        return (bytes([e.kind, codec]) + e.mode.to_bytes(2, "little") + e.mtime_s.to_bytes(8, "little", signed=True)
                + e.mtime_ns.to_bytes(4, "little") + e.size.to_bytes(8, "little")
                + stored.to_bytes(8, "little") + offset.to_bytes(8, "little"))

    offset = 0
    # Writer order: packs go out when full; directories and stored files as met.
    for kind, item in frames:
        if kind == "pack":
            members, stored_len = item
            size = sum(m.size for m in members)
            if len(members) == 1:  # a pack of one is a codec-1 entry
                m = members[0]
                body += fields(m, 1, stored_len, offset) + len(m.path).to_bytes(2, "little") + m.path
                body += os.urandom(32) if signed else b""
                meta += 30 + len(m.path)
                content += stored_len
                offset += 30 + len(m.path) + stored_len
                continue
            body += (bytes([3, 1]) + bytes(14) + size.to_bytes(8, "little") + stored_len.to_bytes(8, "little")
                     + offset.to_bytes(8, "little"))
            body += bytes(2) + (bytes(32) if signed else b"")
            meta += 30
            content += stored_len
            offset += 30 + stored_len
            for m in members:
                body += fields(m, 2, 0, offset) + len(m.path).to_bytes(2, "little") + m.path
                body += os.urandom(32) if signed else b""
                meta += 30 + len(m.path)
                offset += 30 + len(m.path)
        else:
            e = item
            if e.klass == "dir" or e.klass == "empty":
                stored_len, codec = 0, 0
            elif e.klass == "stored":
                stored_len, codec = e.size, 0
            else:
                c, stored_len = big[e.path]
                codec = 1 if c == "zstd" else 0
            body += fields(e, codec, stored_len, offset) + len(e.path).to_bytes(2, "little") + e.path
            body += os.urandom(32) if (signed and e.kind == 1) else (bytes(32) if signed else b"")
            meta += 30 + len(e.path)
            content += stored_len
            offset += 30 + len(e.path) + stored_len
    index += body
    index += (1).to_bytes(4, "little") + bytes([1]) + os.urandom(32)  # one X25519 recipient
    if signed:
        index += bytes([1]) + os.urandom(128)
    ix = zstd(bytes(index), 2)
    meta += ix + 32
    return offset + ix + 32, meta, content


# ---------------------------------------------------------------- v2 (FORMAT-v2.md §3)
def v2_segment(seg, keep_ns, signed):
    """Plaintext of one segment (FORMAT-v2.md §3.5): its entries' fields, column by column."""
    ents, pack, records = seg["entries"], seg["pack"], seg["records"]
    flags = (1 if keep_ns and any(e.mtime_ns for e in ents) else 0) | (2 if signed else 0)
    out = bytearray(b"CFSG") + flags.to_bytes(4, "little")
    out += varint(len(ents)) + varint(len(records))
    out += bytes([0xFF]) if pack is None else bytes([pack[0]]) + varint(pack[1])
    kinds, prefix, suffix_len, suffix = bytearray(), bytearray(), bytearray(), bytearray()
    modes, mtimes, nss, sizes = bytearray(), bytearray(), bytearray(), bytearray()
    prev_path, prev_t = b"", 0
    for e in ents:
        kinds.append({"dir": 0, "empty": 1, "packed": 2, "stored_packed": 2, "big": 3}[e.klass2])
        n = 0
        lim = min(len(prev_path), len(e.path))
        while n < lim and prev_path[n] == e.path[n]:
            n += 1
        prefix += varint(n)
        suffix_len += varint(len(e.path) - n)
        suffix += e.path[n:]
        prev_path = e.path
        modes += varint(e.mode)
        mtimes += varint(zigzag(e.mtime_s - prev_t))
        prev_t = e.mtime_s
        if flags & 1:
            nss += varint(e.mtime_ns)
        if e.klass2 in ("packed", "stored_packed", "big"):
            sizes += varint(e.size)
    out += kinds + prefix + suffix_len + suffix + modes + mtimes + nss + sizes
    for stored in records:
        out += varint(stored)
    if signed:  # SHA-256 of the pack's content and of each record file: random stand-ins
        out += os.urandom(32 * ((pack is not None) + len(records)))
    return bytes(out)


def v2_model(entries, packs_v2, pack_stored, big, keep_ns, signed, level):
    """Returns (container plaintext length, metadata bytes, content bytes, plain metadata bytes, segments).

    The writer of FORMAT-v2.md §3.8: entries other than pack members wait in `pending`
    (a big file's record and data go out at once); when a pack's last member is met,
    the pack goes out, then one segment with the pending entries and the pack's members,
    in scan order. 65,536 pending entries without a pack also close a segment.
    """
    pack_of = {}
    for i, p in enumerate(packs_v2):
        for m in p:
            pack_of[id(m)] = i
    last_of = {id(p[-1]): i for i, p in enumerate(packs_v2)}
    pos = {id(e): n for n, e in enumerate(entries)}
    meta = content = plain_meta = 0
    offset = 0
    segments = []
    pending = []

    def close(pack):
        nonlocal offset, meta, plain_meta, content, pending
        seg = {"entries": list(pending), "pack": None, "records": []}
        if pack is not None:
            p = packs_v2[pack]
            codec, stored = pack_stored[pack]
            meta += 9  # "CFPK", codec u8, content size u32
            content += stored
            offset += 9 + stored
            seg["pack"] = (codec, stored)
            seg["entries"] = sorted(seg["entries"] + p, key=lambda e: pos[id(e)])
        seg["records"] = [big[e.path][1] for e in seg["entries"] if e.klass2 == "big"]
        plain = v2_segment(seg, keep_ns, signed)
        stored = zstd(plain, level)
        segments.append((offset, stored, len(plain), len(seg["entries"])))
        meta += 8 + stored  # "CFSG" + u32 stored length, then the frame
        plain_meta += len(plain)
        offset += 8 + stored
        pending = []

    for e in entries:
        if e.klass2 in ("packed", "stored_packed"):
            if id(e) in last_of:
                close(last_of[id(e)])
            continue
        pending.append(e)
        if e.klass2 == "big":
            c, stored = big[e.path]
            meta += 30 + len(e.path)  # a v1 entry record stays in front of a big file
            content += stored
            offset += 30 + len(e.path) + stored
        if len(pending) >= V2_SEGMENT_MAX_ENTRIES:
            close(None)
    if pending or not segments:
        close(None)
    # Directory (FORMAT-v2.md §3.6): header, one row per segment, recipients, signature.
    ix = bytearray(b"CFIX" + (3).to_bytes(4, "little") + (3 if signed else 0).to_bytes(4, "little"))
    ix += len(segments).to_bytes(4, "little") + len(entries).to_bytes(4, "little")
    for off, stored, plain, count in segments:
        ix += off.to_bytes(8, "little") + stored.to_bytes(4, "little") + plain.to_bytes(4, "little")
        ix += count.to_bytes(4, "little") + (os.urandom(32) if signed else b"")
    ix += (1).to_bytes(4, "little") + bytes([1]) + os.urandom(32)
    if signed:
        ix += bytes([1]) + os.urandom(128)
    ixs = zstd(bytes(ix), 3)
    meta += ixs + 32
    plain_meta += len(ix)
    return offset + ixs + 32, meta, content, plain_meta, len(segments)


# ---------------------------------------------------------------- real runs
def real_coffer(coffer, tree, agepub, tmp):
    out = os.path.join(tmp, "t.coffer")
    parent, name = os.path.split(os.path.normpath(tree))
    subprocess.run(["nice", "-n", "19", coffer, "encrypt", "-r", agepub, "--force", "--no-sign", "-o", out, name],
                   cwd=parent, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=dict(os.environ, COFFER_HOME=os.path.join(tmp, "home")))
    size = os.path.getsize(out)
    with open(out, "rb") as f:
        head = f.read(65536)
    header = head.index(b"\n---") + 1
    header = head.index(b"\n", header) + 1
    os.unlink(out)
    return size, header


def real_pipeline(tree, agepub):
    parent, name = os.path.split(os.path.normpath(tree))
    cmd = f"tar -cf - -C '{parent}' '{name}' | zstd -3 -T0 -q | age -r {agepub} | wc -c"
    return int(subprocess.run(["nice", "-n", "19", "sh", "-c", cmd], check=True, stdout=subprocess.PIPE).stdout)


def make_tiny(base):
    """bench/scale.sh's tree: 200,000 files of ~50 bytes in 400 folders of 500."""
    root = os.path.join(base, "tiny")
    os.mkdir(root)
    for d in range(400):
        dd = os.path.join(root, "d%03d" % d)
        os.mkdir(dd)
        for f in range(500):
            n = d * 500 + f
            x = (n * 2654435761) % 4294967296
            with open(os.path.join(dd, "f%03d.txt" % f), "w") as fh:
                fh.write("tiny file %06d of 200000, check %08x, ok\n" % (n, x))
    return root


def model_tree(tree, args, agepub, tmp):
    entries = classify(walk(tree))
    nfiles = sum(1 for e in entries if e.kind == 1)
    big = {}
    for e in entries:
        if e.klass == "big":
            big_file(e, big)
    # v1 packs: compressible small files only; v2: all small non-empty files, compressible
    # ones in zstd packs, the rest in stored packs (FORMAT-v2 §3.4).
    packable_v1 = [e for e in entries if e.klass == "packed"]
    packs_v1 = plan_packs(packable_v1)
    for e in entries:
        e.klass2 = e.klass if e.klass != "stored" else "stored_packed"
    frame_cache = {}
    for p in packs_v1:
        key = tuple(id(m) for m in p)
        frame_cache[key] = pack_frame(b"".join(read(m) for m in p))
    frames = []
    last_of = {id(p[-1]): p for p in packs_v1}
    for e in entries:
        if e.klass == "packed":
            p = last_of.get(id(e))
            if p is not None:
                frames.append(("pack", (p, frame_cache[tuple(id(m) for m in p)])))
        else:
            frames.append(("entry", e))
    v1_plain, v1_meta, v1_content = v1_model(entries, frames, big, False)
    v1s_plain, v1s_meta, _ = v1_model(entries, frames, big, True)

    # v2 packs: compressible run and incompressible run planned separately, member cap 65,536.
    packs_v2, pack_stored = [], []
    for klass, codec in (("packed", 1), ("stored_packed", 0)):
        for p in plan_packs([e for e in entries if e.klass2 == klass], V2_PACK_MAX_MEMBERS):
            key = tuple(id(m) for m in p)
            if codec == 1:
                stored = frame_cache.get(key) or pack_frame(b"".join(read(m) for m in p))
            else:
                stored = sum(m.size for m in p)
            packs_v2.append(p)
            pack_stored.append((codec, stored))

    res = {"tree": tree, "files": nfiles, "entries": len(entries)}
    res["v1_plain"], res["v1_meta"], res["content"] = v1_plain, v1_meta, v1_content
    if args.real:
        res["real"], res["header"] = real_coffer(args.coffer, tree, agepub, tmp)
    else:
        res["real"], res["header"] = None, 150
    res["v1"] = res["header"] + payload_bytes(v1_plain)
    res["v1s"] = res["header"] + payload_bytes(v1s_plain)
    res["v1s_meta"] = v1s_meta
    res["pipe"] = real_pipeline(tree, agepub)
    for lv in args.levels:
        for ns in (False, True):
            for sg in (False, True):
                plain, meta, content, pm, nseg = v2_model(entries, packs_v2, pack_stored, big, ns, sg, lv)
                res[("v2", lv, ns, sg)] = (res["header"] + payload_bytes(plain), meta, content, pm, nseg)
    return res


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("trees", nargs="*")
    ap.add_argument("--tiny", action="store_true", help="also model bench/scale.sh's 200,000 tiny files")
    ap.add_argument("--coffer", default="/work/main/build/main/coffer")
    ap.add_argument("--levels", default="3,9,19")
    ap.add_argument("--no-real", dest="real", action="store_false", help="skip the real coffer run")
    args = ap.parse_args()
    args.levels = [int(x) for x in args.levels.split(",")]
    tmp = tempfile.mkdtemp(prefix="coffer-v2-model-", dir="/dev/shm")
    try:
        key = os.path.join(tmp, "age.key")
        subprocess.run(["age-keygen", "-o", key], check=True, stderr=subprocess.DEVNULL)
        agepub = subprocess.run(["age-keygen", "-y", key], check=True, stdout=subprocess.PIPE, text=True).stdout.strip()
        trees = list(args.trees)
        if args.tiny:
            trees.insert(0, make_tiny(tmp))
        results = []
        for t in trees:
            r = model_tree(t, args, agepub, tmp)
            results.append(r)
            report(r, args.levels)
            sys.stdout.flush()
            if args.tiny and t == trees[0]:
                shutil.rmtree(t)
        table(results, args.levels)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def pct(a, b):
    return 100.0 * (a - b) / b


def report(r, levels):
    print(f"\n# {r['tree']}: {r['files']} files, {r['entries']} entries")
    print(f"  content (pack frames, stored and big files): {r['content']}")
    real = r["real"]
    if real:
        print(f"  v1 model {r['v1']}  real coffer {real}  (model {pct(r['v1'], real):+.2f} %)")
    else:
        print(f"  v1 model {r['v1']}")
    print(f"  v1 metadata {r['v1_meta']} B ({r['v1_meta'] / r['files']:.1f} B/file); signed {r['v1s_meta']} B")
    print(f"  tar|zstd -3|age {r['pipe']}")
    for lv in levels:
        for ns in (False, True):
            for sg in (False, True):
                size, meta, content, pm, nseg = r[("v2", lv, ns, sg)]
                print(f"  v2 level {lv:2d} ns={'keep' if ns else 'drop'} {'signed  ' if sg else 'unsigned'}: "
                      f"{size} ({size / r['pipe']:.3f}x, {pct(size, r['pipe']):+.2f} %), metadata {meta} B "
                      f"({meta / r['files']:.2f} B/file; plain {pm}, {nseg} segments)")


def table(results, levels):
    """The v2 estimate is also projected onto the real container: real - v1 model + v2 model."""
    lv = 3 if 3 in levels else levels[0]
    print(f"\n| tree | files | tar\\|zstd -3\\|age | v1, real coffer | v1 model | v2 model (zstd -{lv}) | "
          "**v2 projected** | v2 signed | v2 without ns | metadata B/file v1 → v2 |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        v2, v2s, v2d = (r[("v2", lv, True, False)], r[("v2", lv, True, True)], r[("v2", lv, False, False)])
        real = r["real"] or r["v1"]
        proj = real - r["v1"] + v2[0]
        print(f"| {os.path.basename(r['tree'])} | {r['files']:,} | {r['pipe']:,} | {real:,} ({real / r['pipe']:.2f}×, "
              f"{pct(real, r['pipe']):+.1f} %) | {r['v1']:,} ({pct(r['v1'], real):+.2f} %) | {v2[0]:,} | "
              f"**{proj:,} ({proj / r['pipe']:.3f}×, {pct(proj, r['pipe']):+.2f} %)** | "
              f"{v2s[0] - v2[0]:+,} B | {v2d[0] - v2[0]:+,} B | {r['v1_meta'] / r['files']:.1f} → {v2[1] / r['files']:.2f} |")


if __name__ == "__main__":
    main()
