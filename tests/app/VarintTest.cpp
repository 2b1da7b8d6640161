// The varints of format v2 (docs/FORMAT-v2.md §3 "varint"): LEB128 in the
// shortest form, at most 10 bytes, within 64 bits; zigzag for signed values.
// Every malformed form is refused, never read as some other number.
#include "Varint.h"

#include <gtest/gtest.h>

#include <limits>

using namespace coffer;
using coffer::varint::Cursor;
using crypto::Bytes;
using crypto::ByteView;

namespace {

std::uint64_t roundTrip(std::uint64_t v)
{
    Bytes out;
    varint::put(out, v);
    EXPECT_EQ(out.size(), varint::size(v));
    Cursor c(out);
    std::uint64_t back = ~v;
    EXPECT_TRUE(c.u64(back)) << v;
    EXPECT_EQ(c.left(), 0u);
    EXPECT_EQ(c.position(), out.size());
    return back;
}

std::int64_t roundTripZigzag(std::int64_t v)
{
    Bytes out;
    varint::putZigzag(out, v);
    Cursor c(out);
    std::int64_t back = ~v;
    EXPECT_TRUE(c.zigzag(back)) << v;
    EXPECT_EQ(c.left(), 0u);
    return back;
}

bool reads(const Bytes& in)
{
    Cursor c(in);
    std::uint64_t v = 0;
    return c.u64(v);
}

} // namespace

TEST(Varint, UnsignedValuesRoundTrip)
{
    for (std::uint64_t v : {std::uint64_t(0), std::uint64_t(1), std::uint64_t(127), std::uint64_t(128),
                            std::uint64_t(300), std::uint64_t(16383), std::uint64_t(16384), std::uint64_t(1) << 32,
                            std::uint64_t(1) << 63, std::numeric_limits<std::uint64_t>::max()})
        EXPECT_EQ(roundTrip(v), v);
}

TEST(Varint, EncodingIsTheShortestLeb128)
{
    Bytes out;
    varint::put(out, 0);
    varint::put(out, 127);
    varint::put(out, 128);
    varint::put(out, 1700000000);
    EXPECT_EQ(out, (Bytes{0x00, 0x7F, 0x80, 0x01, 0x80, 0xE2, 0xCF, 0xAA, 0x06}));
    Bytes max;
    varint::put(max, std::numeric_limits<std::uint64_t>::max());
    EXPECT_EQ(max, (Bytes{0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01}));
    Bytes top;
    varint::put(top, std::uint64_t(1) << 63);
    EXPECT_EQ(top, (Bytes{0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01}));
}

TEST(Varint, SignedValuesRoundTripThroughZigzag)
{
    for (std::int64_t v :
         {std::int64_t(0), std::int64_t(-1), std::int64_t(1), std::int64_t(-64), std::int64_t(63), std::int64_t(-110),
          std::int64_t(1700000000), std::numeric_limits<std::int64_t>::min(), std::numeric_limits<std::int64_t>::max()})
        EXPECT_EQ(roundTripZigzag(v), v);
    // zigzag: 0 → 0, -1 → 1, 1 → 2, -110 → 219 (FORMAT-v2 §3.13's "db 01").
    Bytes out;
    varint::putZigzag(out, 0);
    varint::putZigzag(out, -1);
    varint::putZigzag(out, 1);
    varint::putZigzag(out, -110);
    EXPECT_EQ(out, (Bytes{0x00, 0x01, 0x02, 0xDB, 0x01}));
    Bytes min;
    varint::putZigzag(min, std::numeric_limits<std::int64_t>::min());
    EXPECT_EQ(min, (Bytes{0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01}));
}

TEST(Varint, TenBytesIsTheMost)
{
    // 2^64 - 1 needs all ten bytes and reads back.
    EXPECT_TRUE(reads({0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01}));
    // An eleventh byte is refused, whatever it says.
    EXPECT_FALSE(reads({0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x81, 0x00}));
    EXPECT_FALSE(reads({0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01}));
}

TEST(Varint, NonShortestFormIsRefused)
{
    EXPECT_FALSE(reads({0x80, 0x00}));       // 0 in two bytes
    EXPECT_FALSE(reads({0xFF, 0x00}));       // 127 in two bytes
    EXPECT_FALSE(reads({0x80, 0x81, 0x00})); // 128 in three bytes
    EXPECT_FALSE(reads({0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00}));
    EXPECT_TRUE(reads({0x00}));
    EXPECT_TRUE(reads({0x80, 0x01}));
}

TEST(Varint, ValueOver64BitsIsRefused)
{
    // The tenth byte carries bit 63 only: 2 or more would be bit 64 and up.
    EXPECT_FALSE(reads({0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x02}));
    EXPECT_FALSE(reads({0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7F}));
}

TEST(Varint, TruncatedIsRefused)
{
    EXPECT_FALSE(reads({}));
    EXPECT_FALSE(reads({0x80}));
    EXPECT_FALSE(reads({0xFF, 0xFF, 0xFF}));
    EXPECT_FALSE(reads({0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}));
    const Bytes five{0x05};
    Cursor c(five);
    std::int64_t z = 0;
    EXPECT_TRUE(c.zigzag(z));
    EXPECT_EQ(z, -3);
    EXPECT_FALSE(c.zigzag(z));
}

TEST(Varint, FixedFieldsAndViews)
{
    const Bytes in{0x78, 0x56, 0x34, 0x12, 0xAB, 0x01, 0x02, 0x03};
    Cursor c(in);
    std::uint32_t u = 0;
    ASSERT_TRUE(c.u32le(u));
    EXPECT_EQ(u, 0x12345678u);
    std::uint8_t b = 0;
    ASSERT_TRUE(c.byte(b));
    EXPECT_EQ(b, 0xAB);
    ByteView v;
    EXPECT_FALSE(c.bytes(v, 4)); // only 3 left
    ASSERT_TRUE(c.bytes(v, 3));
    EXPECT_EQ(v.data(), in.data() + 5); // a view, not a copy
    EXPECT_EQ(c.left(), 0u);
    EXPECT_EQ(c.position(), 8u);
    EXPECT_FALSE(c.byte(b));
    EXPECT_FALSE(c.u32le(u));
    EXPECT_TRUE(c.bytes(v, 0));
}
