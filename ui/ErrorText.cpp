#include "ErrorText.h"

#include "UntrustedText.h"

namespace coffer::ui {

namespace {

QString capitalised(const std::string& text)
{
    QString s = displayable(text); // messages quote paths, names and a file's first line
    if (!s.isEmpty())
        s[0] = s[0].toUpper();
    if (!s.isEmpty() && !s.endsWith(QLatin1Char('.')))
        s += QLatin1Char('.');
    return s;
}

} // namespace

QString UserMessage::text() const
{
    QStringList parts;
    for (const QString& part : {headline, advice, details})
        if (!part.isEmpty())
            parts << part;
    return parts.join(QLatin1String("\n\n"));
}

UserMessage ErrorText::describe(const Error& error)
{
    UserMessage m;
    m.details = capitalised(error.message);
    switch (error.code) {
    case ErrorCode::NoKeyMatched:
    case ErrorCode::PassphraseNeeded: // said when no passphrase can be asked for here
        m.headline = tr("None of your keys opens this container.");
        m.advice = tr("Ask the sender to encrypt it to your card (toolbar: My card). If it was protected with a "
                      "passphrase, enter that passphrase.");
        break;
    case ErrorCode::WrongPassphrase:
        m.headline = tr("The passphrase does not open it.");
        m.advice = tr("Check the passphrase (capitals count; check Caps Lock) and try again.");
        break;
    case ErrorCode::Damaged:
        m.headline = tr("The file is damaged, or was changed after it was made.");
        m.advice = tr("Nothing from it was kept. Ask the sender for a fresh copy.");
        break;
    case ErrorCode::LimitExceeded:
        m.headline = tr("The container asks for more than Coffer allows.");
        m.advice = tr("It may have been made to cause harm; do not trust it.");
        break;
    case ErrorCode::UnsafePath:
        m.headline = tr("The container tries to write outside the chosen folder.");
        m.advice = tr("Nothing was extracted. Do not trust it.");
        break;
    case ErrorCode::NotAContainer:
        m.headline = tr("This is not a Coffer container.");
        m.advice = tr("Check that you chose a .coffer file.");
        break;
    case ErrorCode::UnsupportedVersion:
        m.headline = tr("This container was made by a newer Coffer.");
        m.advice = tr("Update Coffer, then open it again.");
        break;
    case ErrorCode::Io:
        m.headline = tr("The system refused to read or write a file.");
        m.advice = tr("Check free space, permissions and the path, then try again.");
        break;
    case ErrorCode::Cancelled:
        m.headline = tr("Cancelled.");
        m.advice = tr("Nothing was left behind.");
        m.details.clear();
        break;
    case ErrorCode::InvalidArgument:
        m.headline = m.details;
        m.details.clear();
        break;
    case ErrorCode::Internal:
        m.headline = tr("Something went wrong inside Coffer.");
        m.advice = tr("This is a bug; please report it with the details below.");
        break;
    }
    return m;
}

UserMessage ErrorText::describeKeyringError(const Error& error)
{
    UserMessage m = describe(error);
    if (error.code == ErrorCode::WrongPassphrase || error.code == ErrorCode::NoKeyMatched) {
        m.headline = tr("That passphrase does not unlock your keyring.");
        m.advice = tr("Check it (capitals count; check Caps Lock) and try again.");
        m.details.clear();
    } else if (error.code == ErrorCode::Damaged) {
        m.headline = tr("Your keyring file and its backup are damaged.");
        m.advice = tr("Restore the keyring folder from a backup of your computer, or create a new identity.");
    }
    return m;
}

} // namespace coffer::ui
