#!/usr/bin/env python3
"""Checks FORMAT.md Appendix A against the rules and against the real `coffer`.

usage: appendix_test.py FORMAT.md COFFER_BINARY SCRATCH_DIR

(a) Coffer: writes each example container to disk, lists and decrypts it with the
    key and the passphrase the appendix gives, and compares with what the appendix
    says (entries, contents, modes, times, the signature report).
(b) The rules: recomputes every stated value (keys, Bech32 forms, fingerprint, MAC,
    wrap keys, payload keys, plaintext, index fields, signature) from the sections
    of FORMAT.md with Python's `cryptography` (Debian 12's 38.0.4 is enough), not
    with Coffer's code. Argon2id is checked only where the module has it (>= 44).
    A.3 (format v2) is rebuilt by v2_interop.py, the second implementation; coffer
    reads it once it reads v2 (until then that part says why it is skipped).
"""
import base64
import hashlib
import hmac
import os
import re
import shutil
import struct
import subprocess
import sys

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF, HKDFExpand

FAILED = []


def check(name, got, want):
    ok = got == want
    print(("ok   " if ok else "FAIL ") + name)
    if not ok:
        print(f"       got:  {got!r}\n       want: {want!r}")
        FAILED.append(name)


# --- reading the appendix -------------------------------------------------------------

def sections(path):
    text = open(path, encoding="utf-8").read().split("## Appendix A")[1].split("## Appendix B")[0]
    a1, rest = text.split("### A.2")
    a2, a3 = rest.split("### A.3")
    return a1, a2, a3


def value(sec, name, pattern=r"[0-9a-f]{24,}"):
    return re.search(re.escape(name) + r"\s+(" + pattern + ")", sec).group(1)


def block(sec, marker):
    """The first fenced block after `marker`."""
    return sec.split(marker, 1)[1].split("```", 2)[1]


def hexblock(sec, marker):
    return bytes.fromhex("".join(block(sec, marker).split()))


def container(sec):
    return base64.b64decode("".join(block(sec, "The whole container").split()))


# --- (b) recomputed from the rules ----------------------------------------------------

BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"


def bech32(hrp, data, upper=False):
    """BIP 173 with constant 1, no length limit (FORMAT.md §6)."""
    def polymod(values):
        gen = [0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3]
        chk = 1
        for v in values:
            top = chk >> 25
            chk = (chk & 0x1FFFFFF) << 5 ^ v
            for i in range(5):
                chk ^= gen[i] if (top >> i) & 1 else 0
        return chk
    acc, bits, five = 0, 0, []
    for b in data:
        acc, bits = (acc << 8) | b, bits + 8
        while bits >= 5:
            bits -= 5
            five.append((acc >> bits) & 31)
    if bits:
        five.append((acc << (5 - bits)) & 31)
    expand = [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]
    pm = polymod(expand + five + [0] * 6) ^ 1
    out = hrp + "1" + "".join(BECH32[d] for d in five + [(pm >> 5 * (5 - i)) & 31 for i in range(6)])
    return out.upper() if upper else out


def raw(public_key):
    return public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def keys(a1):
    xsk = bytes.fromhex(value(a1, "X25519 secret"))
    seed = bytes.fromhex(value(a1, "Ed25519 seed"))
    xpub = raw(X25519PrivateKey.from_private_bytes(xsk).public_key())
    edpub = raw(Ed25519PrivateKey.from_private_bytes(seed).public_key())
    name = re.search(r'card name\s+"([^"]*)"', a1).group(1).encode()
    check("X25519 pub", xpub.hex(), value(a1, "X25519 pub"))
    check("Ed25519 pub", edpub.hex(), value(a1, "Ed25519 pub"))
    check("secret key (§6)", bech32("coffer-secret-key-", b"\x01" + xsk + seed, upper=True),
          value(a1, "secret", r"COFFER-SECRET-KEY-1\S+"))
    check("card (§6)", bech32("coffer", b"\x01" + xpub + edpub + name), value(a1, "card", r"coffer1\S+"))
    check("age recipient (§6)", bech32("age", xpub), value(a1, "age", r"age1\S+"))
    d = hashlib.sha256(b"coffer/v1/fingerprint" + xpub + edpub).digest()
    fp = " ".join("%05d" % (int.from_bytes(d[5 * g:5 * g + 5], "big") % 100000) for g in range(6))
    check("fingerprint (§6)", fp, value(a1, "fingerprint", r"[0-9 ]{35}"))
    return xsk, seed, xpub, edpub


