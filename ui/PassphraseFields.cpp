#include "PassphraseFields.h"

#include "PassphraseStrength.h"
#include "SecretInput.h"

#include <QGridLayout>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QVBoxLayout>

namespace coffer::ui {

PassphraseFields::PassphraseFields(QWidget* parent)
    : QWidget(parent), m_first(new QLineEdit(this)), m_second(new QLineEdit(this)), m_meter(new QProgressBar(this)),
      m_strength(new QLabel(this)), m_match(new QLabel(this))
{
    makeSecretField(m_first);
    makeSecretField(m_second);
    m_first->setAccessibleName(tr("Passphrase"));
    m_second->setAccessibleName(tr("Passphrase again"));
    m_meter->setRange(0, 4);
    m_meter->setTextVisible(false);
    m_meter->setMaximumHeight(m_meter->fontMetrics().height() / 2 + 2);
    m_meter->setAccessibleName(tr("Passphrase strength"));
    m_strength->setWordWrap(true);
    m_strength->setAccessibleName(tr("Passphrase strength hint"));
    m_match->setWordWrap(true);

    // A grid, not a QFormLayout: the form sizes word-wrapped rows for a narrower
    // width than they get, which left a blank line under the strength hint.
    auto* firstLabel = new QLabel(tr("&Passphrase:"), this);
    firstLabel->setBuddy(m_first);
    auto* secondLabel = new QLabel(tr("&Again:"), this);
    secondLabel->setBuddy(m_second);
    auto* grid = new QGridLayout(this);
    grid->setContentsMargins(0, 0, 0, 0);
    grid->setColumnStretch(1, 1);
    grid->addWidget(firstLabel, 0, 0);
    grid->addWidget(m_first, 0, 1);
    grid->addWidget(secondLabel, 1, 0);
    grid->addWidget(m_second, 1, 1);
    grid->addWidget(m_meter, 2, 1);
    grid->addWidget(m_strength, 3, 1);
    grid->addWidget(m_match, 4, 1);

    connect(m_first, &QLineEdit::textChanged, this, &PassphraseFields::refresh);
    connect(m_second, &QLineEdit::textChanged, this, &PassphraseFields::refresh);
    refresh();
}

bool PassphraseFields::isEmpty() const
{
    return m_first->text().isEmpty() && m_second->text().isEmpty();
}

bool PassphraseFields::isAcceptable() const
{
    return m_first->text().size() >= kMinPassphraseLength && m_first->text() == m_second->text();
}

crypto::SecureString PassphraseFields::takePassphrase()
{
    const crypto::SecureString again = takeSecret(m_second); // wiped here; only needed to clear the field
    return takeSecret(m_first);
}

void PassphraseFields::clear()
{
    m_first->clear();
    m_second->clear();
}

QString PassphraseFields::hintText() const
{
    return m_strength->text();
}

void PassphraseFields::refresh()
{
    const StrengthHint h = PassphraseStrength::assess(m_first->text());
    m_meter->setValue(static_cast<int>(h.strength));
    if (m_first->text().isEmpty())
        m_strength->setText(h.hint);
    else
        m_strength->setText(tr("Strength: %1. %2").arg(h.label, h.hint));
    const bool typedSecond = !m_second->text().isEmpty();
    if (typedSecond && m_first->text() != m_second->text())
        m_match->setText(tr("The two passphrases differ."));
    else if (typedSecond)
        m_match->setText(tr("The two passphrases match."));
    else
        m_match->setText(QString());
    m_match->setVisible(!m_match->text().isEmpty());
    emit changed();
}

} // namespace coffer::ui
