// coffer id ..., coffer contacts ..., coffer rekey: the keyring from the CLI.
#include "Backup.h"
#include "BackupCommands.h"
#include "Cli.h"
#include "CliSupport.h"
#include "CommandTable.h"
#include "Commands.h"
#include "ContainerReader.h"
#include "DisplayText.h"
#include "IdentityCommands.h"
#include "KeyChoice.h"
#include "PaperKey.h"
#include "Rekey.h"
#include "Terminal.h"

#include <QString>

#include <cstdio>
#include <ctime>

namespace coffer::cli {

namespace {

const std::string kIdUsage = usageOf("id");
const std::string kContactsUsage = usageOf("contacts");
const std::string kRekeyUsage = usageOf("rekey");

void printCard(const crypto::ContactCard& card, const std::string& name)
{
    std::printf("%s\n", card.encode().c_str());
    std::fprintf(stderr, "%s: %s\n", name.c_str(), card.fingerprint().c_str());
}

/// A card's name is its sender's claim: it becomes the contact's name only if it
/// passes the name rule (SECURITY.md "Contact names"); --name is the user's own choice.
int refuseContactName(const std::string& name, const Error& why, bool fromCard)
{
    if (fromCard)
        std::fprintf(stderr, "error: this card calls its owner \"%s\", which cannot be a contact name: %s\n",
                     displayable(name).c_str(), why.message.c_str());
    else
        std::fprintf(stderr, "error: %s\n", why.message.c_str());
    std::fprintf(stderr, "hint: choose the name yourself: coffer contacts add CARD --name NAME\n");
    return kExitUsage;
}

/// A card given on the command line: the text itself, or a file holding it.
Result<crypto::RecipientKey> cardArgument(const std::string& arg)
{
    if (auto direct = crypto::parseRecipientKey(arg); direct.ok())
        return direct;
    auto text = readTextFile(arg);
    if (!text.ok())
        return makeError(ErrorCode::InvalidArgument,
                         "\"" + arg.substr(0, 60) + "\" is neither a card nor a readable file");
    return crypto::parseRecipientKey(*text);
}

/// A PNG, JPEG or GIF file (a photo of a paper key, given to the CLI by mistake).
bool looksLikePicture(std::string_view bytes)
{
    return bytes.starts_with("\x89PNG\r\n\x1a\n") || bytes.starts_with("\xff\xd8\xff") || bytes.starts_with("GIF8");
}

int idCreate(const Args& args)
{
    auto store = keyringStore();
    if (store.exists())
        return idAdd(args); // another identity beside the ones there (--name required)
    auto passphrase = keyringPassphrase(args, true);
    if (!passphrase.ok())
        return reportError(passphrase.error());
    Keyring keyring;
    keyring.setIdentity(crypto::SecretIdentity::generate(args.one("--name").value_or("")));
    if (auto st = store.create(keyring, *passphrase); !st.ok())
        return reportError(st.error());
    printCard(*keyring.identity()->card(), "Your fingerprint");
    std::fprintf(stderr, "Share your card (the coffer1... line) with the people who will send you files.\n");
    return kExitOk;
}

int idImport(const Args& args)
{
    if (args.positional().size() != 2)
        return usageError("name the file that holds the secret key (or - for standard input)", kIdUsage);
    if (args.positional()[1] != "-" && looksLikeContainer(args.positional()[1]))
        return idImportBackupFile(args);
    auto text = readSecretFile(args.positional()[1] == "-" ? "/dev/stdin" : args.positional()[1]);
    if (!text.ok())
        return reportError(text.error());
    if (looksLikePaperKey(*text))
        return idImportPaperKey(args, *text);
    if (looksLikePicture(*text))
        return reportError(makeError(ErrorCode::InvalidArgument,
                                     "this is a picture; coffer id import reads text, not pictures",
                                     "to restore from a photo of your paper key's QR code, choose \"Import a "
                                     "key\" in Coffer's window, or read the code with a QR reader and import "
                                     "its text"));
    auto ids = crypto::parseIdentityFile(*text);
    if (!ids.ok())
        return reportError(ids.error());
    auto store = keyringStore();
    const bool fresh = !store.exists();
    auto passphrase = keyringPassphrase(args, fresh);
    if (!passphrase.ok())
        return reportError(passphrase.error());
    auto apply = [&](Keyring& k) -> Status {
        for (auto& id : *ids) {
            if (id.canSign()) {
                if (!k.identity()) {
                    k.setIdentity(id.clone());
                    continue;
                }
                // Beside the identities there (KEYRING.md "Several identities"): it needs a name of its own.
                auto named = id.clone();
                if (const auto name = args.one("--name"))
                    named.setName(*name);
                if (named.name().empty())
                    return makeError(ErrorCode::InvalidArgument, "you already have an identity",
                                     "to hold this one beside it, name it: coffer id import FILE --name NAME");
                COFFER_TRY(k.addIdentity(std::move(named)));
            } else {
                COFFER_TRY(k.addAgeIdentity(id.clone()));
            }
        }
        return Status::success();
    };
    Status st;
    if (fresh) {
        Keyring k;
        st = apply(k);
        if (st.ok())
            st = store.create(k, *passphrase);
    } else {
        auto updated = store.update(*passphrase, apply);
        if (!updated.ok())
            st = updated.error();
    }
    if (!st.ok())
        return reportError(st.error());
    for (const auto& id : *ids)
        std::printf("%s\n", id.publicText().c_str());
    std::fprintf(stderr, "Imported %s.\n", countOf(ids->size(), "key", "keys").c_str());
    return kExitOk;
}

} // namespace

int commandId(const std::vector<std::string>& argv)
{
    Args args = parseArgs("id", argv);
    if (!args.ok() || args.positional().empty())
        return usageError(args.ok() ? "say what to do with your identity" : args.error(), kIdUsage);
    const std::string& what = args.positional()[0];
    static const std::set<std::string> kKnown = {"create", "import", "passwd", "show",   "export",
                                                 "backup", "list",   "remove", "default"};
    if (!kKnown.count(what)) // before asking for any passphrase
        return usageError("unknown id command \"" + what + "\"", kIdUsage);
    if (what == "create")
        return idCreate(args);
    if (what == "import")
        return idImport(args);
    if (what == "backup")
        return idBackup(args);
    if (what == "list")
        return idList(args);
    if (what == "remove")
        return idRemove(args);
    if (what == "default")
        return idDefault(args);
    if (what == "passwd") {
        auto oldPass = existingKeyringPassphrase(args);
        if (!oldPass.ok())
            return reportError(oldPass.error());
        Args fresh({}, {}, {}, {}); // the new passphrase is always asked on the terminal
        auto newPass = keyringPassphrase(fresh, true);
        if (!newPass.ok())
            return reportError(newPass.error());
        if (auto st = keyringStore().changePassphrase(*oldPass, *newPass); !st.ok())
            return reportError(st.error());
        std::fprintf(stderr, "The keyring passphrase was changed.\n");
        return kExitOk;
    }
    // show needs only the card (the agent has it); export needs the secret itself.
    auto keyring = what == "show" ? openKeyring(args) : unlockKeyring(args);
    if (!keyring.ok())
        return reportError(keyring.error());
    auto card = keyring->ownCard();
    if (!card)
        return reportError(
            makeError(ErrorCode::InvalidArgument, "the keyring holds no Coffer identity", "run \"coffer id create\""));
    if (what == "show") {
        std::string label = "Your fingerprint";
        if (args.positional().size() == 2) { // one of several identities, by name or fingerprint
            card.reset();
            for (const auto& [own, name] : keyring->ownCards())
                if ((!name.empty() && QString::fromStdString(name).compare(QString::fromStdString(args.positional()[1]),
                                                                           Qt::CaseInsensitive) == 0) ||
                    own.fingerprint() == args.positional()[1]) {
                    card = own;
                    label = "Fingerprint of " + displayable(name);
                }
            if (!card)
                return reportError(makeError(ErrorCode::InvalidArgument,
                                             "you have no identity named \"" + args.positional()[1] + "\"",
                                             "see your identities with: coffer id list"));
        }
        printCard(*card, label);
        // On standard error like the fingerprint: standard output stays the card alone.
        std::fprintf(stderr, "Your age address: %s\n", crypto::encodeAgeRecipient(card->x25519).c_str());
        return kExitOk;
    }
    const auto* id = keyring->identity();
    if (!id)
        return reportError(makeError(ErrorCode::Internal, "the keyring's identity is not at hand"));
    if (what == "export") {
        // Only on this explicit request does a secret key leave the keyring.
        std::fprintf(stderr,
                     "warning: this is your SECRET key; anyone who has it can read your files and sign as you\n");
        const crypto::SecureString secret = id->encode();
        std::fwrite(secret.data(), 1, secret.size(), stdout);
        std::fputc('\n', stdout);
        return kExitOk;
    }
    return usageError("unknown id command \"" + what + "\"", kIdUsage);
}

int commandContacts(const std::vector<std::string>& argv)
{
    Args args = parseArgs("contacts", argv);
    if (!args.ok() || args.positional().empty())
        return usageError(args.ok() ? "say what to do with your contacts" : args.error(), kContactsUsage);
    const auto& pos = args.positional();
    const std::string& what = pos[0];
    if (what == "list" || what == "show") {
        auto keyring = openKeyring(args); // contacts are public: the agent serves them
        if (!keyring.ok())
            return reportError(keyring.error());
        for (const auto& c : keyring->contacts()) {
            if (what == "show" && (pos.size() < 2 || keyring->findContact(pos[1]) != &c))
                continue;
            if (args.has("--names-only")) { // for shell completion and scripts
                std::printf("%s\n", c.name.c_str());
                continue;
            }
            const std::string fp = c.recipient.card() ? c.recipient.card()->fingerprint()
                                                      : "(" + std::string(c.recipient.kindName()) + ": no fingerprint)";
            std::printf("%s\t%s\t%s\n", displayable(c.name).c_str(), c.verified ? "verified" : "unverified",
                        fp.c_str());
            if (what == "show")
                std::printf("%s\n", c.key.c_str());
        }
        if (what == "show" && (pos.size() < 2 || !keyring->findContact(pos[1])))
            return reportError(
                makeError(ErrorCode::InvalidArgument, "no such contact", "\"coffer contacts list\" shows the names"));
        return kExitOk;
    }
    static const std::set<std::string> kChanges = {"add", "remove", "rename", "verify"};
    if (!kChanges.count(what)) // before asking for any passphrase
        return usageError("unknown contacts command \"" + what + "\"", kContactsUsage);
    auto passphrase = existingKeyringPassphrase(args);
    if (!passphrase.ok())
        return reportError(passphrase.error());
    std::function<Status(Keyring&)> change;
    if (what == "add" && pos.size() == 2) {
        auto key = cardArgument(pos[1]);
        if (!key.ok())
            return reportError(key.error());
        Contact c;
        c.key = key->text();
        c.name = args.one("--name").value_or(key->card() ? key->card()->name : "");
        if (c.name.empty())
            return usageError("this card carries no name: give one with --name NAME", kContactsUsage);
        if (auto named = checkContactName(c.name); !named.ok())
            return refuseContactName(c.name, named.error(), !args.has("--name"));
        c.recipient = std::move(*key);
        c.addedAt = static_cast<std::int64_t>(std::time(nullptr));
        change = [c](Keyring& k) { return k.addContact(c); };
    } else if (what == "remove" && pos.size() == 2) {
        change = [name = pos[1]](Keyring& k) { return k.removeContact(name); };
    } else if (what == "rename" && pos.size() == 3) {
        change = [a = pos[1], b = pos[2]](Keyring& k) { return k.renameContact(a, b); };
    } else if (what == "verify" && pos.size() == 2) {
        const auto expected = args.one("--fingerprint");
        change = [name = pos[1], expected](Keyring& k) -> Status {
            const Contact* c = k.findContact(name);
            if (!c || !c->recipient.card())
                return makeError(ErrorCode::InvalidArgument, "no contact with a Coffer card named \"" + name + "\"");
            const std::string actual = c->recipient.card()->fingerprint();
            std::fprintf(stderr, "%s's fingerprint: %s\n", displayable(c->name).c_str(), actual.c_str());
            if (!expected)
                return makeError(ErrorCode::InvalidArgument,
                                 "compare the fingerprint above with what " + c->name +
                                     " reads out, then pass it with --fingerprint \"DIGITS\"");
            std::string digits;
            for (const char ch : *expected)
                if (ch >= '0' && ch <= '9')
                    digits += ch;
            std::string want;
            for (const char ch : actual)
                if (ch != ' ')
                    want += ch;
            if (digits != want)
                return makeError(ErrorCode::InvalidArgument, "the fingerprints differ: this card may not be " +
                                                                 c->name + "'s; do not mark it verified");
            return k.setVerified(name, true);
        };
    } else {
        return usageError("unknown or incomplete contacts command", kContactsUsage);
    }
    auto updated = keyringStore().update(*passphrase, change);
    if (!updated.ok())
        return reportError(updated.error());
    std::fprintf(stderr, "Contacts saved.\n");
    return kExitOk;
}

int commandRekey(const std::vector<std::string>& argv)
{
    Args args = parseArgs("rekey", argv);
    if (!args.ok() || args.positional().size() != 1 || !args.has("--output"))
        return usageError(args.ok() ? "name one container and the output (-o)" : args.error(), kRekeyUsage);
    RekeyRequest request;
    request.input = args.positional()[0];
    request.output = *args.one("--output");
    request.keepExisting = args.has("--add");
    request.overwrite = args.has("--force");
    if (auto st = checkContainerFirst(request.input.string()); !st.ok())
        return reportError(st.error());
    if (auto st = checkOutputFile(request.output.string()); !st.ok())
        return reportError(st.error());
    std::optional<Keyring> keyring;
    auto keyringAccess = [&]() -> Result<const Keyring*> {
        if (!keyring) {
            auto k = openKeyring(args); // the agent's, when it runs
            COFFER_TRY(k);
            keyring = std::move(*k);
        }
        return static_cast<const Keyring*>(&*keyring);
    };
    crypto::IdentityList identities;
    for (const auto& file : args.all("--identity"))
        if (auto st = addIdentitiesFromFile(file, identities); !st.ok())
            return reportError(st.error());
    for (const auto& r : args.all("--recipient")) {
        auto resolved = resolveRecipient(r, keyringAccess);
        if (!resolved.ok())
            return reportError(resolved.error());
        if (!*resolved)
            return reportError(makeError(ErrorCode::InvalidArgument, "\"" + r + "\" is neither a key nor a contact",
                                         "pass a card (coffer1...) or an age key (age1...) with -r, or add the "
                                         "person with \"coffer contacts add CARD --name NAME\""));
        request.recipients.push_back(std::move(**resolved));
    }
    auto passphrase = newPassphraseFromArgs(args);
    if (!passphrase.ok())
        return reportError(passphrase.error());
    request.passphrase = std::move(*passphrase);
    if (identities.empty()) {
        auto k = keyringAccess();
        if (!k.ok())
            return reportError(k.error());
        identities = identitiesFor(*k, std::nullopt);
    }
    auto out = rekeyContainer(request, identities);
    if (!out.ok())
        return reportError(out.error());
    std::fprintf(stderr, "Rekeyed into %s (the content was not re-encrypted).\n", out->c_str());
    return kExitOk;
}

} // namespace coffer::cli
