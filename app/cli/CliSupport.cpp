#include "CliSupport.h"

#include "AgentClient.h"

#include "Cli.h"
#include "ContainerReader.h"
#include "DisplayText.h"
#include "FileIO.h"
#include "Paths.h"
#include "RekeyJournal.h"
#include "Terminal.h"

#include <csignal>
#include <cstdio>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

namespace coffer::cli {

namespace {

JobControl* g_activeJob = nullptr;

constexpr int kCancelSignals[] = {SIGINT, SIGTERM};

/// What each signal did before beginJob; a signal that was ignored when
/// Coffer started (nohup, a background job of a script) stays ignored.
struct sigaction g_before[std::size(kCancelSignals)];
volatile sig_atomic_t g_handled[std::size(kCancelSignals)];

/// The first Ctrl-C or SIGTERM cancels: the job stops within moments and
/// removes what it wrote. The handler then restores the default action of
/// the signals it handles, so a second one (either) ends the process at
/// once; what is left then is what SIGKILL leaves, and the next run removes
/// it (SECURITY.md "Extraction safety").
extern "C" void onInterrupt(int)
{
    if (g_activeJob)
        g_activeJob->cancel();
    struct sigaction fallback {};
    fallback.sa_handler = SIG_DFL;
    for (std::size_t i = 0; i < std::size(kCancelSignals); ++i)
        if (g_handled[i])
            ::sigaction(kCancelSignals[i], &fallback, nullptr); // sigaction and write are async-signal-safe
    static const char notice[] = "\ncancelling: removing what was written (press Ctrl-C again to quit at once)\n";
    [[maybe_unused]] const auto n = ::write(STDERR_FILENO, notice, sizeof notice - 1);
}

const char* hintFor(ErrorCode code)
{
    switch (code) {
    case ErrorCode::NoKeyMatched:
    case ErrorCode::PassphraseNeeded: // when the CLI may not ask (a key was given), it is that no key matched
        return "none of your keys opens this container; ask the sender to encrypt it to your card, or pass the right "
               "-i file";
    case ErrorCode::WrongPassphrase:
        return "check the passphrase (it is case-sensitive) and try again";
    case ErrorCode::Damaged:
        return "the file was damaged or changed after it was made; ask the sender for a fresh copy";
    case ErrorCode::LimitExceeded:
        return "the container asks for more than Coffer allows; it may be hostile, so do not trust it";
    case ErrorCode::UnsafePath:
        return "the container tries to write outside the chosen folder; nothing was extracted, do not trust it";
    case ErrorCode::NotAContainer:
        return "check that you chose a .coffer file";
    case ErrorCode::UnsupportedVersion:
        return "a newer version of Coffer may open it";
    case ErrorCode::Io:
        return "check free space, permissions and the path, then try again";
    case ErrorCode::Cancelled:
        return "nothing was left behind";
    case ErrorCode::InvalidArgument:
        return "run \"coffer --help\" for usage";
    case ErrorCode::Internal:
        return "this is a bug in Coffer; please report it";
    }
    return "";
}

int exitCodeFor(ErrorCode code)
{
    switch (code) {
    case ErrorCode::NoKeyMatched:
    case ErrorCode::PassphraseNeeded:
    case ErrorCode::WrongPassphrase:
        return kExitNoKey;
    case ErrorCode::Damaged:
    case ErrorCode::LimitExceeded:
    case ErrorCode::UnsafePath:
        return kExitDamaged;
    case ErrorCode::NotAContainer:
    case ErrorCode::UnsupportedVersion:
        return kExitNotSupported;
    case ErrorCode::Io:
        return kExitIo;
    case ErrorCode::Cancelled:
        return kExitCancelled;
    case ErrorCode::InvalidArgument:
        return kExitUsage;
    case ErrorCode::Internal:
        return kExitInternal;
    }
    return kExitInternal;
}

} // namespace

void beginJob(JobControl& job)
{
    if (stderrIsTerminal())
        job.setProgressCallback(drawProgress);
    g_activeJob = &job;
    // No SA_RESTART: a read waiting on a stalled pipe returns EINTR and sees the cancel (FdSource).
    struct sigaction sa {};
    sa.sa_handler = onInterrupt;
    for (std::size_t i = 0; i < std::size(kCancelSignals); ++i) {
        ::sigaction(kCancelSignals[i], nullptr, &g_before[i]);
        g_handled[i] = g_before[i].sa_handler != SIG_IGN;
        if (g_handled[i])
            ::sigaction(kCancelSignals[i], &sa, nullptr);
    }
}

void endJob(JobControl& job)
{
    for (std::size_t i = 0; i < std::size(kCancelSignals); ++i)
        if (g_handled[i])
            ::sigaction(kCancelSignals[i], &g_before[i], nullptr);
    g_activeJob = nullptr;
    if (stderrIsTerminal())
        clearProgress();
    for (const auto& w : job.warnings())
        std::fprintf(stderr, "warning: %s\n", displayable(w).c_str());
}

void detachFromTerminal()
{
    ::setsid();
    if (::chdir("/") != 0)
        return;
    const int null = ::open("/dev/null", O_RDWR | O_CLOEXEC);
    for (int fd = 0; null >= 0 && fd <= 2; ++fd)
        ::dup2(null, fd);
    if (null > 2)
        ::close(null);
}

Result<std::string> readTextFile(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return makeError(ErrorCode::Io, "cannot read \"" + path + "\"");
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

int reportError(const Error& error)
{
    // Messages quote paths, names and a file's first line: never raw to the terminal.
    std::fprintf(stderr, "error: %s\n", displayable(error.message).c_str());
    if (!error.hint.empty())
        std::fprintf(stderr, "hint: %s\n", displayable(error.hint).c_str());
    else if (const char* hint = hintFor(error.code); *hint)
        std::fprintf(stderr, "hint: %s\n", hint);
    return exitCodeFor(error.code);
}

int usageError(const std::string& message, const std::string& usage)
{
    std::fprintf(stderr, "error: %s\nusage: %s\n", displayable(message).c_str(), usage.c_str());
    return kExitUsage;
}

Result<std::optional<crypto::SecureString>> newPassphraseFromArgs(const Args& args)
{
    if (auto file = args.one("--passphrase-file")) {
        auto p = readPassphraseFile(*file);
        COFFER_TRY(p);
        return std::optional<crypto::SecureString>(std::move(*p));
    }
    if (!args.has("--passphrase"))
        return std::optional<crypto::SecureString>();
    auto first = readPassphrase("Passphrase: ");
    COFFER_TRY(first);
    auto second = readPassphrase("Passphrase again: ");
    COFFER_TRY(second);
    if (*first != *second)
        return makeError(ErrorCode::InvalidArgument, "the two passphrases differ", "type the same passphrase twice");
    return std::optional<crypto::SecureString>(std::move(*first));
}

Status checkContainerFirst(const std::string& path)
{
    if (path == "-")
        return Status::success(); // a stream is read once: it is checked as it is decrypted
    std::error_code ec;
    if (std::filesystem::exists(rekeyJournalPath(path), ec))
        return Status::success(); // an interrupted rekey: opening the container finishes it first
    auto info = inspectContainer(path);
    if (info.ok())
        return Status::success();
    Error e = info.error();
    if (e.code != ErrorCode::Io) // an I/O error names the file already
        e.message = "\"" + path + "\": " + e.message;
    return e;
}

Status checkInputsExist(const std::vector<std::string>& paths)
{
    for (const auto& p : paths) {
        struct stat st;
        if (::lstat(p.c_str(), &st) != 0)
            return ioError(errno, "read", p);
    }
    return Status::success();
}

Status checkOutputFolder(const std::filesystem::path& path)
{
    // The nearest folder that exists is where the output will be made.
    std::filesystem::path dir = path.empty() ? std::filesystem::path(".") : path;
    struct stat st;
    while (::stat(dir.c_str(), &st) != 0) {
        if (errno != ENOENT || dir == "." || dir == dir.root_path())
            return ioError(errno, "write into", dir);
        dir = dir.parent_path().empty() ? std::filesystem::path(".") : dir.parent_path();
    }
    if (!S_ISDIR(st.st_mode))
        return ioError(ENOTDIR, "write into", dir);
    if (::access(dir.c_str(), W_OK | X_OK) != 0)
        return ioError(errno, "write into", dir);
    return Status::success();
}

Status checkOutputFile(const std::string& path)
{
    if (path == "-")
        return Status::success();
    const std::filesystem::path parent = std::filesystem::path(path).parent_path();
    const std::filesystem::path dir = parent.empty() ? std::filesystem::path(".") : parent;
    struct stat st;
    if (::stat(dir.c_str(), &st) != 0) // Coffer makes no folder for a file: it must exist
        return ioError(errno, "write into", dir);
    return checkOutputFolder(dir);
}

KeyringStore keyringStore()
{
    return KeyringStore(resolveDataLocations().dataDir);
}

Result<crypto::SecureString> keyringPassphrase(const Args& args, bool confirmNew)
{
    if (auto file = args.one("--keyring-passphrase-file"))
        return readPassphraseFile(*file);
    if (args.has("--no-prompt"))
        return makeError(ErrorCode::InvalidArgument,
                         "the keyring is locked, and --no-prompt forbids asking for its "
                         "passphrase",
                         "use --keyring-passphrase-file FILE");
    auto first = readPassphrase(confirmNew ? "New keyring passphrase: " : "Keyring passphrase: ", "keyring passphrase",
                                "--keyring-passphrase-file");
    COFFER_TRY(first);
    if (!confirmNew)
        return first;
    if (first->size() < 8)
        return makeError(ErrorCode::InvalidArgument, "choose a keyring passphrase of at least 8 characters");
    auto second = readPassphrase("Keyring passphrase again: ", "keyring passphrase", "--keyring-passphrase-file");
    COFFER_TRY(second);
    if (*first != *second)
        return makeError(ErrorCode::InvalidArgument, "the two passphrases differ", "type the same passphrase twice");
    return first;
}

Status checkKeyringExists()
{
    if (keyringStore().exists())
        return Status::success();
    return makeError(ErrorCode::InvalidArgument, "there is no keyring yet",
                     "run \"coffer id create\" to make one (or \"coffer id import FILE\" for a key you have)");
}

Result<crypto::SecureString> existingKeyringPassphrase(const Args& args)
{
    COFFER_TRY(checkKeyringExists()); // before asking for a passphrase that cannot help
    return keyringPassphrase(args);
}

Result<Keyring> unlockKeyring(const Args& args)
{
    COFFER_TRY(checkKeyringExists()); // before asking for a passphrase that cannot help
    auto passphrase = keyringPassphrase(args);
    COFFER_TRY(passphrase);
    return unlockWithPassphrase(*passphrase);
}

Result<Keyring> unlockWithPassphrase(const crypto::SecureString& passphrase)
{
    auto store = keyringStore();
    auto loaded = store.load(passphrase);
    COFFER_TRY(loaded);
    if (loaded->fromBackup)
        std::fprintf(stderr,
                     "warning: the keyring file was damaged; Coffer opened its backup (%s). Your next change "
                     "saves a repaired keyring.\n",
                     displayable(store.backupPath().string()).c_str());
    return std::move(loaded->keyring);
}

Result<Keyring> openKeyring(const Args& args)
{
    COFFER_TRY(checkKeyringExists());
    if (auto held = agent::keyringFromAgent(keyringStore().path()))
        return std::move(*held);
    return unlockKeyring(args);
}

} // namespace coffer::cli