def header_parts(c):
    end = c.index(b"\n---") + 1
    mac_end = c.index(b"\n", end) + 1
    return c[:mac_end], end, c[mac_end:]


def check_header(a1, c, xsk, xpub, fk):
    header, mac_at, _ = header_parts(c)
    check("header length", len(header), int(re.search(r"Header \((\d+) bytes", a1).group(1)))
    check("header as shown", header.decode(), block(a1, "Header (").lstrip("\n"))
    mac_key = HKDF(hashes.SHA256(), 32, None, b"coffer/v1/header").derive(fk)
    check("header MAC key (§2.4)", mac_key.hex(), value(a1, "header MAC key"))
    mac = hmac.new(mac_key, c[:mac_at + 3], hashlib.sha256).digest()
    check("header MAC (§2.4)", base64.b64encode(mac).decode().rstrip("="), header[mac_at + 4:-1].decode())
    lines = header.split(b"\n")
    eph = X25519PrivateKey.from_private_bytes(b"\x55" * 32)
    share = raw(eph.public_key())
    check("X25519 share in the stanza (§3.1)", lines[1], b"-> X25519 " + base64.b64encode(share).rstrip(b"="))
    shared = eph.exchange(X25519PublicKey.from_public_bytes(xpub))
    check("X25519 shared (§3.1)", shared.hex(), value(a1, "X25519 shared"))
    check("X25519 shared, recipient side", X25519PrivateKey.from_private_bytes(xsk).exchange(
        X25519PublicKey.from_public_bytes(share)), shared)
    wrap = HKDF(hashes.SHA256(), 32, share + xpub, b"coffer/v1/X25519").derive(shared)
    check("X25519 wrap key (§3.1)", wrap.hex(), value(a1, "X25519 wrap key"))
    check("X25519 body (§3)", base64.b64decode(lines[2] + b"=="), AESGCM(wrap).encrypt(b"\0" * 12, fk, None))
    check("X25519 body has an empty final line", lines[3], b"")
    salt = bytes.fromhex(re.search(r"argon2id salt\s+([0-9a-f]{32})", a1).group(1))
    t, m, p = map(int, re.search(r"t = (\d+), m = (\d+), p = (\d+)", a1).groups())
    check("argon2id arguments (§3.2)", lines[4].decode(),
          f"-> argon2id {base64.b64encode(salt).decode().rstrip('=')} {t} {m} {p}")
    awrap = bytes.fromhex(value(a1, "argon2id wrap key"))
    check("argon2id body (§3.2)", base64.b64decode(lines[5] + b"=="), AESGCM(awrap).encrypt(b"\0" * 12, fk, None))
    passphrase = re.search(r'passphrase\s+"([^"]+)"', a1).group(1).encode()
    try:
        from cryptography.hazmat.primitives.kdf.argon2 import Argon2id
    except ImportError:
        print("skip argon2id wrap key: this cryptography has no Argon2id (the body above is checked)")
    else:
        got = Argon2id(salt=b"coffer/v1/argon2id" + salt, length=32, iterations=t, lanes=p,
                       memory_cost=m).derive(passphrase)
        check("argon2id wrap key (§3.2)", got.hex(), awrap.hex())
    tag = hmac.new(awrap, b"coffer/v1/passphrase-audience", hashlib.sha256).hexdigest()
    check("passphrase audience tag (§5.7)", tag, value(a1, "audience tag"))
    return passphrase


def payload_keys(a1, fk, payload):
    salt = payload[:24]
    check("payload salt", salt.hex(), value(a1, "payload salt"))
    info = b"c2sp.org/chunked-encryption@v1+AEAD_AES_256_GCM\0" + salt + b"coffer/v1/payload"
    okm = HKDFExpand(hashes.SHA512(), 76, info).derive(fk)
    check("payload key (§4)", okm[:32].hex(), value(a1, "payload key"))
    check("payload base nonce (§4)", okm[32:44].hex(), value(a1, "payload base nonce"))
    check("commitment (§4)", okm[44:].hex(), value(a1, "commitment"))
    check("commitment in the payload (§4)", payload[24:56], okm[44:])
    return okm[:32], okm[32:44]


