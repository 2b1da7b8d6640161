#include "AgeCommands.h"

#include "Cli.h"
#include "CliSupport.h"
#include "CommandTable.h"
#include "DisplayText.h"
#include "FileIO.h"
#include "KeyChoice.h"
#include "ListingLines.h"
#include "Paths.h"
#include "Terminal.h"

#include <algorithm>
#include <cstdio>
#include <unistd.h>

namespace coffer::cli {

namespace {

void noteUnsigned()
{
    std::fprintf(stderr, "note: age files are not signed: nothing says who made this one\n");
}

bool wantsPassphrase(const std::string& path)
{
    auto info = inspectAge(path);
    return info.ok() &&
           std::find(info->stanzaTypes.begin(), info->stanzaTypes.end(), "scrypt") != info->stanzaTypes.end();
}

/// -i FILE..., -p / --passphrase-file, else the keyring's keys. A file made
/// with a passphrase (age allows no other stanza beside it) asks for it;
/// `scrypt` says whether this one was.
Result<crypto::age::AgeKeys> chooseAgeKeys(const Args& args, bool scrypt)
{
    crypto::age::AgeKeys keys;
    for (const auto& file : args.all("--identity"))
        COFFER_TRY(addAgeKeysFromFile(file, keys));
    if (auto file = args.one("--passphrase-file")) {
        auto p = readPassphraseFile(*file);
        COFFER_TRY(p);
        keys.passphrase = std::move(*p);
    } else if (args.has("--passphrase") || (keys.x25519.empty() && scrypt)) {
        auto p = readPassphrase("Passphrase: ");
        COFFER_TRY(p);
        keys.passphrase = std::move(*p);
    }
    if (keys.x25519.empty() && !keys.passphrase && keyringStore().exists()) {
        auto keyring = openKeyring(args); // the key agent's, if one is unlocked
        COFFER_TRY(keyring);
        keys = ageKeysFor(&*keyring, std::nullopt);
    }
    if (keys.empty())
        return makeError(ErrorCode::InvalidArgument, "no key given",
                         "pass -i FILE (an age or Coffer key file) or -p (a passphrase), or make a keyring with "
                         "\"coffer id create\"");
    return keys;
}

int decryptAgeToStandardOutput(const Args& args, const crypto::age::AgeKeys& keys)
{
    const auto only = args.all("--only");
    if (only.size() > 1)
        return usageError("-o - writes one file: name at most one with --only", usageOf("decrypt"));
    FdSink out(STDOUT_FILENO, "standard output");
    auto result = runJob([&](JobControl& job) {
        return extractAgeTo(args.positional()[0], only.empty() ? std::string() : only.front(), keys, out, job);
    });
    if (!result.ok())
        return reportError(result.error());
    noteUnsigned();
    return kExitOk;
}

} // namespace

Result<crypto::Bytes> readStandardInputStart()
{
    // Enough for the binary header's first two lines, or the armor's BEGIN
    // line after leading blank space; a stream may be shorter.
    crypto::Bytes start(4096);
    auto n = readFull(STDIN_FILENO, start, "standard input");
    COFFER_TRY(n);
    start.resize(*n);
    return start;
}

int decryptAgeFromStandardInput(const Args& args, crypto::Bytes start)
{
    if (args.one("--output") != "-")
        return usageError("an age file from standard input has no name to extract it under: add -o - to write its "
                          "content to standard output, or save it as a file first",
                          usageOf("decrypt"));
    if (!args.all("--only").empty() || args.has("--force"))
        return usageError("--only and --force have no meaning for an age file from standard input", usageOf("decrypt"));
    // age.md: an scrypt stanza is the header's only one, right after the version line.
    static constexpr std::string_view kScryptHeader = "age-encryption.org/v1\n-> scrypt ";
    const bool scrypt =
        std::string_view(reinterpret_cast<const char*>(start.data()), start.size()).starts_with(kScryptHeader);
    auto keys = chooseAgeKeys(args, scrypt);
    if (!keys.ok())
        return reportError(keys.error());
    StartedSource in(std::move(start), STDIN_FILENO, "standard input");
    FdSink out(STDOUT_FILENO, "standard output");
    auto result = runJob([&](JobControl& job) { return decryptAgeStream(in, *keys, out, job); });
    if (!result.ok())
        return reportError(result.error());
    noteUnsigned();
    return kExitOk;
}

bool isAgeInput(const std::string& path)
{
    return path != "-" && isAgeFile(path);
}

int decryptAgeCommand(const Args& args)
{
    ExtractRequest request;
    request.container = args.positional()[0];
    request.destination = args.one("--output").value_or(".");
    request.only = args.all("--only");
    request.overwrite = args.has("--force");
    const bool toStdout = request.destination == "-";
    if (toStdout && request.overwrite)
        return usageError("--force has no meaning with -o -", usageOf("decrypt"));
    if (!toStdout)
        if (auto st = checkOutputFolder(request.destination); !st.ok())
            return reportError(st.error());
    auto keys = chooseAgeKeys(args, wantsPassphrase(request.container.string()));
    if (!keys.ok())
        return reportError(keys.error());
    if (toStdout)
        return decryptAgeToStandardOutput(args, *keys);
    auto result = runJob([&](JobControl& job) { return extractAge(request, *keys, job); });
    if (!result.ok())
        return reportError(result.error());
    noteUnsigned();
    if (stderrIsTerminal())
        std::fprintf(stderr, "Extracted %s (%s) into %s\n", countOf(result->files, "file", "files").c_str(),
                     formatBytes(result->bytes).c_str(), displayable(request.destination.string()).c_str());
    return kExitOk;
}

int listAgeCommand(const Args& args)
{
    const std::string path = args.positional()[0];
    auto keys = chooseAgeKeys(args, wantsPassphrase(path));
    if (!keys.ok())
        return reportError(keys.error());
    // The tar's lines as a container's are kept (ListingLines: a budget,
    // then sorted runs in a spill file), printed once the stream authenticated.
    ListingLines lines(args.has("--long"), resolveDataLocations().stateDir);
    const Status listed =
        runJob([&](JobControl& j) { return listAge(path, *keys, j, [&](const IndexEntry& e) { lines.add(e); }); });
    if (!listed.ok())
        return reportError(listed.error());
    noteUnsigned();
    if (auto printed = lines.print(); !printed.ok())
        return reportError(printed.error());
    return kExitOk;
}

int inspectAgeCommand(const std::string& path)
{
    auto info = inspectAge(path);
    if (!info.ok())
        return reportError(info.error());
    std::printf("format: %s%s\n", std::string(crypto::age::kVersionLine).c_str(), info->armored ? " (armored)" : "");
    std::printf("stanzas: %zu\n", info->stanzaTypes.size());
    for (const auto& t : info->stanzaTypes)
        std::printf("  %s\n", displayable(t).c_str());
    std::printf("file: %llu bytes\n", static_cast<unsigned long long>(info->bytes));
    std::printf("holds: %s\n", isTarAgeName(path) ? "a tar (several files)" : "one file");
    std::printf("signed: no (age files are not signed)\n");
    return kExitOk;
}

std::string ageEncryptProblem(const Args& args)
{
    if (args.has("--compression"))
        return "age files are not compressed: leave out --compression";
    const std::string output = args.one("--output").value_or("-");
    std::vector<std::filesystem::path> inputs(args.positional().begin(), args.positional().end());
    const bool tar = agePayloadIsTar(inputs);
    if (output != "-" && tar != isTarAgeName(output))
        return tar ? "several files or a folder make a tar: name the output NAME.tar.age"
                   : "one file makes a .age: name the output NAME.age, not NAME.tar.age";
    return {};
}

int encryptAgeCommand(const Args& args, AgeEncryptRequest request)
{
    auto result = runJob([&](JobControl& job) { return encryptAge(request, job); });
    if (!result.ok())
        return reportError(result.error());
    if (!args.has("--no-sign") && keyringStore().exists())
        std::fprintf(stderr, "note: age files are not signed, so this one is not (a Coffer container would be)\n");
    if (request.output != "-" && stderrIsTerminal())
        std::fprintf(stderr, "Encrypted %s (%s) into %s (%s)\n", countOf(result->files, "file", "files").c_str(),
                     formatBytes(result->plainBytes).c_str(), displayable(result->output.string()).c_str(),
                     formatBytes(result->containerBytes).c_str());
    if (request.output != "-" && result->output != request.output)
        std::fprintf(stderr, "note: \"%s\" existed, so the age file is \"%s\"\n",
                     displayable(request.output.string()).c_str(), displayable(result->output.string()).c_str());
    return kExitOk;
}

} // namespace coffer::cli
