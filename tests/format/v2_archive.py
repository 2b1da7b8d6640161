"""The format v2 archive (FORMAT.md §5), written and read: records, packs, segment tables,
directory, trailer and the locations derived from their lengths. Written from FORMAT.md's
text alone; read_archive() checks every §5 rule it can cheaply and raises Damaged."""
import hashlib
import struct

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from formatlib import MiB, Reader, fail, raw, varint, zigzag, zstd_compress, zstd_frame, zstd_one_frame

PACK_MEMBER_MAX = 4 * MiB          # writers: larger files get a record (§5.1, §5.10)
PACK_CONTENT_MAX = 16 * MiB        # §5.8
KIND_DIR, KIND_EMPTY, KIND_MEMBER, KIND_RECORD = 0, 1, 2, 3
# WRITER.md §3: names of already-compressed formats go to stored packs (a sample of Coffer's list).
STORED_EXTENSIONS = {"gz", "zip", "jpg", "jpeg", "png", "mp4", "zst", "xz", "bz2", "7z", "pdf"}

def u32(n):
    return struct.pack("<I", n)


def scan_key(path):
    """Coffer's scan order: a folder, then its children by byte value (§5.9)."""
    return path.encode().split(b"/")


def encode_table(entries, pack_codec, pack_stored, pack_sha, hashes):
    """§5.9: the columns of one segment table."""
    ns = any(e["mtime_ns"] for e in entries)
    records = [e for e in entries if e["kind"] == KIND_RECORD]
    t = bytearray(b"CFSG" + u32((1 if ns else 0) | (2 if hashes else 0)))
    t += varint(len(entries)) + varint(len(records)) + bytes([pack_codec])
    if pack_codec != 0xFF:
        t += varint(pack_stored)
    t += bytes(e["kind"] for e in entries)
    prev, suffixes, lens = b"", b"", b""
    for e in entries:
        p = e["path"]
        shared = 0
        while shared < min(len(p), len(prev)) and p[shared] == prev[shared]:
            shared += 1
        t += varint(shared)
        lens += varint(len(p) - shared)
        suffixes += p[shared:]
        prev = p
    t += lens + suffixes
    for e in entries:
        t += varint(e["mode"])
    last = 0
    for e in entries:
        t += zigzag(e["mtime_s"] - last)
        last = e["mtime_s"]
    if ns:
        for e in entries:
            t += varint(e["mtime_ns"])
    for e in entries:
        if e["kind"] in (KIND_MEMBER, KIND_RECORD):
            t += varint(e["size"])
    for e in records:
        t += varint(e["stored"])
    if hashes:
        if pack_codec != 0xFF:
            t += pack_sha
        for e in records:
            t += e["sha"]
    return bytes(t)


def entries_of(tree):
    out = []
    for i, path in enumerate(sorted(tree, key=scan_key)):
        kind, mode, (mtime_s, mtime_ns), content = tree[path]
        if kind == "dir":
            k = KIND_DIR
        elif not content:
            k = KIND_EMPTY
        else:
            k = KIND_MEMBER if len(content) <= PACK_MEMBER_MAX else KIND_RECORD
        out.append(dict(order=i, kind=k, path=path.encode(), mode=mode, mtime_s=mtime_s, mtime_ns=mtime_ns,
                        size=len(content) if kind == "file" else 0, content=content, stored=0,
                        sha=hashlib.sha256(content).digest()))
    return out