def one_chunk(key, nonce, payload):
    check("one chunk (§4)", len(payload) - 56 < 16400, True)
    return AESGCM(key).decrypt(nonce, payload[56:], None)


def zstd_decompress(frame):
    if not shutil.which("zstd"):
        print("skip zstd decompression: no zstd command")
        return None
    return subprocess.run(["zstd", "-dcq"], input=frame, capture_output=True, check=True).stdout


def parse_index(idx):
    """§5.2: header, entries, recipients, optional signature block."""
    magic, version, flags, count = struct.unpack_from("<4sIII", idx, 0)
    at, entries = 16, []
    for _ in range(count):
        kind, codec, mode, mtime_s, mtime_ns, size, stored, offset, plen = struct.unpack_from("<BBHqIQQQH", idx, at)
        path = idx[at + 42:at + 42 + plen].decode()
        at += 42 + plen
        sha = idx[at:at + 32] if flags & 1 else None
        at += 32 if flags & 1 else 0
        entries.append(dict(kind=kind, codec=codec, mode=mode, mtime_s=mtime_s, mtime_ns=mtime_ns,
                            size=size, stored=stored, offset=offset, path=path, sha=sha))
    (nrec,) = struct.unpack_from("<I", idx, at)
    recipients = [idx[at + 4 + 33 * i:at + 37 + 33 * i] for i in range(nrec)]
    at += 4 + 33 * nrec
    return dict(magic=magic, version=version, flags=flags, entries=entries, recipients=recipients, rest=idx[at:])


def stated_files(a1):
    hello = re.search(r'`docs/hello.txt` \("(.*?)\\n", (0\d{3})', a1)
    notes = re.search(r'`docs/notes.md` \("(.*?)" × (\d+) then LF,\s+(\d+)\s+bytes, (0\d{3})', a1, re.S)
    return {
        "docs": dict(kind=2, mode=0o755, content=b""),
        "docs/hello.txt": dict(kind=1, mode=int(hello.group(2), 8), content=hello.group(1).encode() + b"\n"),
        "docs/notes.md": dict(kind=1, mode=int(notes.group(4), 8),
                              content=notes.group(1).encode() * int(notes.group(2)) + b"\n",
                              size=int(notes.group(3))),
    }


def check_archive(a1, plain, xpub):
    check("archive plaintext as shown", plain.hex(), hexblock(a1, "Archive plaintext").hex())
    magic, version, ioff, ilen, iplain = struct.unpack("<4sIQQQ", plain[-32:])
    check("trailer (§5.3)", (magic, version, ioff + ilen + 32), (b"CFTR", 1, len(plain)))
    idx = zstd_decompress(plain[ioff:ioff + ilen])
    shown = hexblock(a1, "Index content (decompressed)")
    if idx is not None:
        check("index frame decompresses to the index shown", idx, shown)
    check("index_plain_length", iplain, len(shown))
    index = parse_index(shown)
    check("index magic, version, flags", (index["magic"], index["version"], index["flags"]), (b"CFIX", 1, 1))
    check("index recipients (§5.2)", index["recipients"], [b"\x01" + xpub])
    check("nothing after the recipients", index["rest"], b"")
    files, at = stated_files(a1), 0
    for e in index["entries"]:
        want = files[e["path"]]
        check(f"{e['path']}: kind, mode", (e["kind"], e["mode"]), (want["kind"], want["mode"]))
        check(f"{e['path']}: size", e["size"], len(want["content"]))
        check(f"{e['path']}: SHA-256 (§5.2)", e["sha"], hashlib.sha256(want["content"]).digest())
        check(f"{e['path']}: contiguous (§5.4)", e["offset"], at)
        rec = plain[at:at + 30 + len(e["path"])]
        check(f"{e['path']}: record = index entry (§5.4)", rec, b"CFEN" + struct.pack(
            "<BBHqIQH", e["kind"], e["codec"], e["mode"], e["mtime_s"], e["mtime_ns"], e["size"],
            len(e["path"])) + e["path"].encode())
        data = plain[at + len(rec):at + len(rec) + e["stored"]]
        if e["codec"] == 0:
            check(f"{e['path']}: stored data", data, want["content"])
        elif (out := zstd_decompress(data)) is not None:
            check(f"{e['path']}: zstd data", out, want["content"])
        at += len(rec) + e["stored"]
    check("entries end at index_offset (§5.4)", at, ioff)
    check("notes.md size as stated", files["docs/notes.md"]["size"], len(files["docs/notes.md"]["content"]))
    return files


