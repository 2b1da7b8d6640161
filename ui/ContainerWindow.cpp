#include "ContainerWindow.h"

#include "AgeSupport.h"
#include "AppContext.h"
#include "Background.h"
#include "ContainerModel.h"
#include "EntryFilter.h"
#include "ErrorText.h"
#include "Extract.h"
#include "FileDialogs.h"
#include "JobOutcomes.h"
#include "JobProgressWidget.h"
#include "JobRunner.h"
#include "KeyChoice.h"
#include "MessageBox.h"
#include "MountAction.h"
#include "NoticePanel.h"
#include "OpenEntry.h"
#include "PathText.h"
#include "SecretInput.h"
#include "ShareButton.h"
#include "SignatureBanner.h"
#include "Texts.h"
#include "UntrustedText.h"

#include <QCloseEvent>
#include <QDir>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTreeView>
#include <QVBoxLayout>

#include <algorithm>
#include <atomic>

namespace coffer::ui {

struct ContainerWindow::Attempt {
    std::optional<Result<Listing>> listing;
    std::optional<crypto::Argon2Params> argon2;
    std::shared_ptr<const EntryTree> tree; // built on the worker: 200,000 entries take a while
    std::optional<EntryOrder> order;
};

namespace {

std::atomic<std::size_t> g_treeBudget{EntryTree::kBudget};

/// The keyring's identities plus the passphrase, if one was given; built on
/// the GUI thread, then owned by the worker.
std::shared_ptr<crypto::IdentityList> makeIdentities(AppContext& context,
                                                     const std::optional<crypto::SecureString>& passphrase)
{
    return std::make_shared<crypto::IdentityList>(identitiesFor(context.keyring().keyring(), passphrase));
}

/// Said before an Argon2id run above what Coffer writes (FORMAT.md §3.2).
QString unusualCostNotice(const std::optional<crypto::Argon2Params>& params)
{
    if (!params || crypto::argon2Cost(*params) != crypto::Argon2Cost::Unusual)
        return {};
    return QStringLiteral(" ") + ContainerWindow::tr("This container asks for an unusually costly passphrase check "
                                                     "(%1 MiB, about %2 s).")
                                     .arg(params->memoryKiB / 1024)
                                     .arg(qRound(crypto::argon2Seconds(*params)));
}

/// The selected paths without those inside a selected folder, which already
/// brings everything under it.
std::vector<std::string> selectionRoots(QStringList paths)
{
    paths.sort();
    std::vector<std::string> roots;
    QString lastFolder;
    for (const QString& p : paths) {
        if (!lastFolder.isEmpty() && p.startsWith(lastFolder + QLatin1Char('/')))
            continue;
        lastFolder = p;
        roots.push_back(p.toStdString());
    }
    return roots;
}

} // namespace

ContainerWindow::ContainerWindow(AppContext& context, const QString& path, QWidget* parent)
    : QWidget(parent, Qt::Window), m_context(context), m_path(path), m_title(new QLabel), m_banner(new SignatureBanner),
      m_message(new NoticePanel), m_passphraseRow(new QWidget), m_passphraseEdit(new QLineEdit),
      m_passphraseOpen(new QPushButton(tr("&Open"))), m_model(new ContainerModel(this)),
      m_filterBar(new EntryFilterBar), m_view(new QTreeView), m_opener(new EntryOpener(context, path, this)),
      m_extractSelected(new QPushButton(tr("Extract &selected…"))), m_extractAll(new QPushButton(tr("Extract &all…"))),
      m_buttonRow(new QWidget), m_share(new ShareButton), m_progress(new JobProgressWidget),
      m_runner(new JobRunner(this))
{
    m_age = isAgePath(path);
    setAttribute(Qt::WA_DeleteOnClose);
    setWindowTitle(tr("%1 — Coffer").arg(displayable(QFileInfo(path).fileName())));
    setAccessibleName(tr("Open container"));
    QFont titleFont = m_title->font();
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.25);
    titleFont.setBold(true);
    m_title->setFont(titleFont);
    m_title->setTextFormat(Qt::PlainText);
    m_title->setText(displayable(QFileInfo(path).fileName()));

    makeSecretField(m_passphraseEdit);
    m_passphraseEdit->setAccessibleName(tr("Container passphrase"));
    auto* passRow = new QHBoxLayout(m_passphraseRow);
    passRow->setContentsMargins(0, 0, 0, 0);
    auto* passLabel = new QLabel(tr("&Passphrase:"));
    passLabel->setBuddy(m_passphraseEdit);
    passRow->addWidget(passLabel);
    passRow->addWidget(m_passphraseEdit, 1);
    passRow->addWidget(m_passphraseOpen);
    m_passphraseRow->hide();

