// Packs (FORMAT.md §5.8): small files share one zstd frame. Both readers must
// take each file's bytes from its pack, and refuse any pack bookkeeping that
// does not add up.
#include "ExtractHarness.h"
#include "HostileContainer.h"
#include "TestSupport.h"

#include <gtest/gtest.h>

using namespace coffer;
using namespace coffer::test;

namespace {

HostileEntry& member(HostileArchive& archive, const std::string& path, std::string_view content)
{
    HostileEntry e;
    e.record.kind = EntryKind::File;
    e.record.codec = Codec::Packed;
    e.record.mode = 0644;
    e.record.size = content.size();
    e.record.path = path;
    e.content = bytesOf(content);
    archive.entries.push_back(std::move(e));
    return archive.entries.back();
}

HostileArchive twoMembers()
{
    HostileArchive archive;
    archive.hashes = true;
    archive.pack("helloworld");
    member(archive, "a.txt", "hello");
    member(archive, "b.txt", "world");
    archive.file("c.txt", "after");
    return archive;
}

} // namespace

TEST(Pack, BothReadersTakeEachFileFromItsPack)
{
    ExtractScene scene;
    scene.expectAccepted(twoMembers());
    scene.write(twoMembers());
    for (const auto mode : {ReaderMode::File, ReaderMode::Stream}) {
        TempDir out;
        auto result = extractWith(mode, scene.container, out.path(), identitiesOf(scene.identity));
        ASSERT_TRUE(result.ok()) << result.error().message;
        EXPECT_EQ(readFile(out / "a.txt"), "hello");
        EXPECT_EQ(readFile(out / "b.txt"), "world");
        EXPECT_EQ(readFile(out / "c.txt"), "after");
        EXPECT_EQ(listTree(out.path()), (std::vector<std::string>{"a.txt", "b.txt", "c.txt"}));
    }
}

TEST(Pack, OnlyOneMemberNeedsOnlyItsPack)
{
    ExtractScene scene;
    scene.write(twoMembers());
    for (const auto mode : {ReaderMode::File, ReaderMode::Stream}) {
        TempDir out;
        JobControl job;
        ExtractRequest request;
        request.destination = out.path();
        request.only = {"b.txt"};
        auto result = extractWith(mode, scene.container, request, identitiesOf(scene.identity), job);
        ASSERT_TRUE(result.ok()) << result.error().message;
        EXPECT_EQ(listTree(out.path()), std::vector<std::string>{"b.txt"});
        EXPECT_EQ(readFile(out / "b.txt"), "world");
    }
}

TEST(Pack, RefusesBookkeepingThatDoesNotAddUp)
{
    ExtractScene scene;
    const auto refuse = [&](const char* what, auto&& edit) {
        SCOPED_TRACE(what);
        HostileArchive archive = twoMembers();
        edit(archive);
        scene.expectRefused(archive, ErrorCode::Damaged);
    };
    refuse("a member larger than what is left", [](HostileArchive& a) {
        a.entries[2].record.size = 6;
        a.entries[2].content = bytesOf("world!");
    });
    refuse("content left over", [](HostileArchive& a) { a.entries.erase(a.entries.begin() + 2); });
    refuse("a member without a pack", [](HostileArchive& a) { a.entries.erase(a.entries.begin()); });
    refuse("a pack followed by a stored file", [](HostileArchive& a) {
        a.entries[1] = a.entries[3];
        a.entries[1].record.path = "x.txt";
    });
    refuse("a pack with a mode", [](HostileArchive& a) { a.entries[0].record.mode = 0644; });
    refuse("a pack of raw bytes", [](HostileArchive& a) {
        a.entries[0].record.codec = Codec::Stored;
        a.entries[0].data = bytesOf("helloworld");
    });
    refuse("a member with data of its own", [](HostileArchive& a) { a.entries[1].data = bytesOf("hello"); });
    refuse("a packed empty file", [](HostileArchive& a) {
        a.entries[1].record.size = 0;
        a.entries[1].content.clear();
    });
    refuse("a pack declaring more than 16 MiB", [](HostileArchive& a) { a.entries[0].record.size = (16u << 20) + 1; });
}

TEST(Pack, RefusesAPackWithAPath)
{
    ExtractScene scene;
    HostileArchive archive = twoMembers();
    archive.entries[0].record.path = "p";
    scene.expectRefusedWithAnyOf(archive, {ErrorCode::Damaged, ErrorCode::UnsafePath});
}