def check_signed(a1, a2, c1, c2, key, nonce, seed, xpub, edpub):
    check("A.2 keeps A.1's header", header_parts(c2)[0], header_parts(c1)[0])
    check("A.2 container length", len(c2), int(re.search(r"the whole container \((\d+) bytes", a2, re.I).group(1)))
    plain = one_chunk(key, nonce, header_parts(c2)[2])
    check("A.2 trailer", plain[-32:], hexblock(a2, "Trailer:"))
    _, _, ioff, ilen, _ = struct.unpack("<4sIQQQ", plain[-32:])
    idx = hexblock(a2, "Index content (decompressed)")
    got = zstd_decompress(plain[ioff:ioff + ilen])
    if got is not None:
        check("A.2 index frame decompresses to the index shown", got, idx)
    index = parse_index(idx)
    check("A.2 flags = 3, version 1", (index["flags"], index["version"]), (3, 1))
    unsigned = parse_index(hexblock(a1, "Index content (decompressed)"))
    check("A.2 entries are A.1's", index["entries"], unsigned["entries"])
    check("signature block (§5.7)", index["rest"][:65], b"\x01" + xpub + edpub)
    signed = idx[:-64]
    check("SHA-256(signed bytes)", hashlib.sha256(signed).hexdigest(), value(a2, "SHA-256(signed bytes)"))
    message = b"coffer/v1/signature\0" + hashlib.sha256(signed).digest()
    check("message (52 bytes)", message.hex(), "".join(re.search(
        r"message \(52 bytes\)\s+([0-9a-f]+)\s+([0-9a-f]+)", a2).groups()))
    sig = Ed25519PrivateKey.from_private_bytes(seed).sign(message)
    check("signature (Ed25519, deterministic)", sig.hex(),
          "".join(re.search(r"\nsignature\s+([0-9a-f]+)\s+([0-9a-f]+)", a2).groups()))
    check("signature in the block", idx[-64:], sig)
    Ed25519PublicKey.from_public_bytes(edpub).verify(sig, message)


# --- (a) the real coffer --------------------------------------------------------------

def run(coffer, args, home):
    env = dict(os.environ, COFFER_HOME=home, LC_ALL="C.UTF-8")
    return subprocess.run([coffer, *args], capture_output=True, text=True, env=env)


def check_coffer(coffer, scratch, name, c, secret, passphrase, files, stated_stderr):
    os.makedirs(scratch, exist_ok=True)
    path, keyfile, passfile = (os.path.join(scratch, n) for n in (name + ".coffer", "key", "pass"))
    open(path, "wb").write(c)
    open(keyfile, "w").write(secret + "\n")
    open(passfile, "wb").write(passphrase + b"\n")
    home = os.path.join(scratch, "home-" + name)
    r = run(coffer, ["list", "-i", keyfile, path], home)
    check(f"{name}: coffer list exit code", r.returncode, 0)
    listed = sorted(p for p in files if p in r.stdout)
    check(f"{name}: coffer list names every entry", listed, sorted(files))
    if stated_stderr is not None:
        check(f"{name}: coffer list standard error as stated", r.stderr.strip(), stated_stderr.strip())
    for how, args in (("key", ["-i", keyfile]), ("passphrase", ["--passphrase-file", passfile])):
        out = os.path.join(scratch, f"{name}-{how}")
        r = run(coffer, ["decrypt", *args, "-o", out, path], home)
        check(f"{name}: coffer decrypt with the {how}: exit code", (r.returncode, r.stderr[:300]), (0, r.stderr[:300]))
        for p, want in files.items():
            full = os.path.join(out, p)
            st = os.lstat(full) if os.path.lexists(full) else None
            got = (st.st_mode & 0o777, open(full, "rb").read() if want["kind"] == 1 else b"") if st else None
            check(f"{name}: {how}: {p} mode and content", got, (want["mode"], want["content"]))
            if st and "mtime" in want:
                check(f"{name}: {how}: {p} mtime", (int(st.st_mtime), st.st_mtime_ns % 10**9), want["mtime"])


