// Several Coffer identities in one keyring, from the CLI (KEYRING.md "Several identities").
#include "IdentityCommands.h"

#include "Cli.h"
#include "CliSupport.h"
#include "CommandTable.h"
#include "DisplayText.h"
#include "Terminal.h"

#include <cstdio>
#include <ctime>
#include <unistd.h>

namespace coffer::cli {

namespace {

const std::string kIdUsage = usageOf("id");

std::string shownName(const std::string& name)
{
    return name.empty() ? "(no name)" : displayable(name);
}

std::string backupDate(std::int64_t when)
{
    if (when <= 0)
        return "never backed up";
    const std::time_t t = when;
    char date[32];
    std::strftime(date, sizeof date, "%Y-%m-%d", std::localtime(&t));
    return std::string("backed up ") + date;
}

/// Asks on the terminal; true only for "yes".
bool confirmOnTerminal(const std::string& question)
{
    std::FILE* tty = std::fopen("/dev/tty", "r+");
    if (!tty)
        return false;
    std::fprintf(tty, "%s [yes/no] ", question.c_str());
    std::fflush(tty);
    char answer[16] = {};
    const bool yes = std::fgets(answer, sizeof answer, tty) && std::string(answer).starts_with("yes");
    std::fclose(tty);
    return yes;
}

/// Loads, changes and saves the keyring under its passphrase.
int changeKeyring(const Args& args, const std::function<Status(Keyring&)>& change)
{
    auto passphrase = existingKeyringPassphrase(args);
    if (!passphrase.ok())
        return reportError(passphrase.error());
    auto updated = keyringStore().update(*passphrase, change);
    if (!updated.ok())
        return reportError(updated.error());
    return kExitOk;
}

} // namespace

int idList(const Args& args)
{
    auto keyring = openKeyring(args); // cards and names only: the agent serves them
    if (!keyring.ok())
        return reportError(keyring.error());
    const auto cards = keyring->ownCards();
    if (cards.empty())
        return reportError(
            makeError(ErrorCode::InvalidArgument, "the keyring holds no Coffer identity", "run \"coffer id create\""));
    for (std::size_t i = 0; i < cards.size(); ++i) {
        const bool here = i < keyring->identities().size(); // the agent does not say when they were backed up
        std::printf("%s %s\t%s%s\n", i == 0 ? "*" : " ", shownName(cards[i].second).c_str(),
                    cards[i].first.fingerprint().c_str(),
                    here ? ("\t" + backupDate(keyring->lastBackupAt(i))).c_str() : "");
    }
    std::fprintf(stderr, "* marks the default identity, which signs unless you choose another with --sign-as.\n");
    return kExitOk;
}

int idAdd(const Args& args)
{
    const auto name = args.one("--name");
    if (!name || name->empty())
        return usageError("you already have an identity: name the new one with --name (such as Work or Personal)",
                          kIdUsage);
    std::optional<crypto::ContactCard> card;
    const int code = changeKeyring(args, [&](Keyring& k) -> Status {
        auto id = crypto::SecretIdentity::generate(*name);
        card = id.card();
        return k.addIdentity(std::move(id));
    });
    if (code != kExitOk)
        return code;
    std::printf("%s\n", card->encode().c_str());
    std::fprintf(stderr, "Fingerprint of %s: %s\n", displayable(*name).c_str(), card->fingerprint().c_str());
    std::fprintf(stderr,
                 "Added the identity \"%s\". Sign as it with: coffer encrypt --sign-as \"%s\" ...\n"
                 "Back it up with: coffer id backup --identity \"%s\"\n",
                 displayable(*name).c_str(), displayable(*name).c_str(), displayable(*name).c_str());
    return kExitOk;
}

int idRemove(const Args& args)
{
    if (args.positional().size() != 2)
        return usageError("name the identity to remove (its name or fingerprint)", kIdUsage);
    const std::string& which = args.positional()[1];
    auto passphrase = existingKeyringPassphrase(args);
    if (!passphrase.ok())
        return reportError(passphrase.error());
    auto loaded = keyringStore().load(*passphrase);
    if (!loaded.ok())
        return reportError(loaded.error());
    const Keyring& keyring = loaded->keyring;
    const auto* id = keyring.findIdentity(which);
    if (!id)
        return reportError(makeError(ErrorCode::InvalidArgument, "you have no identity named \"" + which + "\"",
                                     "see your identities with: coffer id list"));
    const bool last = keyring.identities().size() == 1;
    const std::size_t index = static_cast<std::size_t>(id - keyring.identities().data());
    const bool backedUp = keyring.lastBackupAt(index) > 0;
    const std::string name = shownName(id->name());
    const std::string fingerprint = id->card()->fingerprint();
    std::fprintf(stderr, "warning: containers sent to %s (%s) can no longer be opened once it is removed%s.\n",
                 name.c_str(), fingerprint.c_str(),
                 backedUp ? ", except by restoring its backup" : ": it was never backed up, so this is for good");
    if (last)
        std::fprintf(stderr, "warning: it is your ONLY identity: after this you cannot sign, and no one can send "
                             "you anything until you create or import another.\n");
    if (!args.has("--yes")) {
        if (!stderrIsTerminal() || ::isatty(STDIN_FILENO) != 1)
            return usageError("removing an identity must be confirmed: add --yes", kIdUsage);
        if (!confirmOnTerminal(last ? "Remove your only identity, " + name + ", for good?"
                                    : "Remove the identity " + name + "?")) {
            std::fprintf(stderr, "Nothing was removed.\n");
            return kExitCancelled;
        }
    }
    auto updated = keyringStore().update(*passphrase, [&](Keyring& k) { return k.removeIdentity(fingerprint); });
    if (!updated.ok())
        return reportError(updated.error());
    std::fprintf(stderr, "Removed the identity %s (%s).\n", name.c_str(), fingerprint.c_str());
    return kExitOk;
}

int idDefault(const Args& args)
{
    if (args.positional().size() != 2)
        return usageError("name the identity to make the default (its name or fingerprint)", kIdUsage);
    const std::string& which = args.positional()[1];
    const int code = changeKeyring(args, [&](Keyring& k) { return k.setDefaultIdentity(which); });
    if (code == kExitOk)
        std::fprintf(stderr, "\"%s\" is now your default identity: it signs what you encrypt.\n",
                     displayable(which).c_str());
    return code;
}

} // namespace coffer::cli