    m_view->setModel(m_model);
    m_view->setAccessibleName(tr("Contents"));
    m_view->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_view->setUniformRowHeights(true);
    m_view->setAlternatingRowColors(true);
    m_view->header()->setStretchLastSection(false);
    m_view->header()->setSectionResizeMode(ContainerModel::NameColumn, QHeaderView::Stretch);
    m_view->header()->setSectionResizeMode(ContainerModel::SizeColumn, QHeaderView::ResizeToContents);
    m_view->header()->setSectionResizeMode(ContainerModel::ModifiedColumn, QHeaderView::ResizeToContents);
    m_view->header()->setSortIndicator(ContainerModel::NameColumn, Qt::AscendingOrder);
    m_view->setSortingEnabled(true);
    // Dragged entries are extracted when the drop target asks for them (OpenEntry.h).
    m_view->setExpandsOnDoubleClick(false); // activateEntry() opens and closes folders, for Enter too
    m_view->setDragEnabled(true);
    m_view->setDragDropMode(QAbstractItemView::DragOnly);
    m_view->setDefaultDropAction(Qt::CopyAction);
    m_model->setDragSource([this](const QStringList& paths) {
        QStringList roots;
        for (const std::string& p : selectionRoots(paths))
            roots << QString::fromStdString(p);
        return m_opener->dragData(roots, makeIdentities(m_context, m_passphrase));
    });
    m_extractSelected->setAccessibleName(tr("Extract the selected files"));
    m_extractAll->setAccessibleName(tr("Extract everything"));
    auto* close = new QPushButton(tr("&Close"));

    auto* buttons = new QHBoxLayout(m_buttonRow);
    buttons->setContentsMargins(0, 0, 0, 0);
    buttons->addStretch(1);
    buttons->addWidget(m_extractSelected);
    buttons->addWidget(m_extractAll);
    buttons->addWidget(MountAction::attach(
        path, [this] { return makeIdentities(m_context, m_passphrase); }, this));
    m_share->setFile(path);
    buttons->addWidget(m_share);
    buttons->addWidget(close);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_title);
    layout->addWidget(m_banner);
    layout->addWidget(m_message);
    layout->addWidget(m_passphraseRow);
    layout->addWidget(m_filterBar);
    layout->addWidget(m_view, 1);
    layout->addWidget(m_buttonRow);
    layout->addWidget(m_progress);
    m_progress->hide();
    m_banner->hide();

    connect(m_passphraseOpen, &QPushButton::clicked, this, &ContainerWindow::submitPassphrase);
    connect(m_passphraseEdit, &QLineEdit::returnPressed, this, &ContainerWindow::submitPassphrase);
    connect(m_extractAll, &QPushButton::clicked, this, &ContainerWindow::extractAll);
    connect(m_extractSelected, &QPushButton::clicked, this, &ContainerWindow::extractSelected);
    connect(close, &QPushButton::clicked, this, &QWidget::close);
    connect(m_view, &QTreeView::activated, this, &ContainerWindow::activateEntry);
    connect(m_opener, &EntryOpener::failed, this, [this](const QString& message) {
        if (!message.isEmpty())
            m_message->showMessage(NoticePanel::Kind::Error, message);
    });
    connect(m_share, &ShareButton::reported, this, [this](bool ok, const QString& text) {
        m_message->showMessage(ok ? NoticePanel::Kind::Success : NoticePanel::Kind::Error, text);
    });
    connect(m_filterBar, &EntryFilterBar::filterChanged, m_model, &ContainerModel::setFilter);
    connect(m_filterBar, &EntryFilterBar::moveIntoList, this, &ContainerWindow::enterList);
    connect(m_model, &ContainerModel::orderChanged, this, &ContainerWindow::onOrderChanged);
    connect(m_banner, &SignatureBanner::addSignerRequested, this, &ContainerWindow::addContactRequested);
    connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            [this]() { m_extractSelected->setEnabled(m_loaded && m_view->selectionModel()->hasSelection()); });
    connect(m_runner, &JobRunner::progressed, m_progress, &JobProgressWidget::setProgress);
    connect(m_runner, &JobRunner::finished, this, &ContainerWindow::onExtractFinished);
    connect(m_progress, &JobProgressWidget::cancelRequested, m_runner, &JobRunner::cancel);
    connect(m_progress, &JobProgressWidget::closeRequested, this, [this]() {
        m_progress->hide();
        m_buttonRow->show();
        m_view->setFocus();
    });
    setControlsEnabled(false);
    resize(QSize(fontMetrics().averageCharWidth() * 90, fontMetrics().height() * 32));
    load();
}

