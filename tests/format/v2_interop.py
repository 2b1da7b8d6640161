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
(a) and (b) need a Coffer that writes v2: while `coffer encrypt` still writes a
`coffer/v1` header, the test says so and exits 77 (skipped) after (0) passed.
"""
import base64
import hashlib
import hmac
import os
import shutil
import struct
import subprocess
import sys
import tempfile

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF, HKDFExpand

CHUNK = 16384
MiB = 1 << 20
PACK_MEMBER_MAX = 4 * MiB          # writers: larger files get a record (§5.1, §5.10)
PACK_CONTENT_MAX = 16 * MiB        # §5.8
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
KIND_DIR, KIND_EMPTY, KIND_MEMBER, KIND_RECORD = 0, 1, 2, 3
# WRITER.md §3: names of already-compressed formats go to stored packs (a sample of Coffer's list).
STORED_EXTENSIONS = {"gz", "zip", "jpg", "jpeg", "png", "mp4", "zst", "xz", "bz2", "7z", "pdf"}


class Damaged(Exception):
    """A rule of FORMAT.md is broken; the message names the rule and the class."""


def fail(why, cls="damaged"):
    raise Damaged(f"{cls}: {why}")


def raw(public_key):
    return public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def b64(data):
    """§1.2: base64 without padding."""
    return base64.b64encode(data).decode().rstrip("=")


def unb64(text):
    """§1.2: canonical base64 without padding, or Damaged."""
    if "=" in text or len(text) % 4 == 1 or any(c not in
                                                "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
                                                for c in text):
        fail("non-canonical base64")
    data = base64.b64decode(text + "=" * (-len(text) % 4))
    if b64(data) != text:
        fail("non-zero unused bits in base64")
    return data


# --- zstd: the command-line tool for the bytes, frame headers parsed here -------------

def zstd_compress(data, level=3):
    """One frame declaring its content size (zstd declares it for a file, not a pipe)."""
    with tempfile.NamedTemporaryFile() as f:
        f.write(data)
        f.flush()
        return subprocess.run(["zstd", f"-{level}", "--no-check", "-qc", f.name],
                              capture_output=True, check=True).stdout


def zstd_frame(buf, at):
    """RFC 8878 §3.1.1: (end, content_size, window) of the frame at `at`, walking its blocks."""
    if buf[at:at + 4] != ZSTD_MAGIC:
        fail("not a zstd frame (skippable frames are refused)")
    fhd = buf[at + 4]
    fcs_flag, single, reserved, checksum, did_flag = fhd >> 6, fhd >> 5 & 1, fhd >> 3 & 1, fhd >> 2 & 1, fhd & 3
    if reserved:
        fail("zstd frame header reserved bit")
    pos, window = at + 5, None
    if not single:
        wd = buf[pos]
        base = 1 << (10 + (wd >> 3))
        window = base + (base >> 3) * (wd & 7)
        pos += 1
    did_len = (0, 1, 2, 4)[did_flag]
    if int.from_bytes(buf[pos:pos + did_len], "little"):
        fail("zstd frame with a dictionary")
    pos += did_len
    fcs_len = (1 if single else 0, 2, 4, 8)[fcs_flag]
    if fcs_len == 0:
        fail("zstd frame without a content size")
    fcs = int.from_bytes(buf[pos:pos + fcs_len], "little") + (256 if fcs_len == 2 else 0)
    pos += fcs_len
    if single:
        window = fcs
    while True:
        if pos + 3 > len(buf):
            fail("zstd frame cut short")
        bh = int.from_bytes(buf[pos:pos + 3], "little")
        last, btype, bsize = bh & 1, bh >> 1 & 3, bh >> 3
        if btype == 3:
            fail("zstd reserved block type")
        pos += 3 + (1 if btype == 1 else bsize)
        if last:
            break
    pos += 4 * checksum
    if pos > len(buf):
        fail("zstd frame cut short")
    return pos, fcs, window


def zstd_one_frame(data, lo, hi, window_max=1 << 24):
    """Exactly one frame filling `data`, its declared size within [lo, hi]; its content."""
    end, fcs, window = zstd_frame(data, 0)
    if end != len(data):
        fail("bytes after the zstd frame")
    if not lo <= fcs <= hi:
        fail(f"zstd frame content size {fcs} outside {lo}..{hi}")
    if window > window_max:
        fail("zstd window above 2^24")
    out = subprocess.run(["zstd", "-dcq"], input=data, capture_output=True).stdout
    if len(out) != fcs:
        fail("zstd frame does not decode to its declared size")
    return out


# --- varints (§5) ----------------------------------------------------------------------

def varint(n):
    assert 0 <= n < 1 << 64
    out = bytearray()
    while True:
        out.append(n & 0x7F | (0x80 if n > 0x7F else 0))
        n >>= 7
        if not n:
            return bytes(out)


def zigzag(n):
    assert -(1 << 63) <= n < 1 << 63
    return varint(((n << 1) ^ (n >> 63)) & ((1 << 64) - 1))


class Reader:
    """A cursor over a table: every read checks the bytes are there."""

    def __init__(self, data):
        self.data, self.at = data, 0

    def take(self, n):
        if n > len(self.data) - self.at:
            fail("table ends inside a column")
        out = self.data[self.at:self.at + n]
        self.at += n
        return out

    def varint(self, hi):
        value, shift = 0, 0
        for i in range(10):
            (b,) = self.take(1)
            value |= (b & 0x7F) << shift
            if not b & 0x80:
                if i and b == 0:
                    fail("non-shortest varint")
                if value >= 1 << 64:
                    fail("varint overflows 64 bits")
                if value > hi:
                    fail(f"varint {value} above its bound {hi}")
                return value
            shift += 7
        fail("varint longer than 10 bytes")

    def zigzag(self):
        z = self.varint((1 << 64) - 1)
        return (z >> 1) ^ -(z & 1)


# --- header (§2, §3.1) and payload (§4) -----------------------------------------------

def hkdf(ikm, salt, info):
    return HKDF(hashes.SHA256(), 32, salt, info).derive(ikm)


def write_header(file_key, recipient, eph_secret, version=b"coffer/v2"):
    eph = X25519PrivateKey.from_private_bytes(eph_secret)
    share = raw(eph.public_key())
    shared = eph.exchange(X25519PublicKey.from_public_bytes(recipient))
    if shared == b"\0" * 32:
        raise ValueError("low-order recipient")
    wrap = hkdf(shared, share + recipient, b"coffer/v1/X25519")
    body = b64(AESGCM(wrap).encrypt(b"\0" * 12, file_key, None)).encode()
    lines = [body[i:i + 64] for i in range(0, len(body), 64)]
    if len(lines[-1]) == 64:
        lines.append(b"")
    head = version + b"\n-> X25519 " + b64(share).encode() + b"\n" + b"\n".join(lines) + b"\n---"
    mac = hmac.new(hkdf(file_key, None, b"coffer/v1/header"), head, hashlib.sha256).digest()
    return head + b" " + b64(mac).encode() + b"\n"


def read_header(c, secret):
    """§2.1-§2.4 for X25519 stanzas: (version, file key, payload offset)."""
    nl = c.find(b"\n")
    version = c[:nl]
    if version not in (b"coffer/v1", b"coffer/v2"):
        fail("version line", "unsupported version" if version.startswith(b"coffer/") else "not a container")
    at, stanzas = nl + 1, []
    while c[at:at + 3] == b"-> ":
        end = c.index(b"\n", at)
        args = c[at + 3:end].decode("ascii").split(" ")
        at, body = end + 1, ""
        while True:
            end = c.index(b"\n", at)
            line = c[at:end].decode("ascii")
            at, body = end + 1, body + line
            if len(line) > 64:
                fail("body line longer than 64")
            if len(line) < 64:
                break
        stanzas.append((args, unb64(body)))
    if c[at:at + 4] != b"--- " or not stanzas:
        fail("header without stanza or MAC line")
    mac_end = c.index(b"\n", at)
    mac, mac_at = unb64(c[at + 4:mac_end].decode("ascii")), at + 3
    me = X25519PrivateKey.from_private_bytes(secret)
    mine = raw(me.public_key())
    for args, body in stanzas:
        if args[0] != "X25519":
            continue
        if len(args) != 2 or len(body) != 48:
            fail("X25519 stanza shape")
        share = unb64(args[1])
        shared = me.exchange(X25519PublicKey.from_public_bytes(share))
        try:
            fk = AESGCM(hkdf(shared, share + mine, b"coffer/v1/X25519")).decrypt(b"\0" * 12, body, None)
        except Exception:
            continue
        want = hmac.new(hkdf(fk, None, b"coffer/v1/header"), c[:mac_at], hashlib.sha256).digest()
        if not hmac.compare_digest(want, mac):
            fail("header MAC")
        return version.decode(), fk, mac_end + 1
    fail("no stanza opened", "no key matched")


def payload_keys(file_key, salt):
    info = b"c2sp.org/chunked-encryption@v1+AEAD_AES_256_GCM\0" + salt + b"coffer/v1/payload"
    okm = HKDFExpand(hashes.SHA512(), 76, info).derive(file_key)
    return AESGCM(okm[:32]), int.from_bytes(okm[32:44], "big"), okm[44:]


def seal(file_key, salt, plain):
    aead, base, commitment = payload_keys(file_key, salt)
    out = [salt, commitment]
    for i in range(len(plain) // CHUNK + 1):
        out.append(aead.encrypt((base ^ i).to_bytes(12, "big"), plain[i * CHUNK:(i + 1) * CHUNK], None))
    return b"".join(out)


def open_payload(file_key, payload):
    L = len(payload)
    if L < 72 or (L - 56) % (CHUNK + 16) < 16:
        fail("payload length")
    aead, base, commitment = payload_keys(file_key, payload[:24])
    if not hmac.compare_digest(commitment, payload[24:56]):
        fail("commitment")
    n = (L - 56) // (CHUNK + 16) + 1
    step = CHUNK + 16
    return b"".join(aead.decrypt((base ^ i).to_bytes(12, "big"), payload[56 + i * step:56 + (i + 1) * step], None)
                    for i in range(n))


# --- the archive, written (§5) ----------------------------------------------------------

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
    other = X25519PrivateKey.generate()
    try:
        read_v2(write_v2(tree, pub), b"\x66" * 32)
        check("(0) another key: no key matched", "read", "no key matched")
    except Damaged as e:
        check("(0) another key: no key matched", str(e).split(":")[0], "no key matched")
    del other
    c = write_v2(tree, pub)
    for name, want, change in HOSTILE:
        try:
            read_v2(reseal(c, sk, change), sk)
            got = "accepted"
        except Damaged as e:
            got = str(e)
        check(f"(0) hostile: {name}: refused ({got})", want in got, True)
    return sk, pub


BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"


def bech32_decode(text):
    """§6: the data bytes of a Bech32 string (checksum verified)."""
    text = text.strip().lower()
    hrp, data = text.rsplit("1", 1)
    five = [BECH32.index(c) for c in data]

    def polymod(values):
        gen = [0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3]
        chk = 1
        for v in values:
            top = chk >> 25
            chk = (chk & 0x1FFFFFF) << 5 ^ v
            for i in range(5):
                chk ^= gen[i] if (top >> i) & 1 else 0
        return chk
    if polymod([ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp] + five) != 1:
        raise ValueError("bad Bech32 checksum")
    acc, bits, out = 0, 0, bytearray()
    for v in five[:-6]:
        acc, bits = (acc << 5) | v, bits + 5
        if bits >= 8:
            bits -= 8
            out.append((acc >> bits) & 0xFF)
    return hrp, bytes(out)


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
    if first == b"coffer/v1":
        print("SKIP: this coffer writes coffer/v1 containers; (a) and (b) need its format v2 reader and writer")
        return 1 if FAILED else 77
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