def zstd_compress(data, scratch):
    """One frame that declares its content size (zstd does so for a file, not for a pipe)."""
    os.makedirs(scratch, exist_ok=True)
    path = os.path.join(scratch, "index.bin")
    open(path, "wb").write(data)
    return subprocess.run(["zstd", "-3", "--no-check", "-qc", path], capture_output=True, check=True).stdout


def reseal(c2, key, nonce, idx, scratch):
    """A.2 with its index content replaced: new frame, trailer and chunk under A.1's keys."""
    header, _, payload = header_parts(c2)
    plain = AESGCM(key).decrypt(nonce, payload[56:], None)
    ioff = struct.unpack_from("<Q", plain, len(plain) - 24)[0]
    frame = zstd_compress(idx, scratch)
    trailer = struct.pack("<4sIQQQ", b"CFTR", 1, ioff, len(frame), len(idx))
    return header + payload[:56] + AESGCM(key).encrypt(nonce, plain[:ioff] + frame + trailer, None)


def check_tampering(coffer, scratch, a2, c2, key, nonce, secret, seed):
    """The last paragraph of A.2: each change is refused with the class it names."""
    if not shutil.which("zstd"):
        print("skip the A.2 tampering claims: no zstd command")
        return
    idx = hexblock(a2, "Index content (decompressed)")
    order = 2**252 + 27742317777372353535851937790883648493
    s_plus_l = (int.from_bytes(idx[-32:], "little") + order).to_bytes(32, "little")
    other = raw(X25519PrivateKey.from_private_bytes(b"\x77" * 32).public_key())
    early = idx[:306] + b"\x01" + other + idx[-96:-64]
    early_sig = Ed25519PrivateKey.from_private_bytes(seed).sign(
        b"coffer/v1/signature\0" + hashlib.sha256(early[:306]).digest())
    cases = [
        ("unchanged, resealed", idx, 0),
        ("a bit of the signature flipped", idx[:-1] + bytes([idx[-1] ^ 1]), 4),
        ("S set to S + L", idx[:-32] + s_plus_l, 4),
        ("flags bit 0 cleared", idx[:8] + b"\x02" + idx[9:], 4),
        ("a bit of signer_x25519 flipped", idx[:-128] + bytes([idx[-128] ^ 1]) + idx[-127:], 4),
        ("signer_x25519 replaced, the 306 bytes before the block signed", early + early_sig, 4),
        ("block type 2", idx[:-129] + b"\x02" + idx[-128:], 5),
    ]
    version = subprocess.run(["zstd", "--version"], capture_output=True, text=True).stdout
    if "v1.5.4" in version:  # the appendix's compressor: the whole container is rebuilt exactly
        check("A.2 rebuilt from its index content", reseal(c2, key, nonce, idx, scratch), c2)
    os.makedirs(scratch, exist_ok=True)
    keyfile = os.path.join(scratch, "key")
    open(keyfile, "w").write(secret + "\n")
    for name, content, want in cases:
        path = os.path.join(scratch, "tampered.coffer")
        open(path, "wb").write(reseal(c2, key, nonce, content, scratch))
        r = run(coffer, ["list", "-i", keyfile, path], os.path.join(scratch, "home-tamper"))
        check(f"A.2 {name}: coffer list exit code", r.returncode, want)


def check_armor(fmt, coffer, scratch, c1, secret, files):
    """§14: the example is A.1 armored by these rules, and `coffer list` reads it."""
    sec = open(fmt, encoding="utf-8").read().split("## 14.")[1].split("## Appendix A")[0]
    example = block(sec, "Example:").lstrip("\n")
    enc = base64.b64encode(c1).decode()  # standard base64 with padding
    lines = [enc[i:i + 64] for i in range(0, len(enc), 64)]
    want = "-----BEGIN COFFER ENCRYPTED FILE-----\n" + "\n".join(lines) + "\n-----END COFFER ENCRYPTED FILE-----\n"
    check("§14 example is A.1 armored", example, want)
    os.makedirs(scratch, exist_ok=True)
    keyfile = os.path.join(scratch, "key")
    open(keyfile, "w").write(secret + "\n")
    path = os.path.join(scratch, "a1.coffer.txt")
    open(path, "w").write(example)
    r = run(coffer, ["list", "-i", keyfile, path], os.path.join(scratch, "home"))
    check("§14 example: coffer list exit code", r.returncode, 0)
    check("§14 example: coffer list names every entry", sorted(p for p in files if p in r.stdout), sorted(files))


