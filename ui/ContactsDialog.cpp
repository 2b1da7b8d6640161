#include "ContactsDialog.h"

#include "AddContactDialog.h"
#include "AppContext.h"
#include "CardDrop.h"
#include "ContactsModel.h"
#include "MessageBox.h"
#include "NoticePanel.h"
#include "UntrustedText.h"
#include "VerifyContactDialog.h"

#include <QClipboard>
#include <QDragEnterEvent>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QShortcut>
#include <QTableView>
#include <QVBoxLayout>

namespace coffer::ui {

ContactsDialog::ContactsDialog(AppContext& context, QWidget* parent)
    : QDialog(parent), m_context(context), m_model(new ContactsModel(this)), m_view(new QTableView),
      m_notice(new NoticePanel), m_add(new QPushButton(tr("&Add…"))), m_rename(new QPushButton(tr("Re&name…"))),
      m_verify(new QPushButton(tr("&Verify…"))), m_remove(new QPushButton(tr("Re&move")))
{
    setWindowTitle(tr("Contacts — Coffer"));
    setAccessibleName(tr("Contacts"));
    m_view->setModel(m_model);
    m_view->setAccessibleName(tr("Contacts"));
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_view->setTabKeyNavigation(false);
    m_view->verticalHeader()->hide();
    m_view->horizontalHeader()->setSectionResizeMode(ContactsModel::NameColumn, QHeaderView::ResizeToContents);
    m_view->horizontalHeader()->setSectionResizeMode(ContactsModel::VerifiedColumn, QHeaderView::ResizeToContents);
    m_view->horizontalHeader()->setStretchLastSection(true);
    auto* close = new QPushButton(tr("&Close"));

    auto* buttons = new QVBoxLayout;
    for (QPushButton* b : {m_add, m_rename, m_verify, m_remove})
        buttons->addWidget(b);
    buttons->addStretch(1);
    buttons->addWidget(close);
    auto* row = new QHBoxLayout;
    row->addWidget(m_view, 1);
    row->addLayout(buttons);
    auto* hint = new QLabel(tr("To add a contact, you can also drop their card or card file here, or paste "
                               "the card (Ctrl+V)."));
    hint->setWordWrap(true);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(row, 1);
    layout->addWidget(hint);
    layout->addWidget(m_notice);
    setAcceptDrops(true);
    auto* paste = new QShortcut(QKeySequence::Paste, this);
    connect(paste, &QShortcut::activated, this, &ContactsDialog::pasteCard);

    connect(m_add, &QPushButton::clicked, this, [this]() { addContact(); });
    connect(m_rename, &QPushButton::clicked, this, &ContactsDialog::renameSelected);
    connect(m_verify, &QPushButton::clicked, this, &ContactsDialog::verifySelected);
    connect(m_remove, &QPushButton::clicked, this, &ContactsDialog::removeSelected);
    connect(close, &QPushButton::clicked, this, &QDialog::accept);
    connect(&context.keyring(), &KeyringSession::keyringChanged, this, &ContactsDialog::refresh);
    connect(&context.keyring(), &KeyringSession::updateFinished, this, &ContactsDialog::onUpdated);
    connect(&context.keyring(), &KeyringSession::busyChanged, this, [this]() { refresh(); });
    refresh();
    resize(QSize(fontMetrics().averageCharWidth() * 100, fontMetrics().height() * 22));
}

QString ContactsDialog::messageText() const
{
    return m_notice->isHidden() ? QString() : m_notice->text();
}

void ContactsDialog::refresh()
{
    const QString keep = selectedName();
    m_model->setKeyring(m_context.keyring().keyring());
    if (!keep.isEmpty())
        selectContact(keep);
    else if (m_model->rowCount() > 0)
        m_view->selectRow(0);
    const bool idle = !m_context.keyring().isBusy() && m_context.keyring().isUnlocked();
    const bool any = m_model->rowCount() > 0;
    m_add->setEnabled(idle);
    m_rename->setEnabled(idle && any);
    m_verify->setEnabled(idle && any);
    m_remove->setEnabled(idle && any);
}

bool ContactsDialog::selectContact(const QString& name)
{
    const int row = m_model->rowOfName(name);
    if (row < 0)
        return false;
    m_view->selectRow(row);
    return true;
}

QString ContactsDialog::selectedName() const
{
    const auto rows = m_view->selectionModel() ? m_view->selectionModel()->selectedRows() : QModelIndexList();
    if (rows.isEmpty())
        return QString();
    const ContactsModel::Row* r = m_model->rowAt(rows.first().row());
    return r ? r->name : QString();
}

void ContactsDialog::onUpdated(bool ok, const QString& message)
{
    if (m_pendingSuccess.isEmpty())
        return; // another window's change
    if (ok)
        m_notice->showMessage(NoticePanel::Kind::Success, m_pendingSuccess);
    else
        m_notice->showMessage(NoticePanel::Kind::Error, message);
    m_pendingSuccess.clear();
}

void ContactsDialog::addContact(const QString& key)
{
    auto* dialog = new AddContactDialog(key, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, dialog]() {
        const std::optional<Contact> contact = dialog->contact();
        if (!contact)
            return;
        m_pendingSuccess =
            tr("%1 was added. Compare fingerprints with them to mark them verified.").arg(displayable(contact->name));
        m_notice->showMessage(NoticePanel::Kind::Info, tr("Saving…"));
        m_context.keyring().update([c = *contact](Keyring& k) { return k.addContact(c); });
    });
    dialog->open();
}