def write_archive(tree, recipients, signer=None, pack_cap=PACK_CONTENT_MAX, record_codec=0):
    """§5.10: records as met, a segment after every pack, the directory and trailer at the end.

    `recipients` are (type, 32 bytes); `signer` an (X25519 secret, Ed25519 seed) pair.
    """
    hashes = signer is not None
    out, rows, pending = bytearray(), [], []
    packs = {0: [], 1: []}

    def segment(entries, codec, stored, sha):
        table = encode_table(sorted(entries, key=lambda e: e["order"]), codec, stored, sha, hashes)
        frame = zstd_compress(table)
        rows.append(struct.pack("<QIII", len(out), len(frame), len(table), len(entries))
                    + (hashlib.sha256(table).digest() if hashes else b""))
        out.extend(b"CFSG" + u32(len(frame)) + frame)

    def close(codec):
        members = packs[codec]
        if not members:
            return
        content = b"".join(m["content"] for m in members)
        data = content if codec == 0 else zstd_compress(content)
        out.extend(b"CFPK" + bytes([codec]) + u32(len(content)) + data)
        segment(pending + members, codec, len(data), hashlib.sha256(content).digest())
        pending.clear()
        packs[codec] = []

    for e in entries_of(tree):
        if e["kind"] == KIND_MEMBER:
            codec = 0 if e["path"].rsplit(b".", 1)[-1].decode().lower() in STORED_EXTENSIONS else 1
            members = packs[codec]
            if members and (sum(m["size"] for m in members) + e["size"] > pack_cap or len(members) == 65536
                            or sum(len(m["path"]) for m in members) + len(e["path"]) > 4 * MiB):
                close(codec)
            packs[codec].append(e)
            continue
        if e["kind"] == KIND_RECORD:
            data = e["content"] if record_codec == 0 else b"".join(
                zstd_compress(e["content"][i:i + 8 * MiB]) for i in range(0, e["size"], 8 * MiB))
            e["stored"] = len(data)
            out.extend(b"CFEN" + struct.pack("<BBHqIQH", 1, record_codec, e["mode"], e["mtime_s"], e["mtime_ns"],
                                             e["size"], len(e["path"])) + e["path"] + data)
        pending.append(e)
        if len(pending) == 65536 or sum(len(p["path"]) for p in pending) >= 4 * MiB:
            segment(pending, 0xFF, 0, None)
            pending.clear()
    close(1)
    close(0)
    if pending:
        segment(pending, 0xFF, 0, None)
    directory = b"CFIX" + u32(3) + u32(3 if hashes else 0) + u32(len(rows)) + u32(len(tree)) + b"".join(rows)
    directory += u32(len(recipients)) + b"".join(bytes([t]) + k for t, k in recipients)
    if signer:
        xsk, seed = signer
        sk = Ed25519PrivateKey.from_private_bytes(seed)
        directory += b"\x01" + raw(X25519PrivateKey.from_private_bytes(xsk).public_key()) + raw(sk.public_key())
        directory += sk.sign(b"coffer/v2/signature\0" + hashlib.sha256(directory).digest())
    frame = zstd_compress(directory)
    trailer = b"CFTR" + struct.pack("<IQQQ", 2, len(out), len(frame), len(directory))
    return bytes(out) + frame + trailer


# --- the archive, read (§5) -------------------------------------------------------------

def check_path(p):
    """§5.5 for one path (the set rules are checked by the caller)."""
    if not 1 <= len(p) <= 4096:
        fail("path length", "unsafe path")
    try:
        text = p.decode("utf-8")
    except UnicodeDecodeError:
        fail("path is not UTF-8", "unsafe path")
    if any(0xD800 <= ord(ch) <= 0xDFFF for ch in text):
        fail("surrogate in path", "unsafe path")
    if any(b < 0x20 or b == 0x7F or b == 0x5C for b in p):
        fail("control byte or backslash in path", "unsafe path")
    if len(p) >= 2 and p[1:2] == b":" and chr(p[0]).isascii() and chr(p[0]).isalpha():
        fail("drive letter", "unsafe path")
    for comp in p.split(b"/"):
        low = comp.lower()
        if (not 1 <= len(comp) <= 255 or comp in (b".", b"..") or low.startswith(b".coffer-extract-")
                or (low.startswith(b".") and low.endswith(b".rekey-journal"))):
            fail(f"path component {comp!r}", "unsafe path")


def parse_table(t, hashes):
    """§5.9: the entries of one table, every column and bound checked."""
    r = Reader(t)
    if r.take(4) != b"CFSG":
        fail("table magic")
    (flags,) = struct.unpack("<I", r.take(4))
    if flags & ~3 or bool(flags & 2) != hashes:
        fail("table flags")
    n = r.varint(131072)
    if n == 0:
        fail("empty segment")
    rc = r.varint(n)
    (pack_codec,) = r.take(1)
    if pack_codec not in (0, 1, 0xFF):
        fail("pack codec")
    pack_stored = r.varint(1 << 25) if pack_codec != 0xFF else 0
    if pack_codec != 0xFF and pack_stored == 0:
        fail("pack_stored 0")
    kinds = r.take(n)
    if any(k > 3 for k in kinds):
        fail("kind")
    if sum(k == KIND_RECORD for k in kinds) != rc:
        fail("record_count differs from the kinds")
    prefixes = [r.varint(4096) for _ in range(n)]
    lens = [r.varint(4096) for _ in range(n)]
    entries, prev, total = [], b"", 0
    for i in range(n):
        if prefixes[i] > len(prev) or (i == 0 and prefixes[i]):
            fail("prefix longer than the previous path")
        if not 1 <= prefixes[i] + lens[i] <= 4096:
            fail("path length", "unsafe path")
        path = prev[:prefixes[i]] + r.take(lens[i])
        entries.append(dict(kind=kinds[i], path=path, size=0, stored=0, sha=None))
        prev = path
    for e in entries:
        e["mode"] = r.varint(0o777)
    mtime = 0
    for e in entries:
        mtime += r.zigzag()
        if not -(1 << 63) <= mtime < 1 << 63:
            fail("mtime overflows i64")
        e["mtime_s"] = mtime
    for e in entries:
        e["mtime_ns"] = r.varint(10**9 - 1) if flags & 1 else 0
    for e in entries:
        if e["kind"] == KIND_MEMBER:
            e["size"] = r.varint(16 * MiB)
        elif e["kind"] == KIND_RECORD:
            e["size"] = r.varint(1 << 63)
        if e["kind"] in (KIND_MEMBER, KIND_RECORD) and e["size"] == 0:
            fail("member or record of size 0")
    records = [e for e in entries if e["kind"] == KIND_RECORD]
    for e in records:
        e["stored"] = r.varint(1 << 63)
    pack_sha = None
    if hashes:
        pack_sha = r.take(32) if pack_codec != 0xFF else None
        for e in records:
            e["sha"] = r.take(32)
    if r.at != len(t):
        fail("bytes left over in the table")
    members = [e for e in entries if e["kind"] == KIND_MEMBER]
    if bool(members) != (pack_codec != 0xFF):
        fail("members without a pack, or a pack without members")
    if pack_codec == 0 and pack_stored != sum(e["size"] for e in members):
        fail("stored pack length differs from its members")
    return dict(entries=entries, records=records, members=members, pack_codec=pack_codec,
                pack_stored=pack_stored, pack_sha=pack_sha)


