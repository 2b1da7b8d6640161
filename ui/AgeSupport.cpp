#include "AgeSupport.h"

#include "JobOutcomes.h"
#include "PathText.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>

#include <algorithm>

namespace coffer::ui {

namespace {

QString tr(const char* text)
{
    return QCoreApplication::translate("coffer::ui::AgeSupport", text);
}

bool isKeyFailure(ErrorCode code)
{
    return code == ErrorCode::NoKeyMatched || code == ErrorCode::PassphraseNeeded || code == ErrorCode::WrongPassphrase;
}

/// age.md: an scrypt stanza is the only one of its header, so a file with
/// one opens with a passphrase and nothing else.
bool hasScryptStanza(const std::filesystem::path& path)
{
    auto info = inspectAge(path);
    return info.ok() &&
           std::find(info->stanzaTypes.begin(), info->stanzaTypes.end(), "scrypt") != info->stanzaTypes.end();
}

} // namespace

bool isAgePath(const QString& path)
{
    const QFileInfo info(path);
    if (info.isDir())
        return false;
    if (info.suffix().compare(QLatin1String("age"), Qt::CaseInsensitive) == 0)
        return true;
    // Only a regular file is read: a FIFO or a device would block the GUI thread.
    return info.isFile() && isAgeFile(toPath(path));
}

Status listAgeFile(const std::filesystem::path& path, const crypto::age::AgeKeys& keys, bool passphraseGiven,
                   const std::function<void(const IndexEntry&)>& each)
{
    JobControl job; // listing decrypts the whole file (age has no index); the window waits for it
    const Status listing = listAge(path, keys, job, each);
    if (listing.ok() || !isKeyFailure(listing.error().code) || !hasScryptStanza(path))
        return listing;
    Error e = listing.error();
    e.code = passphraseGiven ? ErrorCode::WrongPassphrase : ErrorCode::PassphraseNeeded;
    return e;
}

JobRunner::Work ageExtractJob(std::shared_ptr<ExtractRequest> request, std::shared_ptr<crypto::age::AgeKeys> keys)
{
    return [request, keys](JobControl& job) {
        return outcomeOf(extractAge(*request, *keys, job), request->destination, job);
    };
}

JobRunner::Work ageEncryptJob(std::shared_ptr<AgeEncryptRequest> request)
{
    return [request](JobControl& job) { return outcomeOf(encryptAge(*request, job)); };
}

QString ageOutputFor(const QStringList& inputs, const QString& outputFolder)
{
    if (inputs.isEmpty())
        return QString();
    std::vector<std::filesystem::path> paths;
    for (const QString& p : inputs)
        paths.push_back(toPath(p));
    const QFileInfo first(inputs.first());
    const QString base = first.fileName().isEmpty() ? QStringLiteral("files") : first.fileName();
    const QString name = base + (agePayloadIsTar(paths) ? QStringLiteral(".tar.age") : QStringLiteral(".age"));
    const QString folder = outputFolder.isEmpty() ? first.absolutePath() : outputFolder;
    return QDir::cleanPath(QDir(folder).filePath(name));
}

QString ageRecipientProblem(const std::vector<crypto::RecipientKey>& recipients, const QStringList& names,
                            bool passphrase)
{
    for (std::size_t i = 0; i < recipients.size(); ++i) {
        const crypto::AudienceTag tag = recipients[i].audience();
        if (tag.type == crypto::kAudienceX25519 && tag.value.size() == 32)
            continue;
        const QString who = i < static_cast<std::size_t>(names.size()) ? names[static_cast<int>(i)]
                                                                       : QString::fromStdString(recipients[i].text());
        return tr("age cannot encrypt to %1 (a %2). Leave them out, or choose the Coffer format.")
            .arg(who, QString::fromStdString(std::string(recipients[i].kindName())));
    }
    if (passphrase && !recipients.empty())
        return tr("An age file opens either with a passphrase or with people's keys, not both. Untick the "
                  "passphrase or the people, or choose the Coffer format.");
    return QString();
}

UserMessage describeAgeError(const Error& error)
{
    UserMessage m = ErrorText::describe(error); // the details: ageError's plain words
    const QString advice = tr("Ask the sender to encrypt it to your age address (toolbar: My card).");
    switch (error.code) {
    case ErrorCode::NoKeyMatched:
    case ErrorCode::PassphraseNeeded:
        m.headline = tr("None of your keys opens this age file.");
        m.advice = advice;
        break;
    case ErrorCode::UnsupportedVersion: // post-quantum stanzas: the details say so
        m.headline = tr("This age file uses keys this version of Coffer cannot open.");
        m.advice = advice;
        break;
    case ErrorCode::LimitExceeded:
        m.headline = tr("This age file asks for more than age allows.");
        break;
    case ErrorCode::NotAContainer:
        m.headline = tr("This is not an age file.");
        m.advice = tr("Check that you chose the right file.");
        break;
    default:
        break;
    }
    return m;
}

} // namespace coffer::ui
