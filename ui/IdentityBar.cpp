#include "IdentityBar.h"

#include "AppContext.h"
#include "KeyringSession.h"
#include "MessageBox.h"
#include "UntrustedText.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>

#include <memory>

namespace coffer::ui {

namespace {

QString shownName(const std::string& name)
{
    return name.empty() ? IdentityBar::tr("(no name)") : displayable(name);
}

QString shownName(const crypto::SecretIdentity& id)
{
    return shownName(id.name());
}

} // namespace

IdentityBar::IdentityBar(AppContext& context, QWidget* parent)
    : QWidget(parent), m_context(context), m_label(new QLabel(tr("&Identity:"))), m_combo(new QComboBox),
      m_new(new QPushButton(tr("&New identity…"))), m_default(new QPushButton(tr("Make &default"))),
      m_remove(new QPushButton(tr("&Remove…")))
{
    m_label->setBuddy(m_combo);
    m_combo->setAccessibleName(tr("Identity shown"));
    m_default->setToolTip(tr("The default identity signs what you encrypt and is shown first."));
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_label);
    layout->addWidget(m_combo, 1);
    layout->addWidget(m_default);
    layout->addWidget(m_remove);
    layout->addWidget(m_new);

    connect(m_combo, &QComboBox::currentIndexChanged, this, [this]() {
        const Keyring* k = m_context.keyring().keyring();
        m_default->setEnabled(k && !k->isHeld() && m_combo->currentIndex() > 0);
        m_remove->setEnabled(k && !k->isHeld() && k->identities().size() > 1);
        emit currentChanged(currentFingerprint());
    });
    connect(m_new, &QPushButton::clicked, this, &IdentityBar::newIdentity);
    connect(m_default, &QPushButton::clicked, this, &IdentityBar::makeCurrentDefault);
    connect(m_remove, &QPushButton::clicked, this, &IdentityBar::removeCurrent);
    connect(&context.keyring(), &KeyringSession::keyringChanged, this, &IdentityBar::refresh);
    refresh();
}

QString IdentityBar::currentFingerprint() const
{
    return m_combo->currentData().toString();
}

void IdentityBar::refresh()
{
    const QString keep = m_showAfterUpdate.isEmpty() ? currentFingerprint() : m_showAfterUpdate;
    m_showAfterUpdate.clear();
    const Keyring* k = m_context.keyring().keyring();
    const QSignalBlocker quiet(m_combo);
    m_combo->clear();
    if (k) {
        const auto cards = k->ownCards(); // here or held by the key agent, the default first
        for (std::size_t i = 0; i < cards.size(); ++i) {
            const QString name = shownName(cards[i].second);
            m_combo->addItem(i == 0 ? tr("%1 (default)").arg(name) : name,
                             QString::fromStdString(cards[i].first.fingerprint()));
        }
    }
    const int at = m_combo->findData(keep);
    m_combo->setCurrentIndex(at >= 0 ? at : 0);
    const bool several = m_combo->count() > 1;
    m_label->setVisible(several);
    m_combo->setVisible(several);
    m_default->setVisible(several);
    m_remove->setVisible(several);
    // Held by the key agent, the keys are not here to change: unlocking with the passphrase brings them.
    const bool held = k && k->isHeld();
    m_default->setEnabled(!held && m_combo->currentIndex() > 0);
    m_remove->setEnabled(!held && several);
    m_new->setEnabled(!held);
    const QString whyNot =
        held ? tr("To change your identities, lock Coffer and unlock it with your passphrase.") : QString();
    for (QPushButton* b : {m_new, m_default, m_remove})
        b->setStatusTip(whyNot);
    m_new->setToolTip(held ? whyNot : tr("Make another identity, such as one for work, beside this one."));
    emit currentChanged(currentFingerprint());
}

void IdentityBar::update(std::function<Status(Keyring&)> change, const QString& done, const QString& show)
{
    auto* session = &m_context.keyring();
    auto connection = std::make_shared<QMetaObject::Connection>();
    *connection = connect(session, &KeyringSession::updateFinished, this,
                          [this, connection, done, show](bool ok, const QString& problem) {
                              disconnect(*connection);
                              if (ok)
                                  m_showAfterUpdate = show;
                              emit message(ok ? done : problem);
                              if (ok)
                                  refresh();
                          });
    session->update(std::move(change));
}

void IdentityBar::newIdentity()
{
    const auto typed = MessageBox::getText(this, tr("New identity"),
                                           tr("A name for the new identity, as others will see it on its card "
                                              "(such as Work or Personal):"));
    if (!typed)
        return;
    const QString name = typed->trimmed();
    if (name.isEmpty()) {
        emit message(tr("An identity beside another one needs a name. Choose New identity… again and type one."));
        return;
    }
    auto id = std::make_shared<crypto::SecretIdentity>(crypto::SecretIdentity::generate(name.toStdString()));
    const QString fingerprint = QString::fromStdString(id->card()->fingerprint());
    update([id](Keyring& k) { return k.addIdentity(id->clone()); },
           tr("Made the identity “%1”. Back it up too: choose Back up… while it is shown.").arg(displayable(name)),
           fingerprint);
}

void IdentityBar::makeCurrentDefault()
{
    const std::string fingerprint = currentFingerprint().toStdString();
    update([fingerprint](Keyring& k) { return k.setDefaultIdentity(fingerprint); },
           tr("“%1” is now your default identity: it signs what you encrypt.").arg(m_combo->currentText()),
           currentFingerprint());
}

void IdentityBar::removeCurrent()
{
    const Keyring* k = m_context.keyring().keyring();
    const QString fp = currentFingerprint();
    const auto* id = k ? k->findIdentity(fp.toStdString()) : nullptr;
    if (!id)
        return;
    const auto index = static_cast<std::size_t>(id - k->identities().data());
    const QString name = shownName(*id);
    const QString text =
        k->lastBackupAt(index) > 0
            ? tr("Remove the identity “%1”?\n\nContainers sent to it can no longer be opened on this computer, "
                 "unless you restore its backup.")
                  .arg(name)
            : tr("Remove the identity “%1”?\n\nIt was never backed up: containers sent to it can never be opened "
                 "again, by anyone.")
                  .arg(name);
    if (MessageBox::question(this, tr("Remove identity"), text) != QMessageBox::Yes)
        return;
    const std::string fingerprint = fp.toStdString();
    update([fingerprint](Keyring& ring) { return ring.removeIdentity(fingerprint); },
           tr("Removed the identity “%1”.").arg(name), QString());
}

} // namespace coffer::ui