def read_record(plain, at, e):
    """§5.1 and §5.4: the record of a kind-3 entry at `at`; (content, end)."""
    if plain[at:at + 4] != b"CFEN":
        fail("record magic where a record must start")
    kind, codec, mode, mtime_s, mtime_ns, size, plen = struct.unpack_from("<BBHqIQH", plain, at + 4)
    if kind != 1 or codec not in (0, 1) or size == 0:
        fail("record kind, codec or size")
    if not 1 <= plen <= 4096:
        fail("record path_len", "unsafe path")
    start = at + 30 + plen
    if (plain[at + 30:start], mode, mtime_s, mtime_ns, size) != (e["path"], e["mode"], e["mtime_s"],
                                                                e["mtime_ns"], e["size"]):
        fail(f"record differs from its entry {e['path']!r}")
    data = plain[start:start + e["stored"]]
    if len(data) != e["stored"]:
        fail("record data cut short")
    if codec == 0:
        if e["stored"] != size:
            fail("stored record with stored != size")
        return data, start + e["stored"]
    content, pos = bytearray(), 0
    while pos < len(data):
        end, fcs, window = zstd_frame(data, pos)
        if not 1 <= fcs <= 16 * MiB or window > 1 << 24 or fcs > size - len(content):
            fail("record frame size or window")
        content += zstd_one_frame(data[pos:end], 1, 16 * MiB)
        pos = end
    if len(content) != size:
        fail("record content differs from its size")
    return bytes(content), start + e["stored"]


def read_pack(plain, at, table):
    """§5.8: the pack at `at`, checked against its table; (content, end)."""
    if plain[at:at + 4] != b"CFPK":
        fail("pack magic where the pack must start")
    codec, content_size = plain[at + 4], struct.unpack_from("<I", plain, at + 5)[0]
    if codec != table["pack_codec"] or not 1 <= content_size <= 16 * MiB:
        fail("pack codec or content_size")
    data = plain[at + 9:at + 9 + table["pack_stored"]]
    if len(data) != table["pack_stored"]:
        fail("pack data cut short")
    content = data if codec == 0 else zstd_one_frame(data, content_size, content_size)
    if len(content) != content_size or sum(e["size"] for e in table["members"]) != content_size:
        fail("members do not fill the pack")
    if table["pack_sha"] is not None and hashlib.sha256(content).digest() != table["pack_sha"]:
        fail("pack_sha256 mismatch")
    return content, at + 9 + table["pack_stored"]


def verify_signature(directory):
    """§5.7 with the v2 label (Ed25519 via `cryptography`)."""
    block = directory[-129:]
    if block[0] != 1:
        fail("signature type", "unsupported version")
    message = b"coffer/v2/signature\0" + hashlib.sha256(directory[:-64]).digest()
    if int.from_bytes(block[-32:], "little") >= 2**252 + 27742317777372353535851937790883648493:
        fail("signature S >= L")
    try:
        Ed25519PublicKey.from_public_bytes(block[33:65]).verify(block[65:], message)
    except InvalidSignature:
        fail("signature does not verify")
    return block[1:33], block[33:65]