ContainerWindow::~ContainerWindow() = default;

QString ContainerWindow::messageText() const
{
    return m_message->isHidden() ? QString() : m_message->text();
}

bool ContainerWindow::isAskingForPassphrase() const
{
    return !m_passphraseRow->isHidden();
}

void ContainerWindow::setControlsEnabled(bool enabled)
{
    m_extractAll->setEnabled(enabled);
    m_extractSelected->setEnabled(enabled && m_view->selectionModel()->hasSelection());
}

void ContainerWindow::load()
{
    m_loaded = false;
    setControlsEnabled(false);
    m_passphraseOpen->setEnabled(false);
    m_message->showMessage(NoticePanel::Kind::Info, tr("Opening…"));
    if (m_age)
        return loadAge();
    auto ids = makeIdentities(m_context, m_passphrase);
    // Notes a passphrase stanza's cost as the keys are tried, for the prompt
    // shown on PassphraseNeeded: the header is read once.
    auto cost = std::make_shared<std::optional<crypto::Argon2Params>>();
    ids->push_back(std::make_unique<PassphraseCostProbe>(cost));
    const std::filesystem::path file = toPath(m_path);
    runInBackground(
        this,
        [file, ids, cost, budget = g_treeBudget.load()]() {
            Attempt attempt;
            // Entries go into the tree once every segment was read and
            // checked (then read again): neither the index nor the set of its
            // paths is ever held beside the tree (a million entries).
            EntryTreeBuilder builder(budget);
            auto header = listContainerEntries(
                file, *ids, [&](const IndexEntry& e) { builder.add(e); }, ListingPass::CheckAllFirst);
            attempt.argon2 = *cost;
            if (!header.ok()) {
                attempt.listing = header.error();
                return attempt;
            }
            std::error_code ec;
            attempt.listing =
                Listing{std::move(*header), static_cast<std::uint64_t>(std::filesystem::file_size(file, ec))};
            attempt.tree = builder.finish(); // null past its budget
            if (attempt.tree)
                attempt.order = EntryOrder::everything(*attempt.tree);
            return attempt;
        },
        [this](Attempt attempt) { onListed(std::move(attempt)); });
}

void ContainerWindow::onListed(Attempt attempt)
{
    m_passphraseOpen->setEnabled(true);
    const Result<Listing>& listing = *attempt.listing;
    if (!listing.ok()) {
        // Either means the container has a passphrase stanza: ask for (another) passphrase.
        const ErrorCode code = listing.error().code;
        if (code == ErrorCode::PassphraseNeeded || code == ErrorCode::WrongPassphrase) {
            m_passphraseRow->show();
            if (m_passphrase)
                m_message->showMessage(NoticePanel::Kind::Error,
                                       tr("That passphrase does not open it. Check it (capitals count; check Caps "
                                          "Lock) and try again."));
            else
                m_message->showMessage(NoticePanel::Kind::Info,
                                       tr("None of your keys opens this container, but it is protected by a "
                                          "passphrase. Enter the passphrase to open it.") +
                                           unusualCostNotice(attempt.argon2));
            m_passphrase.reset();
            m_passphraseEdit->setFocus();
        } else {
            m_message->showMessage(NoticePanel::Kind::Error, ErrorText::describe(listing.error()).text());
        }
        emit loadFinished(false);
        return;
    }
    if (!attempt.tree)
        return refuseTooManyNames();
    m_model->setTree(attempt.tree, std::move(*attempt.order));
    m_banner->setReport(describeSignature(listing->index, m_context.keyring().keyring()));
    showLoaded(attempt.tree->entryCount());
}

void ContainerWindow::setTreeBudget(std::size_t bytes)
{
    g_treeBudget = bytes;
}

std::size_t ContainerWindow::treeBudget()
{
    return g_treeBudget;
}

void ContainerWindow::refuseTooManyNames()
{
    // Nothing of it is shown, and nothing kept: a passphrase given would only
    // list it again to the same end.
    m_passphraseRow->hide();
    m_passphrase.reset();
    m_banner->hide();
    m_model->clear();
    m_message->showMessage(NoticePanel::Kind::Error,
                           tr("This container names more files and folders, with longer names, than Coffer can "
                              "show. It may have been made to use up this computer's memory. If you trust the "
                              "sender, list it with “coffer list” or extract it with “coffer decrypt”."));
    emit loadFinished(false);
}

