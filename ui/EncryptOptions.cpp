#include "EncryptOptions.h"

#include "FileDialogs.h"
#include "PassphraseFields.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace coffer::ui {

EncryptOptions::EncryptOptions(QWidget* parent)
    : QWidget(parent), m_usePassphrase(new QCheckBox(tr("Also protect with a &passphrase"), this)),
      m_passphrase(new PassphraseFields(this)),
      m_sign(new QCheckBox(tr("&Sign, so they can tell it came from me"), this)), m_signAs(new QComboBox(this)),
      m_signAsRow(new QWidget(this)),
      m_followLinks(new QCheckBox(tr("Include what symbolic &links inside the chosen folders point to"), this)),
      m_compression(new QComboBox(this)), m_output(new QLineEdit(this)), m_browse(new QPushButton(tr("&Browse…"), this))
{
    m_usePassphrase->setAccessibleName(tr("Also protect with a passphrase"));
    m_usePassphrase->setToolTip(tr("Anyone who knows the passphrase can open it too, without a key."));
    m_passphrase->setVisible(false);
    m_passphrase->setContentsMargins(fontMetrics().averageCharWidth() * 4, 0, 0, 0);

    m_compression->addItem(tr("Automatic (skip files that do not shrink)"), static_cast<int>(Compression::Auto));
    m_compression->addItem(tr("Off (fastest)"), static_cast<int>(Compression::Off));
    m_compression->addItem(tr("Maximum (smallest, slower)"), static_cast<int>(Compression::Max));
    m_compression->setAccessibleName(tr("Compression"));
    m_sign->setAccessibleName(tr("Sign the container"));
    m_signAs->setAccessibleName(tr("Sign as"));
    auto* signAsLabel = new QLabel(tr("Sign &as:"), m_signAsRow);
    signAsLabel->setBuddy(m_signAs);
    auto* signAsLayout = new QHBoxLayout(m_signAsRow);
    signAsLayout->setContentsMargins(fontMetrics().averageCharWidth() * 4, 0, 0, 0);
    signAsLayout->addWidget(signAsLabel);
    signAsLayout->addWidget(m_signAs, 1);
    m_signAsRow->hide();
    m_followLinks->setAccessibleName(tr("Follow symbolic links"));
    m_followLinks->setToolTip(tr("Off: links are left out. On: a link is stored as what it points to, if that "
                                 "lies inside the files and folders you chose."));
    m_output->setAccessibleName(tr("Output file"));
    m_browse->setAccessibleName(tr("Choose the output file"));

    auto* outputRow = new QHBoxLayout;
    outputRow->addWidget(m_output, 1);
    outputRow->addWidget(m_browse);
    auto* outputLabel = new QLabel(tr("Sa&ve as:"));
    outputLabel->setBuddy(m_output);
    auto* form = new QFormLayout;
    form->addRow(tr("Co&mpression:"), m_compression);
    form->addRow(outputLabel, outputRow);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_usePassphrase);
    layout->addWidget(m_passphrase);
    layout->addWidget(m_sign);
    layout->addWidget(m_signAsRow);
    layout->addWidget(m_followLinks);
    layout->addLayout(form);

    connect(m_usePassphrase, &QCheckBox::toggled, this, [this](bool on) {
        m_passphrase->setVisible(on);
        if (on)
            m_passphrase->firstField()->setFocus();
        else
            m_passphrase->clear();
        emit changed();
    });
    connect(m_passphrase, &PassphraseFields::changed, this, &EncryptOptions::changed);
    connect(m_sign, &QCheckBox::toggled, m_signAs, &QWidget::setEnabled);
    connect(m_output, &QLineEdit::textEdited, this, [this]() {
        m_outputEdited = true;
        emit changed();
    });
    connect(m_browse, &QPushButton::clicked, this, [this]() {
        const QString path = FileDialogs::getSaveFileName(this, tr("Save the container as"), m_output->text(),
                                                          m_age ? tr("age (*.age)") : tr("Coffer (*.coffer)"));
        if (!path.isEmpty())
            setOutputPath(path);
    });
}

void EncryptOptions::setDefaults(Compression compression, bool sign, bool canSign)
{
    m_compression->setCurrentIndex(m_compression->findData(static_cast<int>(compression)));
    m_sign->setChecked(sign && canSign);
    m_sign->setEnabled(canSign);
    m_canSign = canSign;
    if (!canSign)
        m_sign->setToolTip(tr("You need a Coffer identity to sign."));
}

void EncryptOptions::setAgeFormat(bool age)
{
    if (age == m_age)
        return;
    m_age = age;
    if (age)
        m_signBeforeAge = m_sign->isChecked();
    m_sign->setChecked(!age && m_signBeforeAge);
    m_sign->setEnabled(!age && m_canSign);
    m_sign->setToolTip(age         ? tr("age files cannot be signed.")
                       : m_canSign ? QString()
                                   : tr("You need a Coffer identity to sign."));
    m_compression->setEnabled(!age);
    emit changed();
}

bool EncryptOptions::usePassphrase() const
{
    return m_usePassphrase->isChecked();
}

void EncryptOptions::setUsePassphrase(bool on)
{
    m_usePassphrase->setChecked(on);
}

LinkPolicy EncryptOptions::links() const
{
    return m_followLinks->isChecked() ? LinkPolicy::FollowInside : LinkPolicy::Skip;
}

void EncryptOptions::setSigners(const QList<QPair<QString, QString>>& signers)
{
    m_signAs->clear();
    for (int i = 0; i < signers.size(); ++i) {
        const QString name = signers[i].first.isEmpty() ? tr("(no name)") : signers[i].first;
        m_signAs->addItem(i == 0 ? tr("%1 (default)").arg(name) : name, signers[i].second);
        m_signAs->setItemData(i, signers[i].second, Qt::ToolTipRole);
    }
    m_signAsRow->setVisible(signers.size() > 1);
    m_signAs->setEnabled(m_sign->isChecked());
}

QString EncryptOptions::signerFingerprint() const
{
    return m_signAsRow->isHidden() ? QString() : m_signAs->currentData().toString();
}

bool EncryptOptions::sign() const
{
    return m_sign->isChecked();
}

Compression EncryptOptions::compression() const
{
    return static_cast<Compression>(m_compression->currentData().toInt());
}

void EncryptOptions::suggestOutputPath(const QString& path)
{
    if (!m_outputEdited)
        m_output->setText(path);
}

void EncryptOptions::setOutputPath(const QString& path)
{
    m_output->setText(path);
    m_outputEdited = true;
    emit changed();
}

QString EncryptOptions::outputPath() const
{
    return m_output->text().trimmed();
}

} // namespace coffer::ui
