"""Format pieces shared by tests/format: the header (FORMAT.md §2, §3.1), the payload (§4),
zstd frames checked by their headers (§5.1), varints (§5) and Bech32 (§6), written from
FORMAT.md's text with Python's `cryptography` and the `zstd` command, not from Coffer's code."""
import base64
import hashlib
import hmac
import subprocess
import tempfile

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF, HKDFExpand

CHUNK = 16384
MiB = 1 << 20
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"


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
