// Portable mode (DESIGN §3): with a file named `portable` beside the
// executable, the keyring lives in data/ beside it and "nothing at all is
// written outside the app's folder and the output folder". A copy of the
// built `coffer` in a temporary folder, run with an empty HOME, an empty
// TMPDIR, an empty XDG_RUNTIME_DIR and COFFER_HOME unset, creates an
// identity, encrypts and decrypts; HOME, TMPDIR and the runtime folder stay
// empty, and (when strace is installed) not one file-system change by any
// of those processes lands outside the portable folder.
#include "KeyringHarness.h"

#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <sstream>
#include <utility>

using namespace coffer;
using namespace coffer::test;
using namespace coffer::test::keyring;

namespace {

const std::set<std::string> kChangingCalls = {
    "creat",  "mkdir",    "mkdirat",   "rename",   "renameat",  "renameat2",   "link",
    "linkat", "symlink",  "symlinkat", "unlink",   "unlinkat",  "rmdir",       "truncate",
    "chmod",  "fchmodat", "chown",     "lchown",   "fchownat",  "utimensat",   "utime",
    "utimes", "mknod",    "mknodat",   "setxattr", "lsetxattr", "removexattr", "lremovexattr"};

bool isUnder(const fs::path& p, const fs::path& root)
{
    const std::string s = p.lexically_normal().string();
    const std::string r = root.lexically_normal().string();
    return s == r || s.rfind(r + "/", 0) == 0;
}

/// Every path a traced process created, changed or removed (strace -ff -y
/// output, one file per thread), resolved against `cwd` where relative.
std::vector<fs::path> changedPaths(const fs::path& traceDir, const fs::path& cwd)
{
    static const std::regex call(R"(^(\w+)\((.*)\)\s+=\s+(-?\d+))");
    static const std::regex pathArg(R"((?:(?:AT_FDCWD|\d+)(?:<([^>]*)>)?, )?\"([^\"]*)\")");
    static const std::regex fdOnly(R"(^\d+<([^>]*)>)");
    std::vector<fs::path> changed;
    for (const auto& entry : fs::directory_iterator(traceDir)) {
        std::istringstream lines(readFile(entry.path()));
        for (std::string line; std::getline(lines, line);) {
            std::smatch m;
            if (!std::regex_search(line, m, call) || std::stol(m[3]) < 0)
                continue;
            const std::string name = m[1];
            const std::string args = m[2];
            const bool opening = name == "open" || name == "openat";
            if (opening && !std::regex_search(args, std::regex("O_WRONLY|O_RDWR|O_CREAT|O_TRUNC|O_APPEND")))
                continue;
            if (!opening && !kChangingCalls.count(name))
                continue;
            bool any = false;
            // A link's first path is its source (for Coffer's partial outputs an
            // O_TMPFILE file, "/proc/self/fd/N"): only the new name is a change.
            bool skipSource = name == "link" || name == "linkat";
            for (std::sregex_iterator it(args.begin(), args.end(), pathArg), end; it != end; ++it) {
                if (std::exchange(skipSource, false))
                    continue;
                const fs::path p = (*it)[2].str();
                const fs::path dir = (*it)[1].matched ? fs::path((*it)[1].str()) : cwd;
                changed.push_back(p.is_absolute() ? p : dir / p);
                any = true;
            }
            if (!any && std::regex_search(args, m, fdOnly)) // e.g. utimensat(3</x/y>, NULL, ...)
                changed.push_back(m[1].str());
        }
    }
    return changed;
}

} // namespace

TEST(KeyringPortableMode, CreateEncryptDecryptWriteOnlyBesideTheExecutable)
{
    TempDir root;
    const fs::path app = root / "CofferPortable";
    const fs::path home = root / "home";
    const fs::path tmp = root / "tmp";
    const fs::path runtime = root / "runtime";
    const fs::path work = root / "work"; // inputs: read, never written
    const fs::path traces = root / "traces";
    for (const auto& d : {app / "out", home, tmp, runtime, work, traces})
        fs::create_directories(d);
    fs::permissions(runtime, fs::perms::owner_all, fs::perm_options::replace);
    fs::copy_file(COFFER_BINARY, app / "coffer");
    writeFile(app / "portable", "");
    writeFile(work / "pass", kPassphrase + "\n");
    writeFile(work / "docs" / "note.txt", "portable note\n");
    writeFile(work / "docs" / "sub" / "data.bin", std::string(100000, 'x'));
    const auto workBefore = listTree(work);

    const bool traced = runCommand("command -v strace >/dev/null") == 0;
    const std::string strace =
        traced ? "strace -qq -f -ff -y -e trace=%file,creat -o " + q(traces / "t") + " " : std::string();
    const std::string prefix = "cd " + q(work) +
                               " && env -u COFFER_HOME -u XDG_DATA_HOME -u XDG_CONFIG_HOME -u XDG_CACHE_HOME "
                               "-u XDG_STATE_HOME HOME=" +
                               q(home) + " TMPDIR=" + q(tmp) + " XDG_RUNTIME_DIR=" + q(runtime) + " " + strace +
                               q(app / "coffer") + " ";
    const std::string pass = " --keyring-passphrase-file " + q(work / "pass");

    const Outcome created = shell(prefix + "id create --name Porta" + pass);
    ASSERT_EQ(created.code, kExitOk) << created.output;
    const std::string card = "coffer1" + lineAfter(created.output, "coffer1");
    EXPECT_TRUE(fs::exists(app / "data" / "keyring.coffer"));

    const Outcome enc = shell(prefix + "encrypt -r " + shellQuote(card) + " -o " + q(app / "out" / "docs.coffer") +
                              " " + q(work / "docs") + pass);
    ASSERT_EQ(enc.code, kExitOk) << enc.output;
    const Outcome dec =
        shell(prefix + "decrypt -o " + q(app / "out" / "opened") + " " + q(app / "out" / "docs.coffer") + pass);
    ASSERT_EQ(dec.code, kExitOk) << dec.output;
    EXPECT_TRUE(contains(dec.output, "signed by you")) << dec.output;
    EXPECT_EQ(readFile(app / "out" / "opened" / "docs" / "note.txt"), "portable note\n");
    EXPECT_EQ(readFile(app / "out" / "opened" / "docs" / "sub" / "data.bin"), std::string(100000, 'x'));

    // HOME, TMPDIR and the runtime folder are exactly as before: empty.
    EXPECT_EQ(listTree(home), std::vector<std::string>{});
    EXPECT_EQ(listTree(tmp), std::vector<std::string>{});
    EXPECT_EQ(listTree(runtime), std::vector<std::string>{});
    EXPECT_EQ(listTree(work), workBefore);
    // The portable folder holds the program, the marker, data/ (the keyring, and the
    // records of staging folders, empty once the extraction is done) and the output folder.
    EXPECT_EQ(listTree(app), (std::vector<std::string>{
                                 "coffer", "data/", "data/keyring.coffer", "data/state/", "data/state/staging/", "out/",
                                 "out/docs.coffer", "out/opened/", "out/opened/docs/", "out/opened/docs/note.txt",
                                 "out/opened/docs/sub/", "out/opened/docs/sub/data.bin", "portable"}));

    if (!traced)
        GTEST_SKIP() << "strace is not installed: checked HOME, TMPDIR and the runtime folder only";
    const std::vector<fs::path> changed = changedPaths(traces, work);
    EXPECT_FALSE(changed.empty()) << "the trace saw no write at all: the strace parser is broken";
    for (const auto& p : changed)
        EXPECT_TRUE(isUnder(p, app) || isUnder(p, "/dev")) << "written outside the portable folder: " << p;
}