def read_archive(plain):
    """§5.2-§5.6: {path: (kind, mode, (mtime_s, mtime_ns), bytes)} and a report dict."""
    L = len(plain)
    if L < 32 or plain[-32:-28] != b"CFTR":
        fail("trailer")
    version, ioff, ilen, iplain = struct.unpack_from("<IQQQ", plain, L - 28)
    if version != 2:
        fail("trailer version " + str(version), "damaged" if version == 1 else "unsupported version")
    if iplain > 1 << 26 or ilen > 1 << 27:
        fail("directory length", "limit exceeded")
    if ilen > L - 32 or ioff != L - 32 - ilen:
        fail("trailer offsets")
    d = zstd_one_frame(plain[ioff:ioff + ilen], iplain, iplain)
    if len(d) < 24 or d[:4] != b"CFIX":  # 20 bytes of header, 4 of recipient_count
        fail("directory magic")
    dversion, flags, nseg, nent = struct.unpack_from("<IIII", d, 4)
    if dversion != 3:
        fail("directory version", "unsupported version")
    if flags & ~3 or (flags & 2 and not flags & 1):
        fail("directory flags")
    if nseg > 1 << 20 or nent > 1000000:
        fail("segment or entry count", "limit exceeded")
    if nseg > len(d) // 20:
        fail("segment_count above floor(P / 20)")
    rowlen = 52 if flags & 1 else 20
    at = 20 + nseg * rowlen
    if at + 4 > len(d):
        fail("directory cut short")
    rows = [struct.unpack_from("<QIII", d, 20 + i * rowlen) + (d[20 + i * rowlen + 20:20 + (i + 1) * rowlen],)
            for i in range(nseg)]
    (nrec,) = struct.unpack_from("<I", d, at)
    if nrec > 1024:
        fail("recipient count")
    recipients = [d[at + 4 + 33 * i:at + 37 + 33 * i] for i in range(nrec)]
    if len(set(recipients)) != nrec or any(r[0] not in (1, 2) for r in recipients):
        fail("recipients")
    at += 4 + 33 * nrec
    signer = None
    if flags & 2:
        if len(d) - at != 129:
            fail("signature block cut short or bytes after it")
        signer = verify_signature(d)
    elif at != len(d):
        fail("bytes after the recipients")
    if sum(r[3] for r in rows) != nent:
        fail("entry_count differs from the rows")
    tree, files_as_parents, pos = {}, set(), 0
    for off, stored_length, plain_length, n, sha in rows:
        if plain[off:off + 4] != b"CFSG" or struct.unpack_from("<I", plain, off + 4)[0] != stored_length:
            fail("segment header differs from its row")
        if not 1 <= stored_length <= 1 << 25:
            fail("segment stored_length")
        table = zstd_one_frame(plain[off + 8:off + 8 + stored_length], 1, 1 << 24)
        if len(plain[off + 8:off + 8 + stored_length]) != stored_length or len(table) != plain_length:
            fail("segment lengths differ from the row")
        if flags & 1 and hashlib.sha256(table).digest() != sha:
            fail("segment table hash differs from the row")
        t = parse_table(table, bool(flags & 1))
        if len(t["entries"]) != n:
            fail("segment entry count differs from the row")
        for e in t["entries"]:  # §5.5 before any content is read
            check_path(e["path"])
        contents = {}
        for e in t["records"]:  # §5.4: the region, records first
            contents[id(e)], pos = read_record(plain, pos, e)
            if e["sha"] is not None and hashlib.sha256(contents[id(e)]).digest() != e["sha"]:
                fail("sha256 mismatch")
        if t["pack_codec"] != 0xFF:
            content, pos = read_pack(plain, pos, t)
            at = 0
            for e in t["members"]:
                contents[id(e)] = content[at:at + e["size"]]
                at += e["size"]
        if pos != off:
            fail("region does not end at its segment")
        pos = off + 8 + stored_length
        for e in t["entries"]:
            path = e["path"].decode()
            if path in tree:
                fail("duplicate path", "unsafe path")
            kind = "dir" if e["kind"] == KIND_DIR else "file"
            tree[path] = (kind, e["mode"], (e["mtime_s"], e["mtime_ns"]), contents.get(id(e), b""))
    if pos != ioff:
        fail("the directory does not follow the last segment")
    for path, (kind, *_rest) in tree.items():
        if kind == "file":
            files_as_parents.add(path + "/")
    for path in tree:
        parts = path.split("/")
        if any("/".join(parts[:i]) + "/" in files_as_parents for i in range(1, len(parts))):
            fail("a file is also a parent", "unsafe path")
    return tree, dict(segments=nseg, flags=flags, recipients=recipients, signer=signer)
