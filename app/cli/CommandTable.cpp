#include "CommandTable.h"

#include "Commands.h"

#include <sstream>

namespace coffer::cli {

namespace {

// Options several commands share, worded once.
constexpr OptionInfo kKeyringPassphraseFile{"--keyring-passphrase-file", nullptr, "FILE",
                                            "the keyring passphrase from FILE (for scripts; else asked)"};
constexpr OptionInfo kIdentity{"--identity", "-i", "FILE",
                               "an identity file (repeatable); without -i or -p the keyring's keys are used"};
constexpr OptionInfo kAskPassphrase{"--passphrase", "-p", nullptr, "ask for the container's passphrase"};
constexpr OptionInfo kPassphraseFile{"--passphrase-file", nullptr, "FILE",
                                     "the container's passphrase from FILE (wins over -p)"};
constexpr OptionInfo kHelp{"--help", "-h", nullptr, "print this help"};

std::vector<CommandInfo> makeTable()
{
    return {
        {"keygen",
         commandKeygen,
         "[-o FILE] [--name NAME]",
         "Makes a key pair in a file, outside the keyring; prints its card.",
         {{"--output", "-o", "FILE", "the key file to write (never overwritten; default: standard output)"},
          {"--name", nullptr, "NAME", "the name the card carries"},
          kHelp},
         "The file holds the secret key unencrypted: use it with -i, or import it\n"
         "with \"coffer id import\" and delete it.",
         "coffer keygen -o ~/backup.key --name \"Ann\""},
        {"encrypt",
         commandEncrypt,
         "(-r KEY|NAME | -R FILE | -p)... [-o OUT] [options] PATH...",
         "Encrypts files and folders into one container.",
         {{"--recipient", "-r", "KEY|NAME", "a recipient: a card, an age key or a contact's name (repeatable)"},
          {"--recipients-file", "-R", "FILE", "recipients, one per line; # starts a comment (repeatable)"},
          {"--passphrase", "-p", nullptr, "also (or only) let a passphrase open it; asked twice"},
          {"--passphrase-file", nullptr, "FILE", "the passphrase from FILE (wins over -p)"},
          {"--output", "-o", "OUT", "the container to write; - for standard output"},
          {"--compression", nullptr, "auto|off|max", "zstd where it pays (auto, default), never, or hardest"},
          {"--force", nullptr, nullptr, "replace OUT if it exists"},
          {"--no-sign", nullptr, nullptr, "do not sign, even with an identity in the keyring"},
          {"--sign-as", nullptr, "NAME|FINGERPRINT", "sign as this identity (default: the default identity)"},
          {"--follow-links", nullptr, nullptr, "store what symbolic links point to, if inside the chosen PATHs"},
          {"--follow-all-links", nullptr, nullptr, "store what symbolic links point to, wherever it is"},
          {"--format", nullptr, "coffer|age", "coffer (default), or an age file for people who use age"},
          {"--armor", "-a", nullptr, "with --format age: write ASCII armor (text)"},
          kKeyringPassphraseFile,
          kHelp},
         "Without --follow-links symbolic links are skipped with a warning. A link\n"
         "leading back into a folder it is in (a loop) is always skipped.\n"
         "With an identity in the keyring, the container is signed.\n"
         "--format age writes one file as OUT.age and several files or a folder as\n"
         "a tar in OUT.tar.age, to age keys, Coffer cards or one passphrase; age\n"
         "files are not signed, not compressed and have no index.",
         "coffer encrypt -r Ann -r coffer1... -o report.coffer report.pdf data/"},
        {"decrypt",
         commandDecrypt,
         "[-i FILE]... [-p] [-o DIR|-] [--only PATH]... [--force] CONTAINER",
         "Extracts a container into a folder, or one file to standard output.",
         {kIdentity,
          kAskPassphrase,
          kPassphraseFile,
          {"--output", "-o", "DIR|-", "where to extract (default: here); - writes one file to standard output"},
          {"--only", nullptr, "PATH", "extract only this file or folder (repeatable)"},
          {"--force", nullptr, nullptr, "replace existing files instead of choosing free names"},
          kKeyringPassphraseFile,
          kHelp},
         "CONTAINER - reads standard input. Nothing appears in DIR unless the whole\n"
         "container authenticated. CONTAINER may be an age file: FILE.age holds one\n"
         "file, FILE.tar.age a tar; they open with -i, -p or the keyring's keys.",
         "coffer decrypt -o ~/Downloads/report report.coffer"},
        {"list",
         commandList,
         "[-i FILE]... [-p] [-l] CONTAINER",
         "Lists what a container or an age file holds.",
         {kIdentity,
          kAskPassphrase,
          kPassphraseFile,
          {"--long", "-l", nullptr, "also show mode, size and date"},
          kKeyringPassphraseFile,
          kHelp},
         "",
         "coffer list -l report.coffer"},
        {"inspect",
         commandInspect,
         "CONTAINER",
         "Shows a container's or an age file's header without any key.",
         {kHelp},
         "",
         "coffer inspect report.coffer"},
        {"id",
         commandId,
         "create [--name NAME]\nlist\nshow [NAME]\nexport\n"
         "backup [--identity NAME] [-o FILE] [--with-contacts] [--paper-text FILE|-] [--force]\n"
         "import FILE|-\nremove NAME|FINGERPRINT [--yes]\ndefault NAME|FINGERPRINT\npasswd",
         "Your identities in the keyring: make them, show your card, back up, remove, change the passphrase.",
         {{"--name", nullptr, "NAME", "your name on your card (create; required for a second identity)"},
          {"--identity", nullptr, "NAME", "the identity to back up (backup; default: the default identity)"},
          {"--yes", nullptr, nullptr, "remove without asking (remove)"},
          {"--output", "-o", "FILE", "the backup file (backup; default: coffer-backup-NAME-DATE.coffer here)"},
          {"--with-contacts", nullptr, nullptr, "put your contacts in the backup too (backup)"},
          {"--paper-text", nullptr, "FILE|-", "write the paper key's text, to print (backup)"},
          {"--backup-passphrase-file", nullptr, "FILE", "the backup's passphrase from FILE (backup, import)"},
          {"--force", nullptr, nullptr, "replace an existing backup or paper key file (backup)"},
          kKeyringPassphraseFile,
          kHelp},
         "show prints your card (share it freely); export prints your SECRET key.\n"
         "backup writes your identity (and with --with-contacts your contacts) into a\n"
         "container under a passphrase you choose now; --paper-text writes it as text\n"
         "to print (the GUI's \"Paper backup...\" prints it with a QR code as PDF or\n"
         "PNG). import takes a key file, a backup file or a paper key's text.\n"
         "You may hold several identities (Work, Personal): create adds one; the\n"
         "default signs unless encrypt --sign-as chooses another; all of them open\n"
         "what is sent to them. remove warns that containers sent to the identity\n"
         "can no longer be opened unless it was backed up.",
         "coffer id create --name \"Ann\"\ncoffer id backup -o /media/usb/ann.coffer --with-contacts\n"
         "coffer id import /media/usb/ann.coffer"},
        {"contacts",
         commandContacts,
         "add KEY|FILE [--name NAME]\nlist [--names-only] [--no-prompt]\nshow NAME\n"
         "verify NAME [--fingerprint DIGITS]\nrename NAME NEW\nremove NAME",
         "The people you send to, kept in the keyring.",
         {{"--name", nullptr, "NAME", "the contact's name (add; default: the name on the card)"},
          {"--fingerprint", nullptr, "DIGITS", "the fingerprint they read out to you (verify)"},
          {"--names-only", nullptr, nullptr, "list only the names, one per line (list)"},
          {"--no-prompt", nullptr, nullptr, "never ask for the keyring passphrase: fail instead (list)"},
          kKeyringPassphraseFile,
          kHelp},
         "",
         "coffer contacts add coffer1... --name \"Bob\"\ncoffer contacts verify Bob --fingerprint \"09998 87347 ...\""},
        {"rekey",
         commandRekey,
         "(-r KEY|NAME)... [-p] [--add] [-i FILE]... [--force] -o OUT CONTAINER",
         "Changes who can open a container without re-encrypting its content.",
         {{"--recipient", "-r", "KEY|NAME", "a new recipient (repeatable)"},
          {"--passphrase", "-p", nullptr, "let a new passphrase open it; asked on the terminal"},
          {"--passphrase-file", nullptr, "FILE", "the new passphrase from FILE"},
          {"--add", nullptr, nullptr, "keep the present recipients too"},
          {"--identity", "-i", "FILE", "a key that opens CONTAINER (repeatable; default: the keyring's)"},
          {"--output", "-o", "OUT", "the new container"},
          {"--force", nullptr, nullptr, "replace OUT if it exists"},
          kKeyringPassphraseFile,
          kHelp},
         "",
         "coffer rekey --add -r Carol -o report-carol.coffer report.coffer"},
        {"integrate",
         commandIntegrate,
         "install|uninstall|status\n--print-reg [--executable PATH] | --print-unreg",
         "Adds Coffer to this user's file manager and shell, without administrator rights.",
         {{"--print-reg", nullptr, nullptr, "print the Windows registry entries as a .reg file"},
          {"--print-unreg", nullptr, nullptr, "print their removal as a .reg file"},
          {"--executable", nullptr, "PATH", "the executable the .reg file names (default: this one)"},
          kHelp},
         "\"Encrypt with Coffer\" on files and folders, and .coffer files opening with\n"
         "Coffer. On Linux: a desktop entry, the application/x-coffer MIME type and\n"
         "icons, the default handler in mimeapps.list, Dolphin, Nautilus, Nemo and\n"
         "Thunar menu entries, and completion for bash, zsh and fish (zsh reads it\n"
         "once ~/.local/share/zsh/site-functions is in fpath). On Windows: keys under\n"
         "HKEY_CURRENT_USER\\Software\\Classes.\n"
         "\n"
         "  install     add it, or refresh it (after Coffer moved, say)\n"
         "  uninstall   remove exactly what install added, and its record\n"
         "  status      what is installed, and whether it points at this copy\n"
         "\n"
         "Install records what it does in integration.manifest in Coffer's data folder\n"
         "(beside a portable copy, in its data/ folder).",
         "coffer integrate install"},
        {"mount",
         commandMount,
         "[-i FILE]... [-p] [-f] CONTAINER DIR",
         "Shows a container as a read-only folder (FUSE), without extracting it.",
         {kIdentity,
          kAskPassphrase,
          kPassphraseFile,
          {"--foreground", "-f", nullptr, "stay in the foreground until unmounted or interrupted"},
          kKeyringPassphraseFile,
          kHelp},
         "DIR must be an empty folder. Files are decrypted as they are read, each\n"
         "part authenticated first: a damaged part fails to read (an I/O error),\n"
         "never gives wrong bytes. Only you can read the folder. Without -f the\n"
         "command returns once the folder is ready and the mount runs on in the\n"
         "background, holding the container's key until \"coffer unmount DIR\".",
         "mkdir ~/report && coffer mount report.coffer ~/report\ncoffer unmount ~/report"},
        {"unmount",
         commandUnmount,
         "DIR",
         "Unmounts a container mounted with \"coffer mount\".",
         {kHelp},
         "The same as \"fusermount3 -u DIR\"; files still open in DIR keep it busy.",
         "coffer unmount ~/report"},
        {"unlock",
         commandUnlock,
         "[--idle-timeout SECONDS]",
         "Unlocks the keyring for this session: commands then ask no passphrase.",
         {{"--idle-timeout", nullptr, "SECONDS",
           "lock after this long unused (default: the auto-lock setting, 15 min)"},
          kKeyringPassphraseFile,
          kHelp},
         "Starts a key agent for this user, as ssh-agent does: it holds the keys\n"
         "and opens and signs for commands, which never see the secret keys. It\n"
         "listens on a socket in $XDG_RUNTIME_DIR/coffer and answers only you.\n"
         "It locks after the idle time, on \"coffer lock\", and when stopped.\n"
         "Without XDG_RUNTIME_DIR there is no agent: commands ask as before.",
         "coffer unlock && coffer decrypt report.coffer"},
        {"lock",
         commandLock,
         "",
         "Locks the keyring: the key agent wipes its keys and stops.",
         {kHelp},
         "Commands ask for the keyring passphrase again afterwards.",
         "coffer lock"},
        {"agent",
         commandAgent,
         "[--idle-timeout SECONDS]",
         "The key agent itself (internal: started by \"coffer unlock\").",
         {{"--idle-timeout", nullptr, "SECONDS", "lock after this long unused"}, kHelp},
         "Reads the keyring passphrase from a pipe on its standard input; run\n"
         "\"coffer unlock\" instead.",
         "coffer unlock"},
        {"help",
         runHelp,
         "[COMMAND]",
         "Prints the help of COMMAND, or the list of commands.",
         {},
         "",
         "coffer help encrypt"},
        {"version",
         runVersion,
         "",
         "Prints the version of Coffer, of its format and of its libraries.",
         {},
         "",
         "coffer version"},
    };
}

constexpr std::size_t kTextColumn = 32; // where an option's text starts
constexpr std::size_t kWidth = 79;

/// `text` wrapped at word boundaries to fit from kTextColumn to kWidth.
std::string wrapped(const std::string& text)
{
    std::istringstream words(text);
    std::string out;
    std::size_t column = kTextColumn;
    for (std::string word; words >> word;) {
        if (column > kTextColumn && column + 1 + word.size() > kWidth) {
            out += "\n" + std::string(kTextColumn, ' ');
            column = kTextColumn;
        } else if (column > kTextColumn) {
            out += ' ';
            ++column;
        }
        out += word;
        column += word.size();
    }
    return out;
}

void appendOptions(std::ostringstream& out, const std::vector<OptionInfo>& options)
{
    out << "\nOptions:\n";
    for (const auto& o : options) {
        std::string left = "  " + (o.alias ? std::string(o.alias) + ", " + o.name : std::string("    ") + o.name);
        if (o.value)
            left += std::string(" ") + o.value;
        if (left.size() + 2 <= kTextColumn)
            left += std::string(kTextColumn - left.size(), ' ');
        else
            left += "\n" + std::string(kTextColumn, ' ');
        out << left << wrapped(o.text) << "\n";
    }
}

} // namespace

const std::vector<CommandInfo>& commandTable()
{
    static const std::vector<CommandInfo> table = makeTable();
    return table;
}

const CommandInfo* findCommand(std::string_view name)
{
    for (const auto& c : commandTable())
        if (name == c.name)
            return &c;
    return nullptr;
}

std::string usageOf(std::string_view name)
{
    const CommandInfo* c = findCommand(name);
    if (!c)
        return "coffer COMMAND ...";
    std::istringstream forms(c->forms);
    std::string out;
    for (std::string form; std::getline(forms, form);)
        out += (out.empty() ? "" : "\n       ") + std::string("coffer ") + c->name + (form.empty() ? "" : " ") + form;
    return out.empty() ? std::string("coffer ") + c->name : out;
}

std::string commandHelp(const CommandInfo& command)
{
    std::ostringstream out;
    out << "Usage: " << usageOf(command.name) << "\n\n" << command.summary << "\n";
    if (!command.options.empty())
        appendOptions(out, command.options);
    if (*command.details)
        out << "\n" << command.details << "\n";
    out << "\nExample:\n";
    std::istringstream lines(command.example);
    for (std::string line; std::getline(lines, line);)
        out << "  " << line << "\n";
    return out.str();
}

std::string overviewHelp()
{
    std::ostringstream out;
    out << "Coffer: encrypt files and folders for the people you choose.\n\nUsage:\n";
    for (const auto& c : commandTable()) {
        if (std::string_view(c.name) == "agent")
            continue; // internal: started by unlock (it still answers --help)
        if (std::string_view(c.name) == "lock")
            out << "  coffer lock\n";
        std::istringstream forms(c.forms);
        for (std::string form; std::getline(forms, form);)
            out << "  coffer " << c.name << " " << form << "\n";
    }
    out << "  coffer --help | --version\n";
    const std::string text = out.str();
    return text + R"(
"coffer help COMMAND" (or "coffer COMMAND --help") explains one command.
Recipients (-r) are contact names, Coffer cards (coffer1...) or age keys (age1...).
With an identity in the keyring, containers are signed (--no-sign to skip),
and decrypt and list use the keyring unless -i or -p is given. The keyring
passphrase is asked on the terminal; scripts use --keyring-passphrase-file.
-p asks for a passphrase on the terminal; scripts use --passphrase-file FILE.
"-" as encrypt's OUT means standard output, as decrypt's CONTAINER standard
input (list and inspect need a file: they read only its end), and as decrypt's
-o one file's content to standard output.

Exit codes: 0 done, 2 usage, 3 no key matched or wrong passphrase,
4 damaged or tampered, 5 not a container or unsupported version,
6 file system error (disk full, permission), 130 cancelled, 1 other.
)";
}

Args parseArgs(std::string_view name, const std::vector<std::string>& argv)
{
    std::set<std::string> flags;
    std::set<std::string> withValue;
    std::map<std::string, std::string> aliases;
    if (const CommandInfo* c = findCommand(name)) {
        for (const auto& o : c->options) {
            (o.value ? withValue : flags).insert(o.name);
            if (o.alias)
                aliases.emplace(o.alias, o.name);
        }
    }
    return Args(argv, std::move(flags), std::move(withValue), std::move(aliases));
}

} // namespace coffer::cli
