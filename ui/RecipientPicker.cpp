#include "RecipientPicker.h"

#include "UntrustedText.h"

#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QStandardItemModel>
#include <QVBoxLayout>

namespace coffer::ui {

namespace {

constexpr int kKeyRole = Qt::UserRole + 1;
constexpr int kNameRole = Qt::UserRole + 2;

} // namespace

RecipientPicker::RecipientPicker(QWidget* parent)
    : QWidget(parent), m_model(new QStandardItemModel(this)), m_proxy(new QSortFilterProxyModel(this)),
      m_search(new QLineEdit(this)), m_view(new QListView(this)), m_paste(new QLineEdit(this)),
      m_addPasted(new QPushButton(tr("A&dd key"), this)), m_pasteError(new QLabel(this))
{
    m_proxy->setSourceModel(m_model);
    m_proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_search->setPlaceholderText(tr("Search contacts"));
    m_search->setClearButtonEnabled(true);
    m_search->setAccessibleName(tr("Search contacts"));
    m_view->setModel(m_proxy);
    m_view->setAccessibleName(tr("Recipients"));
    m_view->setAccessibleDescription(tr("Checked people can open the container. Space checks or unchecks."));
    m_view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_paste->setPlaceholderText(tr("Paste a card (coffer1…) or an age key (age1…)"));
    m_paste->setAccessibleName(tr("Paste a card or age key"));
    m_pasteError->setWordWrap(true);
    m_pasteError->hide();

    auto* pasteRow = new QHBoxLayout;
    pasteRow->addWidget(m_paste, 1);
    pasteRow->addWidget(m_addPasted);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_search);
    layout->addWidget(m_view, 1);
    layout->addLayout(pasteRow);
    layout->addWidget(m_pasteError);

    connect(m_search, &QLineEdit::textChanged, m_proxy, &QSortFilterProxyModel::setFilterFixedString);
    connect(m_model, &QStandardItemModel::itemChanged, this, &RecipientPicker::changed);
    connect(m_addPasted, &QPushButton::clicked, this, [this]() {
        if (addPastedKey(m_paste->text()))
            m_paste->clear();
    });
    m_search->installEventFilter(this);
    m_paste->installEventFilter(this);
}

void RecipientPicker::focusList()
{
    m_view->setFocus();
    if (m_proxy->rowCount() > 0 && !m_view->currentIndex().isValid())
        m_view->setCurrentIndex(m_proxy->index(0, 0));
}

// Down or Enter in the search box moves into the list, as in a combo box;
// Enter in the paste box adds the key. Either way Enter is used up here, so
// it does not go on to press the dialog's default button (Encrypt).
bool RecipientPicker::eventFilter(QObject* watched, QEvent* event)
{
    if (event->type() != QEvent::KeyPress)
        return QWidget::eventFilter(watched, event);
    const int key = static_cast<QKeyEvent*>(event)->key();
    const bool enter = key == Qt::Key_Return || key == Qt::Key_Enter;
    if (watched == m_search && (enter || key == Qt::Key_Down)) {
        focusList();
        return true;
    }
    if (watched == m_paste && enter) {
        m_addPasted->click();
        return true;
    }
    return QWidget::eventFilter(watched, event);
}

QStandardItem* RecipientPicker::addRow(const QString& label, const QString& name, const std::string& key, bool checked)
{
    auto* item = new QStandardItem(label);
    item->setCheckable(true);
    item->setCheckState(checked ? Qt::Checked : Qt::Unchecked);
    item->setData(QString::fromStdString(key), kKeyRole);
    item->setData(name, kNameRole);
    item->setToolTip(QString::fromStdString(key));
    m_model->appendRow(item);
    return item;
}

void RecipientPicker::setKeyring(const Keyring* keyring)
{
    m_model->clear();
    if (!keyring)
        return;
    if (const auto me = keyring->ownCard()) { // here or held by the key agent
        const QString name = displayable(me->name);
        addRow(name.isEmpty() ? tr("Me") : tr("Me (%1)").arg(name), tr("Me"), me->encode(), true);
    }
    for (const Contact& c : keyring->contacts()) {
        const QString name = QString::fromStdString(c.name);
        const QString state = c.recipient.card() ? (c.verified ? tr("verified") : tr("not verified"))
                                                 : QString::fromStdString(std::string(c.recipient.kindName()));
        addRow(tr("%1 — %2").arg(displayable(c.name), state), name, c.key, false);
    }
}

bool RecipientPicker::addPastedKey(const QString& text)
{
    const std::string trimmed = text.trimmed().toStdString();
    auto parsed = crypto::parseRecipientKey(trimmed);
    if (!parsed.ok()) {
        m_pasteError->setText(tr("That is not a card or an age key. A card starts with coffer1, an age key with "
                                 "age1; copy the whole line."));
        m_pasteError->show();
        return false;
    }
    m_pasteError->hide();
    const std::string key = parsed->text();
    for (int row = 0; row < m_model->rowCount(); ++row) {
        QStandardItem* item = m_model->item(row);
        if (item->data(kKeyRole).toString().toStdString() == key) {
            item->setCheckState(Qt::Checked);
            return true;
        }
    }
    QString label;
    if (const auto* card = parsed->card()) {
        const QString cardName = displayable(card->name);
        label =
            tr("Pasted card %1 (%2)")
                .arg(cardName.isEmpty() ? tr("without a name") : cardName, QString::fromStdString(card->fingerprint()));
    } else {
        label = tr("Pasted %1 %2…")
                    .arg(QString::fromStdString(std::string(parsed->kindName())),
                         QString::fromStdString(key.substr(0, 16)));
    }
    addRow(label, label, key, true);
    emit changed();
    return true;
}

bool RecipientPicker::setChecked(const QString& name, bool checked)
{
    for (int row = 0; row < m_model->rowCount(); ++row) {
        QStandardItem* item = m_model->item(row);
        if (item->data(kNameRole).toString().compare(name, Qt::CaseInsensitive) == 0) {
            item->setCheckState(checked ? Qt::Checked : Qt::Unchecked);
            return true;
        }
    }
    return false;
}

std::vector<crypto::RecipientKey> RecipientPicker::checkedRecipients() const
{
    std::vector<crypto::RecipientKey> keys;
    for (int row = 0; row < m_model->rowCount(); ++row) {
        const QStandardItem* item = m_model->item(row);
        if (item->checkState() != Qt::Checked)
            continue;
        if (auto parsed = crypto::parseRecipientKey(item->data(kKeyRole).toString().toStdString()); parsed.ok())
            keys.push_back(std::move(*parsed));
    }
    return keys;
}

QStringList RecipientPicker::checkedNames() const
{
    QStringList names;
    for (int row = 0; row < m_model->rowCount(); ++row)
        if (m_model->item(row)->checkState() == Qt::Checked)
            names << m_model->item(row)->data(kNameRole).toString();
    return names;
}

int RecipientPicker::visibleCount() const
{
    return m_proxy->rowCount();
}

QString RecipientPicker::pasteError() const
{
    return m_pasteError->isHidden() ? QString() : m_pasteError->text();
}

} // namespace coffer::ui
