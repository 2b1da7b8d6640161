#include "SettingsDialog.h"

#include "AppContext.h"
#include "FileDialogs.h"
#include "PathText.h"
#include "SystemKeyring.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

namespace coffer::ui {

SettingsDialog::SettingsDialog(AppContext& context, QWidget* parent)
    : QDialog(parent), m_context(context), m_compression(new QComboBox),
      m_sign(new QCheckBox(tr("&Sign new containers"))), m_autoLock(new QSpinBox),
      m_keepKeys(new QCheckBox(tr("&Keep the keys unlocked for other Coffer windows and commands"))),
      m_remember(new QCheckBox(tr("&Remember the keyring passphrase in the system keyring"))),
      m_outputFolder(new QLineEdit)
{
    setWindowTitle(tr("Settings — Coffer"));
    setAccessibleName(tr("Settings"));
    Settings& s = context.settings();
    m_compression->addItem(tr("Automatic"), static_cast<int>(Compression::Auto));
    m_compression->addItem(tr("Off"), static_cast<int>(Compression::Off));
    m_compression->addItem(tr("Maximum"), static_cast<int>(Compression::Max));
    m_compression->setCurrentIndex(m_compression->findData(static_cast<int>(s.defaultCompression())));
    m_compression->setAccessibleName(tr("Default compression"));
    m_sign->setChecked(s.signByDefault());
    m_sign->setAccessibleName(tr("Sign new containers by default"));
    m_autoLock->setRange(0, 24 * 60);
    m_autoLock->setSpecialValueText(tr("Never"));
    m_autoLock->setSuffix(tr(" min"));
    m_autoLock->setValue(s.autoLockMinutes());
    m_autoLock->setAccessibleName(tr("Lock after this many idle minutes"));
    m_autoLock->setSizePolicy(QSizePolicy::Fixed, QSizePolicy::Fixed); // a number, not a line of text
    m_keepKeys->setChecked(s.keepKeysForOthers());
    m_keepKeys->setAccessibleName(tr("Keep the keys unlocked for other Coffer windows and commands"));
    m_keepKeys->setToolTip(tr("Unlocking Coffer also unlocks \"coffer\" commands, without asking again, until "
                              "Coffer locks, the screen locks or the idle time above passes."));
    const bool portable = context.locations().portable;
    m_remember->setChecked(s.rememberPassphrase() && !portable);
    m_remember->setEnabled(!portable);
    m_remember->setAccessibleName(tr("Remember the keyring passphrase in the system keyring"));
    auto* rememberWhy = new QLabel(
        portable ? tr("Not in portable mode: the passphrase would stay behind on this computer.")
                 : tr("Coffer then opens without asking when it starts, as long as your desktop's keyring is "
                      "unlocked. Anyone who can use your desktop session can then open your keys. Coffer keeps "
                      "the passphrase the next time you unlock with it; turning this off removes it."));
    rememberWhy->setWordWrap(true);
    rememberWhy->setEnabled(!portable);
    m_outputFolder->setText(s.defaultOutputFolder());
    m_outputFolder->setPlaceholderText(tr("Next to the files being encrypted"));
    m_outputFolder->setAccessibleName(tr("Default folder for new containers"));
    auto* browse = new QPushButton(tr("&Browse…"));
    connect(browse, &QPushButton::clicked, this, [this]() {
        const QString dir =
            FileDialogs::getExistingDirectory(this, tr("Default folder for new containers"), m_outputFolder->text());
        if (!dir.isEmpty())
            m_outputFolder->setText(dir);
    });
    auto* folderRow = new QHBoxLayout;
    folderRow->addWidget(m_outputFolder, 1);
    folderRow->addWidget(browse);

    auto* defaults = new QGroupBox(tr("Encrypting"));
    auto* defaultsForm = new QFormLayout(defaults);
    defaultsForm->addRow(tr("&Compression:"), m_compression);
    defaultsForm->addRow(QString(), m_sign);
    auto* folderLabel = new QLabel(tr("Save containers &in:"));
    folderLabel->setBuddy(m_outputFolder);
    defaultsForm->addRow(folderLabel, folderRow);
    auto* security = new QGroupBox(tr("Security"));
    auto* securityForm = new QFormLayout(security);
    securityForm->addRow(tr("&Lock when idle for:"), m_autoLock);
    securityForm->addRow(QString(), m_keepKeys);
    securityForm->addRow(QString(), m_remember);
    securityForm->addRow(QString(), rememberWhy);

    const DataLocations& loc = context.locations();
    auto* storage = new QGroupBox(tr("Where Coffer keeps its data"));
    auto* storageLayout = new QVBoxLayout(storage);
    auto* mode = new QLabel(loc.portable ? tr("Portable mode is on: everything Coffer keeps stays beside the "
                                              "program, and nothing is written anywhere else.")
                                         : tr("Portable mode is off. To turn it on, put a file named \"portable\" "
                                              "beside the program."));
    mode->setWordWrap(true);
    auto* where =
        new QLabel(tr("Keyring: %1\nSettings: %2")
                       .arg(QDir::toNativeSeparators(toQString(loc.dataDir)), QDir::toNativeSeparators(s.fileName())));
    where->setTextFormat(Qt::PlainText);
    where->setWordWrap(true);
    where->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    storageLayout->addWidget(mode);
    storageLayout->addWidget(where);

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(defaults);
    layout->addWidget(security);
    layout->addWidget(storage);
    layout->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::accepted, this, &SettingsDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    // The two forms sit in separate boxes: one label width lines their fields up.
    int labelWidth = 0;
    QList<QWidget*> labels;
    for (QFormLayout* form : {defaultsForm, securityForm})
        for (int row = 0; row < form->rowCount(); ++row)
            if (QLayoutItem* item = form->itemAt(row, QFormLayout::LabelRole); item && item->widget()) {
                labels << item->widget();
                labelWidth = qMax(labelWidth, item->widget()->sizeHint().width());
            }
    for (QWidget* label : labels)
        label->setMinimumWidth(labelWidth);
    // At least this wide, and never narrower than the longest row (a minimum
    // set here replaces the layout's own).
    setMinimumWidth(qMax(fontMetrics().averageCharWidth() * 86, layout->minimumSize().width()));
}

void SettingsDialog::accept()
{
    Settings& s = m_context.settings();
    s.setDefaultCompression(static_cast<Compression>(m_compression->currentData().toInt()));
    s.setSignByDefault(m_sign->isChecked());
    s.setAutoLockMinutes(m_autoLock->value());
    s.setKeepKeysForOthers(m_keepKeys->isChecked());
    if (s.rememberPassphrase() && !m_remember->isChecked()) // turned off: the kept passphrase goes now
        SystemKeyring::forget(m_context.keyring().keyringPath(), &m_context.keyring());
    if (m_remember->isEnabled())
        s.setRememberPassphrase(m_remember->isChecked());
    s.setDefaultOutputFolder(m_outputFolder->text().trimmed());
    s.sync();
    QDialog::accept();
}

} // namespace coffer::ui
