#include "AddContactDialog.h"

#include "FileDialogs.h"
#include "UntrustedText.h"

#include <QDateTime>
#include <QDialogButtonBox>
#include <QFile>
#include <QFontDatabase>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace coffer::ui {

AddContactDialog::AddContactDialog(const QString& initialKey, QWidget* parent)
    : FittedDialog(parent), m_key(new QPlainTextEdit), m_name(new QLineEdit), m_fingerprint(new QLabel),
      m_problem(new QLabel), m_add(new QPushButton(tr("&Add contact")))
{
    setWindowTitle(tr("Add a contact — Coffer"));
    m_key->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_key->setPlaceholderText(tr("coffer1… or age1…"));
    m_key->setAccessibleName(tr("Their card or age key"));
    m_key->setTabChangesFocus(true);
    m_key->setMaximumHeight(m_key->fontMetrics().height() * 5);
    m_name->setAccessibleName(tr("Contact name"));
    m_fingerprint->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_fingerprint->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    m_fingerprint->setAccessibleName(tr("Fingerprint of the card"));
    m_problem->setTextFormat(Qt::PlainText);
    m_problem->setWordWrap(true);
    auto* load = new QPushButton(tr("&Load from file…"));

    auto* form = new QFormLayout;
    form->addRow(tr("&Card or key:"), m_key);
    form->addRow(QString(), load);
    form->addRow(tr("&Name:"), m_name);
    form->addRow(tr("Fingerprint:"), m_fingerprint);
    auto* buttons = new QDialogButtonBox;
    buttons->addButton(m_add, QDialogButtonBox::AcceptRole);
    buttons->addButton(QDialogButtonBox::Cancel);
    auto* layout = new QVBoxLayout(this);
    auto* intro = new QLabel(tr("Ask them for their card (in Coffer: My card) and paste it here. Then compare the "
                                "fingerprint with them, aloud or in person, to mark them verified."));
    intro->setWordWrap(true);
    layout->addWidget(intro);
    layout->addLayout(form);
    layout->addWidget(m_problem);
    layout->addWidget(buttons);

    connect(m_key, &QPlainTextEdit::textChanged, this, &AddContactDialog::parse);
    connect(m_name, &QLineEdit::textEdited, this, [this]() { m_nameEdited = true; });
    connect(buttons, &QDialogButtonBox::accepted, this, &AddContactDialog::submit);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(load, &QPushButton::clicked, this, [this]() {
        const QString path = FileDialogs::getOpenFileName(this, tr("Load a card"));
        QFile file(path);
        if (path.isEmpty() || !file.open(QIODevice::ReadOnly))
            return;
        m_key->setPlainText(QString::fromUtf8(file.read(64 * 1024)).trimmed()); // public keys only
    });
    setMinimumWidth(fontMetrics().averageCharWidth() * 70);
    m_key->setPlainText(initialKey);
    parse();
    m_add->setDefault(true); // last: a button finds its dialog through parents it has only now
}

void AddContactDialog::parse()
{
    m_parsed.reset();
    m_fingerprint->clear();
    const QString text = m_key->toPlainText().trimmed();
    if (text.isEmpty()) {
        m_problem->clear();
        return;
    }
    auto parsed = crypto::parseRecipientKey(text.toStdString());
    if (!parsed.ok()) {
        m_problem->setText(tr("That is not a card or an age key yet. A card starts with coffer1, an age key with "
                              "age1; copy the whole line."));
        return;
    }
    m_problem->clear();
    m_parsed = std::move(*parsed);
    if (const auto* card = m_parsed->card()) {
        m_fingerprint->setText(QString::fromStdString(card->fingerprint()));
        suggestName(card->name);
    } else {
        m_fingerprint->setText(tr("(%1s have no fingerprint and cannot sign)")
                                   .arg(QString::fromStdString(std::string(m_parsed->kindName()))));
    }
}

void AddContactDialog::suggestName(const std::string& cardName)
{
    // The card's name is its sender's claim (SECURITY.md "Contact names"): it is
    // offered only when it passes the name rule, and the user confirms it.
    if (m_nameEdited)
        return;
    if (cardName.empty() || checkContactName(cardName).ok()) {
        m_name->setText(QString::fromStdString(cardName));
        return;
    }
    m_name->clear();
    m_problem->setText(tr("This card calls its owner “%1”, which Coffer does not take as a name. Type the name "
                          "you know them by.")
                           .arg(displayable(cardName)));
}

void AddContactDialog::submit()
{
    if (!m_parsed) {
        if (m_key->toPlainText().trimmed().isEmpty())
            m_problem->setText(tr("Paste their card or age key first."));
        return; // otherwise parse() already said what is wrong
    }
    if (!checkContactName(m_name->text().trimmed().toStdString()).ok()) {
        m_problem->setText(tr("Give them a name of your own: at most 64 characters, without brackets, control or "
                              "direction characters, and not “you”, “me” or “verified”."));
        m_name->setFocus();
        return;
    }
    accept();
}

std::optional<Contact> AddContactDialog::contact() const
{
    if (!m_parsed || result() != QDialog::Accepted)
        return std::nullopt;
    Contact c;
    c.name = m_name->text().trimmed().toStdString();
    c.key = m_parsed->text();
    c.recipient = *m_parsed;
    c.addedAt = QDateTime::currentSecsSinceEpoch();
    return c;
}

QString AddContactDialog::problemText() const
{
    return m_problem->text();
}

} // namespace coffer::ui