void ContactsDialog::receiveCard(const QMimeData* mime)
{
    const CardDrop got = CardDrops::fromMimeData(mime);
    if (!got.ok()) {
        m_notice->showMessage(NoticePanel::Kind::Error, got.problem);
        return;
    }
    m_notice->clearMessage();
    addContact(got.card);
}

void ContactsDialog::pasteCard()
{
    receiveCard(QGuiApplication::clipboard()->mimeData());
}

void ContactsDialog::dragEnterEvent(QDragEnterEvent* event)
{
    if (CardDrops::mayHoldCard(event->mimeData()))
        event->acceptProposedAction();
}

void ContactsDialog::dropEvent(QDropEvent* event)
{
    event->acceptProposedAction();
    receiveCard(event->mimeData());
}

void ContactsDialog::renameSelected()
{
    const QString name = selectedName();
    if (name.isEmpty())
        return;
    const QString shown = displayable(name); // names saved before the name rule may hold anything
    const auto newName = MessageBox::getText(this, tr("Rename %1").arg(shown), tr("New name for %1:").arg(shown), name);
    if (!newName || newName->trimmed().isEmpty() || newName->trimmed() == name)
        return;
    const std::string from = name.toStdString();
    const std::string to = newName->trimmed().toStdString();
    m_pendingSuccess = tr("%1 is now called %2.").arg(shown, displayable(newName->trimmed()));
    m_notice->showMessage(NoticePanel::Kind::Info, tr("Saving…"));
    m_context.keyring().update([from, to](Keyring& k) { return k.renameContact(from, to); });
}

void ContactsDialog::verifySelected()
{
    const QString name = selectedName();
    const ContactsModel::Row* row = m_model->rowAt(m_model->rowOfName(name));
    if (!row)
        return;
    if (!row->hasCard) {
        m_notice->showMessage(
            NoticePanel::Kind::Info,
            tr("%1 is an age key: it has no fingerprint to compare and cannot sign.").arg(displayable(name)));
        return;
    }
    auto* dialog = new VerifyContactDialog(name, row->fingerprint, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, name]() {
        m_pendingSuccess = tr("%1 is verified.").arg(displayable(name));
        m_notice->showMessage(NoticePanel::Kind::Info, tr("Saving…"));
        m_context.keyring().update([n = name.toStdString()](Keyring& k) { return k.setVerified(n, true); });
    });
    dialog->open();
}

void ContactsDialog::removeSelected()
{
    const QString name = selectedName();
    if (name.isEmpty())
        return;
    const QString shown = displayable(name);
    const auto answer = MessageBox::question(
        this, tr("Remove %1?").arg(shown),
        tr("Remove %1 from your contacts? You can no longer choose them when encrypting, and their signatures "
           "show as unknown.")
            .arg(shown));
    if (answer != QMessageBox::Yes)
        return;
    m_pendingSuccess = tr("%1 was removed.").arg(shown);
    m_notice->showMessage(NoticePanel::Kind::Info, tr("Saving…"));
    m_context.keyring().update([n = name.toStdString()](Keyring& k) { return k.removeContact(n); });
}

} // namespace coffer::ui