void ContainerWindow::showLoaded(std::size_t entryCount)
{
    m_loaded = true;
    m_passphraseRow->hide();
    m_message->clearMessage();
    m_title->setText(tr("%1 — %2, %3")
                         .arg(displayable(QFileInfo(m_path).fileName()),
                              Texts::files(static_cast<std::uint64_t>(m_model->fileCount())),
                              Texts::size(m_model->totalBytes())));
    m_banner->show();
    if (entryCount <= 200)
        m_view->expandAll();
    if (m_model->rowCount() > 0)
        m_view->setCurrentIndex(m_model->index(0, 0));
    m_view->setFocus();
    setControlsEnabled(true);
    m_context.settings().addRecentContainer(m_path);
    emit loadFinished(true);
}

void ContainerWindow::submitPassphrase()
{
    if (m_passphraseEdit->text().isEmpty())
        return;
    m_passphrase = takeSecret(m_passphraseEdit);
    load();
}

void ContainerWindow::extractAll()
{
    extract({});
}

void ContainerWindow::extractSelected()
{
    QStringList paths;
    for (const QModelIndex& index : m_view->selectionModel()->selectedRows(ContainerModel::NameColumn))
        paths << m_model->archivePath(index);
    std::vector<std::string> only = selectionRoots(paths);
    if (only.empty()) {
        m_message->showMessage(NoticePanel::Kind::Warning, tr("Select the files or folders to extract first."));
        return;
    }
    extract(std::move(only));
}

void ContainerWindow::activateEntry(const QModelIndex& index)
{
    if (!m_loaded || !index.isValid())
        return;
    const QModelIndex name = index.siblingAtColumn(ContainerModel::NameColumn);
    if (m_model->isFolder(name)) {
        m_view->setExpanded(name, !m_view->isExpanded(name));
        return;
    }
    m_opener->open(m_model->archivePath(name), makeIdentities(m_context, m_passphrase));
}

void ContainerWindow::onOrderChanged()
{
    const bool filtered = !m_model->filter().trimmed().isEmpty();
    m_filterBar->setCount(m_model->matchCount(), m_model->entryCount(), filtered);
    // A few matches are shown where they are; many stay folded (expanding
    // 200,000 rows would stall the window).
    if (filtered && m_model->matchCount() <= 200)
        m_view->expandAll();
}

void ContainerWindow::enterList()
{
    m_view->setFocus();
    if (!m_view->currentIndex().isValid() && m_model->rowCount() > 0)
        m_view->setCurrentIndex(m_model->index(0, 0));
}

void ContainerWindow::dropOpenedCopies()
{
    m_opener->discard();
}

void ContainerWindow::extract(std::vector<std::string> only)
{
    if (!m_loaded || m_runner->isRunning())
        return;
    const QString start = m_context.settings().defaultOutputFolder().isEmpty()
                              ? QFileInfo(m_path).absolutePath()
                              : m_context.settings().defaultOutputFolder();
    const QString destination = FileDialogs::getExistingDirectory(this, tr("Extract into which folder?"), start);
    if (destination.isEmpty())
        return;
    m_destination = destination;
    auto request = std::make_shared<ExtractRequest>();
    request->container = toPath(m_path);
    request->destination = toPath(destination);
    request->only = std::move(only);
    if (m_age)
        return extractAgeFile(request);
    auto ids = makeIdentities(m_context, m_passphrase);
    m_buttonRow->hide();
    m_progress->show();
    m_progress->begin(request->only.empty() ? tr("Extracting everything…") : tr("Extracting the selection…"));
    m_context.jobStarted();
    m_runner->start([request, ids](JobControl& job) {
        return outcomeOf(extractContainer(*request, *ids, job), request->destination, job);
    });
}

void ContainerWindow::onExtractFinished()
{
    m_context.jobEnded();
    const JobOutcome& outcome = m_runner->outcome();
    const QString text = tr("Extracted %1 (%2) into %3.")
                             .arg(Texts::files(outcome.files), Texts::size(outcome.bytes),
                                  displayable(QDir::toNativeSeparators(m_destination)));
    m_progress->finish(outcome, text, m_destination, m_destination);
    if (m_closeWhenDone)
        close();
}

void ContainerWindow::closeEvent(QCloseEvent* event)
{
    if (!m_opener->confirmDiscard(this)) {
        event->ignore();
        return;
    }
    if (!m_runner->isRunning()) {
        m_opener->discard();
        event->accept();
        return;
    }
    event->ignore();
    const auto answer = MessageBox::question(this, tr("Stop extracting?"),
                                             tr("Extraction is not finished. Stop now? What was written so far is "
                                                "removed again."));
    if (answer == QMessageBox::Yes) {
        m_closeWhenDone = true;
        m_runner->cancel();
    }
}

} // namespace coffer::ui
