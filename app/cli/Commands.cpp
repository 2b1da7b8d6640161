#include "Commands.h"

#include "AgeCommands.h"
#include "ArmoredInput.h"
#include "Cli.h"
#include "CliSupport.h"
#include "CommandTable.h"
#include "ContainerReader.h"
#include "DisplayText.h"
#include "Encrypt.h"
#include "Extract.h"
#include "FileIO.h"
#include "KeyChoice.h"
#include "ListingLines.h"
#include "PassphraseRecipient.h"
#include "Paths.h"
#include "SignatureStatus.h"
#include "Terminal.h"

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <fstream>
#include <memory>
#include <sstream>
#include <unistd.h>

namespace coffer::cli {

namespace fs = std::filesystem;

namespace {

/// Said before an Argon2id run above what Coffer writes (FORMAT.md §3.2): the
/// wait and the memory are the container's choice, not ours.
void noticeUnusualCost(const crypto::Argon2Params& p)
{
    std::fprintf(stderr, "note: this container asks for an unusually costly passphrase check (%u MiB, about %.0f s)\n",
                 static_cast<unsigned>(p.memoryKiB / 1024), crypto::argon2Seconds(p));
}

Error noKeyGiven()
{
    return makeError(ErrorCode::InvalidArgument, "no key given",
                     "pass -i FILE (a key file) or -p (a passphrase), or make a keyring with \"coffer id create\"");
}

/// The keys to try: -i FILE..., -p / --passphrase-file, else the keyring
/// (held, to name signers), else none yet: a container file may then turn out
/// to want a passphrase, asked for by openWithKeys.
struct ChosenKeys {
    crypto::IdentityList identities;
    std::optional<Keyring> keyring;
    bool mayAskPassphrase = false;
};

Result<std::optional<crypto::SecureString>> passphraseToOpen(const Args& args)
{
    std::optional<crypto::SecureString> passphrase;
    if (auto file = args.one("--passphrase-file")) {
        auto p = readPassphraseFile(*file);
        COFFER_TRY(p);
        passphrase = std::move(*p);
    } else if (args.has("--passphrase")) {
        auto p = readPassphrase("Passphrase: ");
        COFFER_TRY(p);
        passphrase = std::move(*p);
    }
    return passphrase;
}

Result<ChosenKeys> chooseKeys(const Args& args, const std::string& container)
{
    ChosenKeys keys;
    for (const auto& file : args.all("--identity"))
        COFFER_TRY(addIdentitiesFromFile(file, keys.identities));
    auto passphrase = passphraseToOpen(args);
    COFFER_TRY(passphrase);
    if (!*passphrase && keys.identities.empty() && keyringStore().exists()) {
        auto k = openKeyring(args);
        COFFER_TRY(k);
        keys.keyring = std::move(*k);
    } else if (!*passphrase && keys.identities.empty() && container != "-") {
        keys.mayAskPassphrase = true; // a stream cannot be read twice: it needs its key up front
        return keys;
    }
    for (auto& id : identitiesFor(keys.keyring ? &*keys.keyring : nullptr, *passphrase, noticeUnusualCost))
        keys.identities.push_back(std::move(id));
    if (keys.identities.empty())
        return noKeyGiven();
    return keys;
}

/// Runs `open(identities)`. With no key given, a container that a passphrase
/// opens says PassphraseNeeded: the passphrase is asked for then (after every
/// check that needs no secret) and the container opened again.
template <typename Open> auto openWithKeys(ChosenKeys& keys, Open open) -> decltype(open(keys.identities))
{
    auto result = open(keys.identities);
    if (result.ok() || !keys.mayAskPassphrase)
        return result;
    if (result.error().code == ErrorCode::NoKeyMatched)
        return noKeyGiven();
    if (result.error().code != ErrorCode::PassphraseNeeded)
        return result;
    auto p = readPassphrase("Passphrase: ");
    if (!p.ok())
        return p.error();
    keys.identities.push_back(std::make_unique<crypto::PassphraseIdentity>(std::move(*p), noticeUnusualCost));
    keys.mayAskPassphrase = false;
    return open(keys.identities);
}

/// Tells the reader who signed and for whom (stderr, so stdout stays data).
void printSignature(const ArchiveIndex& index, const std::optional<Keyring>& keyring)
{
    const SignatureReport report = describeSignature(index, keyring ? &*keyring : nullptr);
    std::fprintf(stderr, "%s\n", displayable(signatureSummary(report)).c_str());
    if (report.state != SignerState::Unsigned && !report.intendedRecipients.empty()) {
        std::string list;
        for (const auto& r : report.intendedRecipients)
            list += (list.empty() ? "" : ", ") + displayable(r);
        std::fprintf(stderr, "sent to: %s\n", list.c_str());
    }
    // Also with an empty list: then no key was chosen, and a key opened it.
    if (const std::string note = audienceNote(report); !note.empty())
        std::fprintf(stderr, "note: %s\n", note.c_str());
}

const std::string kEncryptUsage = usageOf("encrypt");
const std::string kDecryptUsage = usageOf("decrypt");
const std::string kListUsage = usageOf("list");

Status parseCompression(const Args& args, Compression& compression)
{
    const std::string name = args.one("--compression").value_or("auto");
    if (name == "auto")
        compression = Compression::Auto;
    else if (name == "off")
        compression = Compression::Off;
    else if (name == "max")
        compression = Compression::Max;
    else
        return makeError(ErrorCode::InvalidArgument, "--compression is auto, off or max");
    return Status::success();
}

} // namespace

int commandKeygen(const std::vector<std::string>& argv)
{
    Args args = parseArgs("keygen", argv);
    if (!args.ok() || !args.positional().empty())
        return usageError(args.ok() ? "keygen takes no paths" : args.error(), usageOf("keygen"));
    auto id = crypto::SecretIdentity::generate(args.one("--name").value_or(""));
    const crypto::ContactCard myCard = *id.card(); // a generated identity always has one
    const std::string card = myCard.encode();
    char date[32];
    const std::time_t now = std::time(nullptr);
    std::strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
    crypto::SecureString text = "# created: ";
    text += date;
    text += "\n# card: ";
    text += card;
    text += "\n# fingerprint: ";
    text += myCard.fingerprint();
    text += "\n";
    text += id.encode();
    text += "\n";
    if (auto out = args.one("--output"); out && *out != "-") {
        // 0600 from the start, and never over an existing key file.
        UniqueFd fd(::open(out->c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
        if (!fd.valid() && errno == EEXIST)
            return reportError(makeError(ErrorCode::Io, "\"" + *out +
                                                            "\" already exists; Coffer never overwrites a key file, "
                                                            "so choose another name"));
        if (!fd.valid())
            return reportError(ioError(errno, "create", *out));
        FdSink sink(fd.get(), *out);
        if (auto st = sink.write(crypto::asBytes(text)); !st.ok())
            return reportError(st.error());
        if (::fsync(fd.get()) != 0)
            return reportError(ioError(errno, "write", *out));
        std::fprintf(stdout, "%s\n", card.c_str());
        if (stderrIsTerminal())
            std::fprintf(stderr, "Your card (share it freely): %s\nFingerprint: %s\n", card.c_str(),
                         myCard.fingerprint().c_str());
        return kExitOk;
    }
    FdSink sink(STDOUT_FILENO, "standard output");
    if (auto st = sink.write(crypto::asBytes(text)); !st.ok())
        return reportError(st.error());
    return kExitOk;
}

int commandEncrypt(const std::vector<std::string>& argv)
{
    Args args = parseArgs("encrypt", argv);
    if (!args.ok())
        return usageError(args.error(), kEncryptUsage);
    if (args.positional().empty())
        return usageError("name the files or folders to encrypt", kEncryptUsage);
    const auto output = args.one("--output");
    if (!output && stdoutIsTerminal())
        return usageError("name the container with -o OUT (refusing to write binary data to the terminal)",
                          kEncryptUsage);
    const std::string format = args.one("--format").value_or("coffer");
    if (format != "coffer" && format != "age")
        return usageError("--format is coffer or age", kEncryptUsage);
    const bool age = format == "age";
    if (args.has("--armor") && !age)
        return usageError("--armor is for age files: add --format age", kEncryptUsage);
    EncryptRequest request;
    if (auto st = parseCompression(args, request.compression); !st.ok())
        return usageError(st.error().message, kEncryptUsage);
    if (auto st = checkInputsExist(args.positional()); !st.ok())
        return reportError(st.error());
    if (auto st = checkOutputFile(output.value_or("-")); !st.ok())
        return reportError(st.error());
    if (const std::string problem = age ? ageEncryptProblem(args) : ""; !problem.empty())
        return usageError(problem, kEncryptUsage);
    std::vector<std::string> keys = args.all("--recipient");
    for (const auto& file : args.all("--recipients-file")) {
        auto text = readTextFile(file);
        if (!text.ok())
            return reportError(text.error());
        std::istringstream lines(*text);
        for (std::string line; std::getline(lines, line);)
            if (!line.empty() && line[0] != '#' && line.find_first_not_of(" \t\r") != std::string::npos)
                keys.push_back(line);
    }
    // The keyring is opened at most once: for contact names, and to sign.
    std::optional<Keyring> keyring;
    auto loadKeyring = [&]() -> Status {
        if (!keyring) {
            auto k = openKeyring(args);
            COFFER_TRY(k);
            keyring = std::move(*k);
        }
        return Status::success();
    };
    const KeyringAccess contacts = [&]() -> Result<const Keyring*> {
        if (!keyringStore().exists())
            return static_cast<const Keyring*>(nullptr);
        COFFER_TRY(loadKeyring());
        return static_cast<const Keyring*>(&*keyring);
    };
    for (const auto& key : keys) {
        auto resolved = resolveRecipient(key, contacts);
        if (!resolved.ok())
            return reportError(resolved.error());
        if (!*resolved)
            return reportError(
                makeError(ErrorCode::InvalidArgument,
                          "recipient \"" + key.substr(0, 80) + "\" is not a contact, a card or an age key",
                          "pass a card (coffer1...) or an age key (age1...) with -r, or add the person "
                          "with \"coffer contacts add CARD --name NAME\""));
        request.recipients.push_back(std::move(**resolved));
    }
    if (!args.has("--no-sign") && !age && keyringStore().exists()) { // age files are not signed (§13)
        if (auto st = loadKeyring(); !st.ok())
            return reportError(st.error());
        request.signer = keyring->signer(); // signed by default once an identity exists
        if (const auto as = args.one("--sign-as")) {
            auto chosen = keyring->signerAs(*as);
            if (!chosen.ok())
                return reportError(chosen.error());
            request.signer = *chosen;
        }
    } else if (args.has("--sign-as")) {
        return usageError(age                     ? "age files are not signed: leave out --sign-as"
                          : args.has("--no-sign") ? "--sign-as and --no-sign contradict each other"
                                                  : "there is no identity to sign as: run \"coffer id create\"",
                          kEncryptUsage);
    }
    auto passphrase = newPassphraseFromArgs(args);
    if (!passphrase.ok())
        return reportError(passphrase.error());
    request.passphrase = std::move(*passphrase);
    if (request.recipients.empty() && !request.passphrase)
        return usageError("choose who can open it: -r CARD, -R FILE or -p", kEncryptUsage);
    request.output = output.value_or("-");
    request.overwrite = args.has("--force");
    request.links = args.has("--follow-all-links") ? LinkPolicy::FollowAll
                    : args.has("--follow-links")   ? LinkPolicy::FollowInside
                                                   : LinkPolicy::Skip;
    for (const auto& p : args.positional())
        request.inputs.emplace_back(p);
    if (age)
        return encryptAgeCommand(args,
                                 AgeEncryptRequest{request.inputs, request.recipients, std::move(request.passphrase),
                                                   crypto::age::kDefaultScryptWorkFactor, request.output,
                                                   request.overwrite, args.has("--armor"), request.links});

    auto result = runJob([&](JobControl& job) { return encryptFiles(request, job); });
    if (!result.ok())
        return reportError(result.error());
    const auto skippedLink = [](const std::string& w) { return w.starts_with("skipped the symbolic link"); };
    if (request.links == LinkPolicy::Skip && std::any_of(result->warnings.begin(), result->warnings.end(), skippedLink))
        std::fprintf(stderr, "hint: --follow-links stores what the links inside the chosen paths point to\n");
    if (request.output != "-" && stderrIsTerminal())
        std::fprintf(stderr, "Encrypted %s (%s) into %s (%s)\n", countOf(result->files, "file", "files").c_str(),
                     formatBytes(result->plainBytes).c_str(), displayable(result->output.string()).c_str(),
                     formatBytes(result->containerBytes).c_str());
    if (request.output != "-" && result->output != request.output)
        std::fprintf(stderr, "note: \"%s\" existed, so the container is \"%s\"\n",
                     displayable(request.output.string()).c_str(), displayable(result->output.string()).c_str());
    return kExitOk;
}

namespace {

// decrypt -o -: one file's content to standard output, for a pipe.
int decryptToStandardOutput(const Args& args)
{
    const std::string container = args.positional()[0];
    if (container == "-")
        return usageError("-o - needs a container file (its index says which file to write); from standard input, "
                          "decrypt into a folder",
                          kDecryptUsage);
    const auto only = args.all("--only");
    if (only.size() > 1)
        return usageError("-o - writes one file: name at most one with --only", kDecryptUsage);
    if (args.has("--force"))
        return usageError("--force has no meaning with -o -", kDecryptUsage);
    if (auto st = checkContainerFirst(container); !st.ok())
        return reportError(st.error());
    auto keys = chooseKeys(args, container);
    if (!keys.ok())
        return reportError(keys.error());
    FdSink out(STDOUT_FILENO, "standard output");
    auto result = openWithKeys(*keys, [&](const crypto::IdentityList& identities) {
        return runJob([&](JobControl& job) {
            return extractFileTo(container, only.empty() ? std::string() : only.front(), identities, out, job);
        });
    });
    if (!result.ok())
        return reportError(result.error());
    printSignature(result->index, keys->keyring);
    return kExitOk;
}

} // namespace

int commandDecrypt(const std::vector<std::string>& argv)
{
    Args args = parseArgs("decrypt", argv);
    if (!args.ok())
        return usageError(args.error(), kDecryptUsage);
    if (args.positional().size() != 1)
        return usageError("name one container to decrypt", kDecryptUsage);
    std::optional<OpenCopies> armored; // an armored input, decoded while the command runs
    if (auto st = dearmorArgument(args, armored); !st.ok())
        return reportError(st.error());
    crypto::Bytes inputStart; // of standard input, read to tell age from Coffer
    if (args.positional()[0] == "-") {
        auto start = readStandardInputStart();
        if (!start.ok())
            return reportError(start.error());
        if (crypto::age::looksLikeAge(*start))
            return decryptAgeFromStandardInput(args, std::move(*start));
        inputStart = std::move(*start);
    }
    if (isAgeInput(args.positional()[0]))
        return decryptAgeCommand(args);
    if (args.one("--output") == "-")
        return decryptToStandardOutput(args);
    ExtractRequest request;
    request.container = args.positional()[0];
    request.inputStart = std::move(inputStart);
    request.destination = args.one("--output").value_or(".");
    request.only = args.all("--only");
    request.overwrite = args.has("--force");
    if (auto st = checkContainerFirst(request.container); !st.ok())
        return reportError(st.error());
    if (auto st = checkOutputFolder(request.destination); !st.ok())
        return reportError(st.error());
    auto keys = chooseKeys(args, request.container);
    if (!keys.ok())
        return reportError(keys.error());
    auto result = openWithKeys(*keys, [&](const crypto::IdentityList& identities) {
        return runJob([&](JobControl& job) { return extractContainer(request, identities, job); });
    });
    if (!result.ok())
        return reportError(result.error());
    printSignature(result->index, keys->keyring);
    if (stderrIsTerminal())
        std::fprintf(stderr, "Extracted %s (%s) into %s\n", countOf(result->files, "file", "files").c_str(),
                     formatBytes(result->bytes).c_str(), displayable(request.destination.string()).c_str());
    return kExitOk;
}

int commandList(const std::vector<std::string>& argv)
{
    Args args = parseArgs("list", argv);
    if (!args.ok() || args.positional().size() != 1)
        return usageError(args.ok() ? "name one container" : args.error(), kListUsage);
    if (args.positional()[0] == "-")
        return usageError("list needs a container file (it reads only the end of it); to see what a stream "
                          "holds, decrypt it",
                          kListUsage);
    std::optional<OpenCopies> armored;
    if (auto st = dearmorArgument(args, armored); !st.ok())
        return reportError(st.error());
    if (isAgeInput(args.positional()[0]))
        return listAgeCommand(args);
    if (auto st = checkContainerFirst(args.positional()[0]); !st.ok())
        return reportError(st.error());
    auto keys = chooseKeys(args, args.positional()[0]);
    if (!keys.ok())
        return reportError(keys.error());
    // Every segment is read and checked before a line is printed: a damaged
    // container shows nothing but why. The lines are kept only on the second
    // read, once the path set of the first is gone, and past 32 MiB they are
    // set aside sorted in an encrypted, nameless file (ListingLines).
    // The spill file goes to the private state folder: on disk (not a tmpfs
    // /tmp that is memory too), the user's own, portable mode's own.
    ListingLines lines(args.has("--long"), resolveDataLocations().stateDir);
    auto index = openWithKeys(*keys, [&](const crypto::IdentityList& identities) {
        return listContainerEntries(
            args.positional()[0], identities, [&](const IndexEntry& e) { lines.add(e); }, ListingPass::CheckAllFirst);
    });
    if (!index.ok())
        return reportError(index.error());
    printSignature(*index, keys->keyring);
    if (auto printed = lines.print(); !printed.ok())
        return reportError(printed.error());
    return kExitOk;
}

int commandInspect(const std::vector<std::string>& argv)
{
    Args args = parseArgs("inspect", argv);
    if (!args.ok() || args.positional().size() != 1)
        return usageError(args.ok() ? "name one container" : args.error(), usageOf("inspect"));
    if (args.positional()[0] == "-")
        return usageError("inspect needs a container file", usageOf("inspect"));
    std::optional<OpenCopies> armored;
    if (auto st = dearmorArgument(args, armored); !st.ok())
        return reportError(st.error());
    if (isAgeInput(args.positional()[0]))
        return inspectAgeCommand(args.positional()[0]);
    auto info = inspectContainer(args.positional()[0]);
    if (!info.ok())
        return reportError(info.error());
    std::printf("format: %s\n", displayable(info->version).c_str());
    std::printf("stanzas: %zu\n", info->stanzaTypes.size());
    for (const auto& t : info->stanzaTypes)
        std::printf("  %s\n", displayable(t).c_str());
    std::printf("header: %llu bytes\n", static_cast<unsigned long long>(info->headerBytes));
    std::printf("payload: %llu bytes\n", static_cast<unsigned long long>(info->payloadBytes));
    if (info->lengthValid)
        std::printf("archive: %llu bytes (before encryption)\n", static_cast<unsigned long long>(info->plaintextBytes));
    else
        std::printf("archive: the payload length is invalid (truncated?)\n");
    return kExitOk;
}

} // namespace coffer::cli

namespace coffer::cli {

Result<IndexedReader> openForMount(const Args& args, const std::string& container)
{
    auto keys = chooseKeys(args, container);
    COFFER_TRY(keys);
    auto reader = openWithKeys(
        *keys, [&](const crypto::IdentityList& identities) { return IndexedReader::open(container, identities); });
    COFFER_TRY(reader);
    printSignature(reader->index(), keys->keyring);
    return reader; // the keys (and the keyring) are wiped as they go out of scope here
}

} // namespace coffer::cli