# --- A.3: format v2 ------------------------------------------------------------------

def stated_v2_files(a3):
    """The table of files in A.3: {path: (kind, mode, (mtime_s, mtime_ns), content)}."""
    tree = {}
    for line in block(a3, "The files, in scan order").strip().splitlines()[1:]:
        path, kind, mode, mtime_s, mtime_ns, *rest = line.split(None, 5)
        content = rest[0] if rest else ""
        if content.startswith("hex "):
            data = bytes.fromhex(content[4:])
        elif m := re.fullmatch(r'"(.*)" x (\d+) then "(.*)"', content):
            data = m.group(1).encode() * int(m.group(2)) + m.group(3).encode().decode("unicode_escape").encode()
        else:
            data = content.strip('"').encode().decode("unicode_escape").encode()
        tree[path] = (kind, int(mode, 8), (int(mtime_s), int(mtime_ns)), data)
    return tree


def coffer_writes_v2(coffer, scratch, card):
    """Whether `coffer encrypt` writes a coffer/v2 header (the C++ v2 code has landed)."""
    os.makedirs(scratch, exist_ok=True)
    src, out = os.path.join(scratch, "probe.txt"), os.path.join(scratch, "probe.coffer")
    open(src, "w").write("probe\n")
    run(coffer, ["encrypt", "--no-sign", "-r", card, "-o", out, src], os.path.join(scratch, "home-probe"))
    return os.path.exists(out) and open(out, "rb").readline().strip() == b"coffer/v2"


def check_v2(a1, a3, coffer, scratch, xsk, xpub, secret, card):
    """A.3 rebuilt from §5 by the second implementation, and read by coffer."""
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import v2_interop as v2
    c3 = container(a3)
    check("A.3 container length", len(c3), int(re.search(r"the whole container \((\d+) bytes", a3, re.I).group(1)))
    check("A.3 recipient is A.1's key", value(a3, "recipient", r"A\.1's X25519 pub"), "A.1's X25519 pub")
    fk = bytes([int(re.search(r"file key\s+32 bytes of 0x([0-9a-f]{2})", a3).group(1), 16)]) * 32
    eph = bytes([int(re.search(r"ephemeral secret\s+32 bytes of 0x([0-9a-f]{2})", a3).group(1), 16)]) * 32
    salt = bytes.fromhex(value(a3, "payload salt"))
    tree = stated_v2_files(a3)
    header = v2.write_header(fk, xpub, eph)
    check("A.3 header (§2, §3.1)", header.decode(), block(a3, "Header (").lstrip("\n"))
    check("A.3 header length", len(header), int(re.search(r"Header \((\d+) bytes", a3).group(1)))
    check("A.3 container begins with the header", c3[:len(header)], header)
    plain = hexblock(a3, "Archive plaintext")
    check("A.3 payload is the plaintext sealed (§4)", c3[len(header):], v2.seal(fk, salt, plain))
    try:
        got = v2.read_v2(c3, xsk)
    except v2.Damaged as e:
        got = f"refused: {e}"
    check("A.3 read_v2: every §5 rule holds, the files are as stated", got, tree)
    body, d = v2.split_archive(plain)
    check("A.3 directory content as shown (§5.2)", bytes(d), hexblock(a3, "Directory content"))
    check("A.3 trailer as shown (§5.3)", plain[-32:], hexblock(a3, "Trailer ("))
    rows = [struct.unpack_from("<QIII", d, 20 + 20 * k) for k in range(struct.unpack_from("<I", d, 12)[0])]
    tables = [v2.zstd_one_frame(plain[o + 8:o + 8 + sl], 1, 1 << 24) for o, sl, _, _ in rows]
    check("A.3 segment 0's table as shown", tables[0], hexblock(a3, "Segment 0's table"))
    check("A.3 segment 1's table as shown", tables[1], hexblock(a3, "Segment 1's table"))
    entries = {e["path"].decode(): e for e in v2.entries_of(tree)}
    pack0 = struct.unpack_from("<I", plain, 5)[0], len(plain[9:rows[0][0]])
    want0 = v2.encode_table([entries[p] for p in ("docs", "docs/empty", "docs/hello.txt", "docs/notes.md")],
                            1, pack0[1], None, False)
    check("A.3 segment 0's table rebuilt from the files (§5.9)", tables[0], want0)
    want1 = v2.encode_table([entries["docs/logo.png"]], 0, 16, None, False)
    check("A.3 segment 1's table rebuilt from the files (§5.9)", tables[1], want1)
    version = subprocess.run(["zstd", "--version"], capture_output=True, text=True).stdout
    if "v1.5.4" in version:  # the appendix's compressor: the whole container is rebuilt exactly
        check("A.3 rebuilt by write_v2", v2.write_v2(tree, xpub, fixed=dict(
            file_key=fk, ephemeral=eph, payload_salt=salt)), c3)
    check("coffer encrypt writes format v2 (§2.1)", coffer_writes_v2(coffer, scratch, card), True)
    os.makedirs(scratch, exist_ok=True)
    path, keyfile = os.path.join(scratch, "a3.coffer"), os.path.join(scratch, "key")
    open(path, "wb").write(c3)
    open(keyfile, "w").write(secret + "\n")
    home = os.path.join(scratch, "home-a3")
    r = run(coffer, ["list", "-i", keyfile, path], home)
    check("A.3: coffer list exit code", (r.returncode, r.stderr[:300]), (0, r.stderr[:300]))
    check("A.3: coffer list names every entry", sorted(p for p in tree if p in r.stdout), sorted(tree))
    out = os.path.join(scratch, "a3-out")
    r = run(coffer, ["decrypt", "-i", keyfile, "-o", out, path], home)
    check("A.3: coffer decrypt exit code", (r.returncode, r.stderr[:300]), (0, r.stderr[:300]))
    for p, (kind, mode, (s, ns), content) in tree.items():
        full = os.path.join(out, p)
        st = os.lstat(full) if os.path.lexists(full) else None
        got = (st.st_mode & 0o777, open(full, "rb").read() if kind == "file" else b"",
               divmod(st.st_mtime_ns, 10**9)) if st else None
        check(f"A.3: {p} mode, content, mtime", got, (mode, content, (s, ns)))


