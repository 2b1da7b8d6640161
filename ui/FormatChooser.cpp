#include "FormatChooser.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QVBoxLayout>

namespace coffer::ui {

FormatChooser::FormatChooser(QWidget* parent) : QWidget(parent), m_box(new QComboBox(this)), m_note(new QLabel(this))
{
    m_box->addItem(tr("Coffer (recommended)"));
    m_box->addItem(tr("age (for people who use age)"));
    m_box->setAccessibleName(tr("Format"));
    auto* label = new QLabel(tr("&Format:"), this);
    label->setBuddy(m_box);
    // What age lacks, against a container (FORMAT.md §13): said once, plainly.
    m_note->setText(tr("age files are not signed, must be read whole to open one file, and are not compressed."));
    m_note->setWordWrap(true);
    m_note->setTextFormat(Qt::PlainText);
    m_note->hide();

    auto* row = new QHBoxLayout;
    row->addWidget(label);
    row->addWidget(m_box);
    row->addStretch(1);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(row);
    layout->addWidget(m_note);
    connect(m_box, &QComboBox::currentIndexChanged, this, [this](int index) {
        m_note->setVisible(index == 1);
        emit changed(index == 1);
    });
}

bool FormatChooser::isAge() const
{
    return m_box->currentIndex() == 1;
}

void FormatChooser::setAge(bool age)
{
    m_box->setCurrentIndex(age ? 1 : 0);
}

QString FormatChooser::noteText() const
{
    return m_note->isHidden() ? QString() : m_note->text();
}

} // namespace coffer::ui
