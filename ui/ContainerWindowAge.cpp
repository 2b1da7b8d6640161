// The Open flow for an age file (issue 20; FORMAT.md §13), in the container
// window: the same list and Extract, but the whole file is decrypted to list
// it (age has no index), the banner says "not signed" (age has no
// signature), and a passphrase is asked for only if the file has an scrypt
// stanza.
#include "ContainerWindow.h"

#include "AgeSupport.h"
#include "AppContext.h"
#include "Background.h"
#include "ContainerModel.h"
#include "JobProgressWidget.h"
#include "KeyChoice.h"
#include "NoticePanel.h"
#include "PathText.h"
#include "SignatureBanner.h"
#include "Texts.h"
#include "UntrustedText.h"

#include <QFileInfo>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTreeView>

namespace coffer::ui {

namespace {

/// Built on the GUI thread (the keyring may lock meanwhile), then owned by the worker.
std::shared_ptr<crypto::age::AgeKeys> ageKeys(AppContext& context,
                                              const std::optional<crypto::SecureString>& passphrase)
{
    return std::make_shared<crypto::age::AgeKeys>(ageKeysFor(context.keyring().keyring(), passphrase));
}

} // namespace

void ContainerWindow::loadAge()
{
    auto keys = ageKeys(m_context, m_passphrase);
    const bool passphraseGiven = m_passphrase.has_value();
    const std::filesystem::path file = toPath(m_path);
    runInBackground(
        this, [file, keys, passphraseGiven]() { return listAgeFile(file, *keys, passphraseGiven); },
        [this](Result<Listing> listing) { onAgeListed(std::move(listing)); });
}

void ContainerWindow::onAgeListed(Result<Listing> listing)
{
    m_passphraseOpen->setEnabled(true);
    if (!listing.ok()) {
        const ErrorCode code = listing.error().code;
        if (code == ErrorCode::PassphraseNeeded || code == ErrorCode::WrongPassphrase) {
            m_passphraseRow->show();
            m_message->showMessage(m_passphrase ? NoticePanel::Kind::Error : NoticePanel::Kind::Info,
                                   m_passphrase ? tr("That passphrase does not open it. Check it (capitals count; "
                                                     "check Caps Lock) and try again.")
                                                : tr("This age file is protected by a passphrase. Enter it to "
                                                     "open the file."));
            m_passphrase.reset();
            m_passphraseEdit->setFocus();
        } else {
            m_message->showMessage(NoticePanel::Kind::Error, describeAgeError(listing.error()).text());
        }
        emit loadFinished(false);
        return;
    }
    if (!m_model->setEntries(listing->index.entries, treeBudget()))
        return refuseTooManyNames();
    m_banner->showAgeNotice();
    showLoaded(listing->index.entries.size());
}

void ContainerWindow::extractAgeFile(std::shared_ptr<ExtractRequest> request)
{
    auto keys = ageKeys(m_context, m_passphrase);
    m_buttonRow->hide();
    m_progress->show();
    m_progress->begin(request->only.empty() ? tr("Extracting everything…") : tr("Extracting the selection…"));
    m_context.jobStarted();
    m_runner->start(ageExtractJob(std::move(request), std::move(keys)));
}

} // namespace coffer::ui