def main():
    fmt, coffer, scratch = sys.argv[1:4]
    os.umask(0o022)
    a1, a2, a3 = sections(fmt)
    c1, c2 = container(a1), container(a2)
    check("A.1 container length", len(c1), int(re.search(r"the whole container \((\d+) bytes", a1, re.I).group(1)))
    xsk, seed, xpub, edpub = keys(a1)
    fk = bytes.fromhex("42" * 32) if "32 bytes of 0x42" in a1 else None
    passphrase = check_header(a1, c1, xsk, xpub, fk)
    key, nonce = payload_keys(a1, fk, header_parts(c1)[2])
    files = check_archive(a1, one_chunk(key, nonce, header_parts(c1)[2]), xpub)
    for e in parse_index(hexblock(a1, "Index content (decompressed)"))["entries"]:
        files[e["path"]]["mtime"] = (e["mtime_s"], e["mtime_ns"])
    check_signed(a1, a2, c1, c2, key, nonce, seed, xpub, edpub)
    stated = block(a2, "reports on standard error:")
    unknown = re.search(r"signed by an unknown key: (coffer1\S+)", stated).group(1)
    check("A.2 unknown signer's card (no name, §5.7)", unknown, bech32("coffer", b"\x01" + xpub + edpub))
    secret = value(a1, "secret", r"COFFER-SECRET-KEY-1\S+")
    shutil.rmtree(scratch, ignore_errors=True)
    check_coffer(coffer, scratch, "A.1", c1, secret, passphrase, files, None)
    check_coffer(coffer, scratch, "A.2", c2, secret, passphrase, files, stated)
    check_tampering(coffer, os.path.join(scratch, "tamper"), a2, c2, key, nonce, secret, seed)
    check_armor(fmt, coffer, os.path.join(scratch, "armor"), c1, secret, files)
    check_v2(a1, a3, coffer, os.path.join(scratch, "v2"), xsk, xpub, secret,
             value(a1, "card", r"coffer1\S+"))
    print(f"{len(FAILED)} failed" + (": " + ", ".join(FAILED) if FAILED else ""))
    return 1 if FAILED else 0


if __name__ == "__main__":
    sys.exit(main())
