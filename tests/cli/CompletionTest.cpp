// Shell completion (resources/completion), run by the shells themselves: bash
// registers it, fish and zsh list commands and options; contact names come
// only from a keyring that opens without asking. And the command table is the
// one truth: every command and option `coffer help COMMAND` lists is in the
// three scripts, in docs/CLI.md and in the manual page.
#include "CliHarness.h"

#include <regex>
#include <set>

namespace coffer::test::cli {
namespace {

const fs::path kSource = COFFER_SOURCE_DIR;
const fs::path kCompletion = kSource / "resources/completion";

const char* const kCommands[] = {"keygen", "encrypt",   "decrypt", "list",    "inspect", "id",  "contacts",
                                 "rekey",  "integrate", "mount",   "unmount", "unlock",  "lock"};

/// The long options `coffer help COMMAND` lists.
std::set<std::string> optionsOf(const std::string& command)
{
    const Outcome r = coffer("help " + command);
    EXPECT_EQ(r.code, kExitOk) << r.output;
    const std::string options = r.output.substr(0, r.output.find("\nExample"));
    std::set<std::string> found;
    const std::regex option("(^|[ ,\\[])(--[a-z][a-z-]*)");
    for (auto it = std::sregex_iterator(options.begin(), options.end(), option); it != std::sregex_iterator(); ++it)
        found.insert((*it)[2]);
    EXPECT_FALSE(found.empty()) << command;
    return found;
}

/// Runs `shell` with PATH starting at the coffer under test.
Outcome inShell(const std::string& command)
{
    const std::string path = fs::path(COFFER_BINARY).parent_path().string() + ":" + std::getenv("PATH");
    return shell("PATH=" + shellQuote(path) + " timeout 60 " + command);
}

bool have(const char* program)
{
    return shell(std::string("command -v ") + program + " >/dev/null").code == 0;
}

TEST(CliCompletion, TheScriptsTheDocsAndTheManualNameEveryCommandAndOption)
{
    const std::string bash = readFile(kCompletion / "coffer.bash");
    const std::string zsh = readFile(kCompletion / "_coffer");
    const std::string fish = readFile(kCompletion / "coffer.fish");
    const std::string docs = readFile(kSource / "docs/CLI.md");
    const std::string manual = readFile(kSource / "packaging/coffer.1");
    for (const char* command : kCommands) {
        for (const std::string* text : {&bash, &zsh, &fish})
            EXPECT_NE(text->find(command), std::string::npos) << command;
        EXPECT_NE(docs.find("coffer " + std::string(command)), std::string::npos) << command << " in CLI.md";
        EXPECT_NE(manual.find("coffer " + std::string(command)), std::string::npos) << command << " in coffer.1";
        for (const auto& option : optionsOf(command)) {
            EXPECT_NE(bash.find(option), std::string::npos) << command << " " << option << " in coffer.bash";
            EXPECT_NE(zsh.find(option), std::string::npos) << command << " " << option << " in _coffer";
            EXPECT_NE(fish.find("-l " + option.substr(2)), std::string::npos)
                << command << " " << option << " in coffer.fish";
            EXPECT_NE(docs.find(option), std::string::npos) << command << " " << option << " in CLI.md";
            std::string escaped; // roff writes each '-' as "\-"
            for (const char c : option)
                escaped += c == '-' ? std::string("\\-") : std::string(1, c);
            EXPECT_NE(manual.find(escaped), std::string::npos) << command << " " << option << " in coffer.1";
        }
    }
}

TEST(CliCompletion, BashRegistersItAndOffersCommandsAndOptions)
{
    const std::string script = q(kCompletion / "coffer.bash");
    const Outcome r = inShell("bash -c " + shellQuote("source " + script + " && complete -p coffer"));
    EXPECT_EQ(r.code, kExitOk) << r.output;
    EXPECT_NE(r.output.find("complete -F _coffer coffer"), std::string::npos) << r.output;
    const Outcome words =
        inShell("bash -c " + shellQuote("source " + script + "; COMP_WORDS=(coffer enc); COMP_CWORD=1; _coffer; " +
                                        "echo \"${COMPREPLY[@]}\"; COMP_WORDS=(coffer encrypt --fol); COMP_CWORD=2; " +
                                        "_coffer; echo \"${COMPREPLY[@]}\""));
    EXPECT_EQ(words.output, "encrypt\n--follow-links --follow-all-links\n") << words.output;
}

TEST(CliCompletion, FishOffersCommandsAndOptions)
{
    ASSERT_TRUE(have("fish")) << "fish is missing: tools/bootstrap.sh installs it";
    const std::string source = "source " + q(kCompletion / "coffer.fish") + "; ";
    const Outcome r = inShell("fish --no-config -c " +
                              shellQuote(source + "complete -C 'coffer enc'; complete -C 'coffer encrypt --fol'"));
    EXPECT_EQ(r.code, kExitOk) << r.output;
    EXPECT_TRUE(hasLineStartingWith(r.output, "encrypt\t")) << r.output;
    EXPECT_TRUE(hasLineStartingWith(r.output, "--follow-links\t")) << r.output;
    EXPECT_TRUE(hasLineStartingWith(r.output, "--follow-all-links\t")) << r.output;
}

/// Completes `line` in an interactive zsh (run through zpty) with the
/// completion folder in fpath and compinit in a clean ZDOTDIR; the matches
/// offered, one per line.
std::string zshMatches(const std::string& line)
{
    TempDir dir;
    writeFile(dir / "probe.zsh", R"(zmodload zsh/zpty || exit 3
zpty z zsh -f -i
zpty -w z "PS1=''; fpath=(${(q)1} \$fpath); autoload -Uz compinit; compinit -u -D"
zpty -w z 'compadd() { if [[ ${@[1,(i)(-|--)]} == *-(O|A|D)\ * ]]; then builtin compadd "$@"; return $?; fi; local -a h; builtin compadd -A h "$@"; (( $#h )) && print -rl -- "<match>"${^h}; builtin compadd "$@"; }'
zpty -w z 'print -r -- "<rea""dy>"'
local out
while zpty -r z out; do [[ $out == *'<ready>'* ]] && break; done
zpty -w -n z "$2"$'\t'
integer n=0
sleep 1
while zpty -r -t z out && (( n++ < 400 )); do print -r -- $out; done 2>/dev/null
zpty -d z
)");
    const Outcome r = inShell("env ZDOTDIR=" + q(dir.path()) + " HOME=" + q(dir.path()) + " zsh -f " +
                              q(dir / "probe.zsh") + " " + q(kCompletion) + " " + shellQuote(line));
    std::string matches;
    std::istringstream lines(r.output);
    for (std::string l; std::getline(lines, l);)
        if (const auto at = l.find("<match>"); at != std::string::npos)
            matches += l.substr(at + 7, l.find_last_not_of("\r") - at - 6) + "\n";
    return matches;
}

TEST(CliCompletion, ZshLoadsItWithCompinitAndOffersCommandsAndOptions)
{
    ASSERT_TRUE(have("zsh")) << "zsh is missing: tools/bootstrap.sh installs it";
    TempDir home;
    const Outcome r = inShell("env ZDOTDIR=" + q(home.path()) + " zsh -f -c " +
                              shellQuote("fpath=(" + q(kCompletion) +
                                         " $fpath); autoload -Uz compinit; compinit -u -D; print -r -- "
                                         "$_comps[coffer]; autoload +X _coffer && print defined"));
    EXPECT_EQ(r.output, "_coffer\ndefined\n") << r.output;
    EXPECT_EQ(zshMatches("coffer enc"), "encrypt\n");
    const std::string options = zshMatches("coffer encrypt --fol");
    EXPECT_NE(options.find("--follow-links\n"), std::string::npos) << options;
    EXPECT_NE(options.find("--follow-all-links\n"), std::string::npos) << options;
}

class CompletionContactsTest : public ::testing::Test {
protected:
    void SetUp() override
    {
        writeFile(m_dir / "pass", "correct horse battery staple\n");
        const Key bob = makeKey(m_dir / "bob.key");
        ASSERT_EQ(run("id create --name Me --keyring-passphrase-file " + q(m_dir / "pass")).code, kExitOk);
        ASSERT_EQ(
            run("contacts add " + bob.card + " --name 'Bob Builder' --keyring-passphrase-file " + q(m_dir / "pass"))
                .code,
            kExitOk);
    }
    /// Without a terminal: nothing may wait for a passphrase.
    Outcome run(const std::string& args)
    {
        return shell("{ COFFER_HOME=" + q(m_dir / "home") + " setsid -w " + cofferCommand() + " " + args +
                     " </dev/null; }");
    }
    TempDir m_dir;
};

TEST_F(CompletionContactsTest, NamesOnlyWithoutAPromptPrintsNothingWhenTheKeyringIsLocked)
{
    const Outcome r = run("contacts list --names-only --no-prompt 2>/dev/null");
    EXPECT_NE(r.code, kExitOk);
    EXPECT_EQ(r.output, "");
    const Outcome open = run("contacts list --names-only --no-prompt --keyring-passphrase-file " + q(m_dir / "pass"));
    EXPECT_EQ(open.code, kExitOk) << open.output;
    EXPECT_EQ(open.output, "Bob Builder\n");
}

TEST_F(CompletionContactsTest, FishOffersContactNamesOnlyFromAKeyringThatOpensUnasked)
{
    ASSERT_TRUE(have("fish"));
    const std::string env = "env COFFER_HOME=" + q(m_dir / "home") + " setsid -w ";
    const std::string source = "source " + q(kCompletion / "coffer.fish") + "; ";
    const Outcome locked =
        inShell(env + "fish --no-config -c " + shellQuote(source + "complete -C 'coffer encrypt -r '") + " </dev/null");
    EXPECT_EQ(locked.output, "") << locked.output;
    const Outcome open = inShell(env + "fish --no-config -c " +
                                 shellQuote(source + "complete -C 'coffer encrypt --keyring-passphrase-file " +
                                            (m_dir / "pass").string() + " -r '") +
                                 " </dev/null");
    EXPECT_TRUE(hasLineStartingWith(open.output, "Bob Builder")) << open.output;
}

} // namespace
} // namespace coffer::test::cli
