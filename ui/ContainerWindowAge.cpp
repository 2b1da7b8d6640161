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
#include "EntryTree.h"
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

struct ContainerWindow::AgeAttempt {
    Status listing = Status::success();
    std::shared_ptr<const EntryTree> tree; // null past its budget
    std::optional<EntryOrder> order;
};

void ContainerWindow::loadAge()
{
    auto keys = ageKeys(m_context, m_passphrase);
    const bool passphraseGiven = m_passphrase.has_value();
    const std::filesystem::path file = toPath(m_path);
    runInBackground(
        this,
        [file, keys, passphraseGiven, budget = treeBudget()]() {
            // Straight into the tree, as a container's entries: no list of
            // them is held beside it, and the tree stops at its budget.
            EntryTreeBuilder builder(budget);
            AgeAttempt attempt;
            attempt.listing = listAgeFile(file, *keys, passphraseGiven, [&](const IndexEntry& e) { builder.add(e); });
            if (!attempt.listing.ok())
                return attempt; // the builder's names go with it: nothing unauthenticated is shown
            attempt.tree = builder.finish();
            if (attempt.tree)
                attempt.order = EntryOrder::everything(*attempt.tree);
            return attempt;
        },
        [this](AgeAttempt attempt) { onAgeListed(std::move(attempt)); });
}

void ContainerWindow::onAgeListed(AgeAttempt attempt)
{
    m_passphraseOpen->setEnabled(true);
    const Status& listing = attempt.listing;
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
    if (!attempt.tree)
        return refuseTooManyNames();
    m_model->setTree(attempt.tree, std::move(*attempt.order));
    m_banner->showAgeNotice();
    showLoaded(attempt.tree->entryCount());
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
