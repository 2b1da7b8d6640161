#include "AboutDialog.h"

#include "Version.h"

#include <QClipboard>
#include <QDialogButtonBox>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QIcon>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

namespace coffer::ui {

namespace {

QLabel* selectableLabel(const QString& text)
{
    auto* label = new QLabel(text);
    label->setTextFormat(Qt::PlainText);
    label->setWordWrap(true);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    return label;
}

} // namespace

AboutDialog::AboutDialog(QWidget* parent)
    : FittedDialog(parent), m_version(selectableLabel(tr("Version %1 (container format %2)")
                                                          .arg(QString::fromStdString(cofferVersion()),
                                                               QString::fromStdString(containerFormatVersion())))),
      m_libraries(selectableLabel(tr("Built on %1").arg(QString::fromStdString(libraryVersions())))),
      m_licence(selectableLabel(tr("Licence: GPL-3.0-or-later. Coffer is free software: you may share and change "
                                   "it under the terms of the GNU General Public License."))),
      m_copy(new QPushButton(tr("&Copy version"), this))
{
    setWindowTitle(tr("About Coffer"));
    setAccessibleName(tr("About Coffer"));

    auto* icon = new QLabel;
    const int iconSize = fontMetrics().height() * 4;
    icon->setPixmap(QIcon(QStringLiteral(":/icons/coffer.svg")).pixmap(iconSize, iconSize));
    icon->setAccessibleName(tr("Coffer icon"));
    auto* name = new QLabel(tr("Coffer"));
    QFont nameFont = name->font();
    nameFont.setPointSizeF(nameFont.pointSizeF() * 1.6);
    nameFont.setBold(true);
    name->setFont(nameFont);
    auto* description = new QLabel(tr("Puts files and folders into one encrypted, compressed container that "
                                      "only the people you choose can open."));
    description->setWordWrap(true);

    m_copy->setAccessibleName(tr("Copy the version and libraries to the clipboard"));
    m_copy->setToolTip(tr("For a bug report: the version, the container format and the libraries"));

    auto* texts = new QVBoxLayout;
    texts->addWidget(name);
    texts->addWidget(description);
    texts->addSpacing(fontMetrics().height() / 2);
    texts->addWidget(m_version);
    texts->addWidget(m_libraries);
    texts->addSpacing(fontMetrics().height() / 2);
    texts->addWidget(m_licence);
    auto* top = new QHBoxLayout;
    top->addWidget(icon, 0, Qt::AlignTop);
    top->addSpacing(fontMetrics().averageCharWidth() * 2);
    top->addLayout(texts, 1);

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close);
    buttons->addButton(m_copy, QDialogButtonBox::ActionRole);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(buttons);

    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_copy, &QPushButton::clicked, this, [this]() { QGuiApplication::clipboard()->setText(summary()); });
    setMinimumWidth(fontMetrics().averageCharWidth() * 72);
    QPushButton* close = buttons->button(QDialogButtonBox::Close);
    setTabOrder(m_copy, close); // as shown: Copy, then Close
    close->setDefault(true);
    close->setFocus();
}

QString AboutDialog::versionText() const
{
    return m_version->text();
}

QString AboutDialog::librariesText() const
{
    return m_libraries->text();
}

QString AboutDialog::licenceText() const
{
    return m_licence->text();
}

QString AboutDialog::summary() const
{
    return tr("Coffer %1 (container format %2)\n%3\nGPL-3.0-or-later")
        .arg(QString::fromStdString(cofferVersion()), QString::fromStdString(containerFormatVersion()),
             QString::fromStdString(libraryVersions()));
}

} // namespace coffer::ui
